/**
 * Building the BPF C test programs: compile a test/ebpf/progs/*.bpf.c with Debian's clang-19
 * into a temporary directory (and link several with Debian's bpftool). Without the tool, tests
 * using it are skipped locally and fail under CI=true (CI installs clang-19 and bpftool).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLANG = process.env.CLANG ?? "clang-19";
const PROGS = fileURLToPath(new URL("./progs/", import.meta.url));

const runs = new Map<string, boolean>();
/** Whether `tool arg` runs here (asked once per tool). */
function toolRuns(tool: string, arg: string): boolean {
  let ok = runs.get(tool);
  if (ok === undefined) {
    try {
      execFileSync(tool, [arg], { stdio: "ignore" });
      ok = true;
    } catch {
      ok = false;
    }
    runs.set(tool, ok);
  }
  return ok;
}

/** Whether clang can be run here. */
export function clangAvailable(): boolean {
  return toolRuns(CLANG, "--version");
}

/** True when BPF C tests must run: clang is here, or we are in CI (where its absence is a failure). */
export function clangTestsEnabled(): boolean {
  return clangAvailable() || process.env.CI === "true";
}

let outDir: string | undefined;
/** Compile progs/<name> (e.g. "eng_isa.bpf.c") and return the object file's bytes. */
export function compileBpf(name: string, extraFlags: readonly string[] = []): Uint8Array {
  return new Uint8Array(readFileSync(compileBpfFile(name, extraFlags)));
}

/** Compile progs/<name> into a temporary folder and return the object file's path (for `-s x.bpf.o`). */
export function compileBpfFile(name: string, extraFlags: readonly string[] = []): string {
  if (!clangAvailable()) throw new Error(`${CLANG} is not installed (apt-get install -y clang-19); needed to build ${name}`);
  outDir ??= mkdtempSync(join(tmpdir(), "scxlab-bpf-"));
  const out = join(outDir, basename(name).replace(/\.c$/, ".o"));
  execFileSync(CLANG, ["-g", "-O2", "-target", "bpf", "-mcpu=v4", "-I", PROGS, ...extraFlags, "-c", join(PROGS, name), "-o", out], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
}

/** Debian installs bpftool in /usr/sbin, which a non-root PATH may lack. */
export const BPFTOOL = process.env.BPFTOOL ?? (existsSync("/usr/sbin/bpftool") ? "/usr/sbin/bpftool" : "bpftool");

/** Whether bpftool (Debian's `bpftool` package) can be run here. */
export function bpftoolAvailable(): boolean {
  return toolRuns(BPFTOOL, "version");
}

/** True when the linked-object tests must run: clang and bpftool are here, or we are in CI. */
export function linkTestsEnabled(): boolean {
  return (clangAvailable() && bpftoolAvailable()) || process.env.CI === "true";
}

/**
 * Compile several progs/*.bpf.c and link them into one object with `bpftool gen object` (libbpf's
 * static linker, what scx's build uses for schedulers made of several objects); returns its bytes.
 */
export function compileAndLink(names: readonly string[], out: string): Uint8Array {
  if (!bpftoolAvailable()) throw new Error(`${BPFTOOL} is not installed (apt-get install -y bpftool); needed to link ${names.join(", ")}`);
  const objs = names.map((n) => compileBpfFile(n));
  const target = join(outDir!, out);
  execFileSync(BPFTOOL, ["gen", "object", target, ...objs], { stdio: ["ignore", "ignore", "pipe"] });
  return new Uint8Array(readFileSync(target));
}

/** The bytes of one section of an ELF64 little-endian object (enough for .text-only test programs). */
export function elfSection(obj: Uint8Array, section: string): Uint8Array {
  const dv = new DataView(obj.buffer, obj.byteOffset, obj.byteLength);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true), shnum = dv.getUint16(0x3c, true), shstrndx = dv.getUint16(0x3e, true);
  const hdr = (k: number): { name: number; off: number; size: number } => ({
    name: dv.getUint32(shoff + k * shentsize, true),
    off: Number(dv.getBigUint64(shoff + k * shentsize + 0x18, true)),
    size: Number(dv.getBigUint64(shoff + k * shentsize + 0x20, true)),
  });
  const strtab = hdr(shstrndx);
  const nameAt = (n: number): string => {
    let end = strtab.off + n;
    while (obj[end] !== 0) end++;
    return new TextDecoder().decode(obj.subarray(strtab.off + n, end));
  };
  for (let k = 0; k < shnum; k++) {
    const h = hdr(k);
    if (nameAt(h.name) === section) return obj.slice(h.off, h.off + h.size);
  }
  throw new Error(`no section ${section}`);
}
