/**
 * The BPF `simple` beside the TS `simple` on the yardstick's model: scxlab's own
 * test/ebpf/progs/eng_simple.bpf.c (the same policy in BPF C) compiled with clang-19 when both
 * are here, run as `-s eng_simple.bpf.o -o fifo_sched=true` against `-s simple -o fifo=true`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CLANG = "clang-19";
const PROGS = fileURLToPath(new URL("../../../test/ebpf/progs/", import.meta.url));

/** The compiled object's path, or why there is none. */
export function buildEngSimple(): { object: string } | { skipped: string } {
  const src = join(PROGS, "eng_simple.bpf.c");
  if (!existsSync(src)) return { skipped: "test/ebpf/progs/eng_simple.bpf.c is not in this installation" };
  try {
    execFileSync(CLANG, ["--version"], { stdio: "ignore" });
  } catch {
    return { skipped: `${CLANG} is not installed (apt-get install -y clang-19)` };
  }
  const object = join(mkdtempSync(join(tmpdir(), "scxlab-bench-bpf-")), "eng_simple.bpf.o");
  try {
    execFileSync(CLANG, ["-g", "-O2", "-target", "bpf", "-mcpu=v4", "-I", PROGS, "-c", src, "-o", object], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    return { skipped: `${CLANG} failed on eng_simple.bpf.c: ${String((e as { stderr?: Buffer }).stderr ?? e).split("\n")[0]}` };
  }
  return { object };
}
