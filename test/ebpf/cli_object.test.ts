/**
 * A compiled sched_ext object through the CLI as a user runs it: `-s x.bpf.o` in run, compare
 * (beside the TS port it mirrors, with equal numbers), crash-demo and the worker pool, `-o`
 * setting its .rodata options, and bad objects or options as one line with exit 2.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scxlab } from "../helpers/cli.js";
import { clangTestsEnabled, compileBpfFile } from "./clang.js";

const TMP = mkdtempSync(join(tmpdir(), "scxlab-bpf-cli-"));

describe.skipIf(!clangTestsEnabled())("-s x.bpf.o from the command line", () => {
  const obj = compileBpfFile("eng_simple.bpf.c");

  it("run: the object attaches through a link, runs the workload with nothing lost, and its RunResult equals the TS simple's", () => {
    const bpf = scxlab("run", "-s", obj, "-w", "mixed", "--duration", "0.5", "--seed", "4", "--json", "-");
    const ts = scxlab("run", "-s", "simple", "-w", "mixed", "--duration", "0.5", "--seed", "4", "--json", "-");
    expect(bpf.code, bpf.err).toBe(0);
    const a = JSON.parse(bpf.out), b = JSON.parse(ts.out);
    expect(a.scx.timeline[0]).toMatchObject({ from: "fair", to: "eng_simple", reason: "link created" });
    expect(a.invariants.lost).toBe(0);
    expect(a.scx.exit).toBeNull();
    expect(a.totals).toEqual(b.totals);
    expect(a.groups).toEqual(b.groups);
  });

  it("compare puts the object beside simple; -o sets a .rodata option; 2 workers give the 1-worker bytes", () => {
    const outs = [1, 2].map((w) => {
      const out = join(TMP, `cmp${w}`);
      const r = scxlab("compare", "-s", `simple:fifo=true,${obj}:fifo_sched=1`, "-w", "hogs", "--duration", "0.3", "--seeds", "2", "--workers", String(w), "--out", out);
      expect(r.code, r.err).toBe(0);
      return readFileSync(join(out, "results.json"), "utf8");
    });
    expect(outs[1]).toBe(outs[0]);
    const runs = JSON.parse(outs[0]).runs as { job: { scheduler: string }; totals: unknown }[];
    const ts = runs.filter((r) => r.job.scheduler === "simple"), bpf = runs.filter((r) => r.job.scheduler === obj);
    expect(bpf).toHaveLength(2);
    expect(bpf.map((r) => r.totals)).toEqual(ts.map((r) => r.totals));
  });

  it("compare -s bpfland,OBJ puts a port beside an object under bpfland's recipe; the object's .bss counters reach results.json; the warning for an object without a recipe is one stderr line", () => {
    const fam = compileBpfFile("eng_family.bpf.c");
    const out = join(TMP, "cmp-family");
    const r = scxlab("compare", "-s", `bpfland,${fam}:slice-us=2000`, "-w", "mixed", "--duration", "0.3", "--seeds", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain("no loader recipe");
    const runs = JSON.parse(readFileSync(join(out, "results.json"), "utf8")).runs as { job: { scheduler: string }; scx: { exit: unknown; events: Record<string, number> }; invariants: { lost: number } }[];
    const obj = runs.find((x) => x.job.scheduler === fam)!, port = runs.find((x) => x.job.scheduler === "bpfland")!;
    expect([obj.scx.exit, obj.invariants.lost, port.scx.exit, port.invariants.lost]).toEqual([null, 0, null, 0]);
    expect(obj.scx.events.primary_resets).toBe(1);
    expect(obj.scx.events.nr_moved).toBeGreaterThan(0);
    const plain = scxlab("run", "-s", compileBpfFile("eng_simple.bpf.c"), "-w", "hogs", "--duration", "0.05", "-q");
    expect(plain.code, plain.err).toBe(0);
    expect(plain.err.trim().split("\n").filter((l) => l.includes("no loader recipe"))).toHaveLength(1);
  });

  it("crash-demo evicts the object when its loader dies; every task goes back to fair", () => {
    const out = join(TMP, "demo");
    const r = scxlab("crash-demo", "-s", obj, "-w", "hogs", "--duration", "1", "--crash-at", "0.4", "--out", out);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    expect(JSON.stringify(j)).toContain("SCX_EXIT_UNREG");
    expect(r.out).toMatch(/lost 0|0 lost/);
  });

  it.each([
    [["-o", "no_such_option=1"], /unknown option no_such_option; valid: /],
    [["-o", "fifo_sched=banana"], /fifo_sched/],
  ])("bad options %j: one line, exit 2", (args, pattern) => {
    const r = scxlab("run", "-s", obj, ...(args as string[]), "--duration", "0.1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });

  it("a file that is not an object is one line, exit 2", () => {
    const bad = join(TMP, "garbage.bpf.o");
    writeFileSync(bad, "not an ELF file at all");
    const r = scxlab("run", "-s", bad, "--duration", "0.1");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/garbage\.bpf\.o: /);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
