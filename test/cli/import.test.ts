/** `scxlab import`: a trace file in, a workload file out (atomically), bad traces one line + exit 2. */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scxlab } from "../helpers/cli.js";

const TRACES = join(__dirname, "../workloads/traces");

describe("scxlab import", () => {
  it("imports perf script output into a workload that runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-imp-"));
    const out = join(dir, "sub", "w.json");
    const r = scxlab("import", join(TRACES, "script-small.txt"), "--out", out);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^imported 3 tasks from perf script output \(0\.009 s traced\): 5 CPU bursts \(0\.010 s of CPU\), 1 sleeps, 0 wakeups, 1 forks\n/);
    expect(r.out).toContain(`wrote ${out}; replay it with: scxlab run -w ${out}`);
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(doc.tasks)).toEqual(["make", "cc1", "kworker/1:1"]);
    expect(readdirSync(join(dir, "sub"))).toEqual(["w.json"]); // no temporary file left behind
    const run = scxlab("run", "-w", out, "--duration", "0.05", "--json", "-");
    expect(run.code).toBe(0);
    const j = JSON.parse(run.out);
    expect(j.groups.cc1.completed).toBe(1);
    expect(j.invariants.lost).toBe(0);
  });

  it("imports perf sched timehist output, and writes to stdout with --out -", () => {
    const r = scxlab("import", join(TRACES, "timehist-small.txt"), "--out", "-");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).tasks.app).toEqual({ loop: 1, run0: 2000, sleep0: 2950, run1: 1000 });
    expect(r.err).toMatch(/^imported 3 tasks from perf sched timehist output/);
  });

  it("a bad trace is one line file:line: expected ..., got ... and exit code 2; nothing is written", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-imp-"));
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, `this is not perf output\n${readFileSync(join(TRACES, "script-small.txt"), "utf8")}`);
    const out = join(dir, "w.json");
    const r = scxlab("import", bad, "--out", out);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe(`scxlab: ${bad}:1: expected perf sched timehist or perf script output of sched events, got "this is not perf output"\n`);
    expect(existsSync(out)).toBe(false);
  });

  it("a line not understood after the events start is skipped, counted and shown, and the import goes on", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-imp-"));
    const odd = join(dir, "odd.txt");
    writeFileSync(odd, `${readFileSync(join(TRACES, "script-small.txt"), "utf8")}this is not perf output\n`);
    const r = scxlab("import", odd, "--out", join(dir, "w.json"));
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 lines not understood were skipped (first: line 21: "this is not perf output")');
    expect(r.err).toContain('warning: 1 lines not understood were skipped');
  });

  it("missing --out, a missing file and a missing trace argument are bad input (exit 2)", () => {
    const noOut = scxlab("import", join(TRACES, "script-small.txt"));
    expect(noOut.code).toBe(2);
    expect(noOut.err).toBe("scxlab: --out: expected the workload file to write (or - for stdout)\n");
    const missing = scxlab("import", "/nonexistent/t.txt", "--out", "-");
    expect(missing.code).toBe(2);
    expect(missing.err).toBe("scxlab: /nonexistent/t.txt: expected a readable trace file, got ENOENT\n");
    const none = scxlab("import");
    expect(none.code).toBe(2);
    expect(none.err.trim().split("\n")).toHaveLength(1);
  });
});
