/**
 * `scxlab bench`: the shape of what it writes, on the tiny suite (timings are never asserted),
 * and the yardstick's own correctness (the bare loop and scxlab's path agree with Erlang C).
 */
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { erlangCSojourn, runBareMmc } from "../../cli/bench/bare.js";
import { runScxlabMmc } from "../../cli/bench/mmc.js";
import { SUITES, singleCases } from "../../cli/bench/suite.js";
import { parseWorkerList } from "../../cli/commands/bench.js";
import { MAIN, SCRATCH, scxlab } from "../helpers/cli.js";
import { clangAvailable } from "../ebpf/clang.js";

describe("scxlab bench", () => {
  it("writes bench.json and bench.html with every section (tiny suite)", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-bench-"));
    const r = scxlab("bench", "--suite", "tiny", "--workers", "1,2", "--out", dir);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["bench.html", "bench.json"]);
    for (const h of ["Yardstick", "Single thread", "Worker scaling", "Cost per event", "Memory", "Pool on users' sweeps", "crossover", "Targets"]) expect(r.out).toContain(h);
    // A tool's output names its targets, not the issue tracker's numbers (issue 14.15).
    expect(r.out).not.toMatch(/\(issue \d+\)/);
    const b = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8"));
    expect(b).toMatchObject({ schema: "scxlab.bench/2", suite: "tiny" });
    expect(Object.keys(b).sort()).toEqual(["bpfSimple", "bpflandObject", "cold", "createdAt", "growth", "machine", "memory", "pool", "scaling", "schema", "single", "suite", "targets", "yardstick"]);
    // The BPF simple beside the TS simple: measured with clang-19 (CI has it), else the line says why.
    if (clangAvailable() || process.env.CI === "true") {
      expect(b.bpfSimple.bpf.runs).toHaveLength(SUITES.tiny.yardstick.reps);
      expect(b.bpfSimple.bpf.runs[0].customers).toBe(SUITES.tiny.yardstick.customers);
      expect(b.bpfSimple.ratio).toBeCloseTo(b.bpfSimple.bpf.eventsPerS / b.bpfSimple.ts.eventsPerS, 9);
      expect(r.out).toMatch(/BPF simple beside TS simple \(M\/M\/\d+, FIFO, eng_simple\.bpf\.o\): [\d.]+ M events\/s vs [\d.]+ M events\/s, ratio [\d.]+×/);
    } else expect(r.out).toContain("BPF simple beside TS simple: not measured (clang-19 is not installed");
    // No object named: the bpfland line says what it needs, and its target is not judged.
    expect(b.bpflandObject.skipped).toMatch(/--bpf-object PATH or set SCXLAB_BENCH_BPFLAND \(docs\/bpf-objects\.md/);
    expect(r.out).toContain("bpfland object beside TS bpfland: not measured (needs a compiled scx_bpfland.bpf.o");
    expect(b.targets.find((t: { id: string }) => t.id === "bpfland-object")).toMatchObject({ met: null, target: "≥ 1/3" });
    expect(b.cold.run.customers).toBe(SUITES.tiny.yardstick.customers);
    expect(b.cold.run.wallMs).toHaveLength(SUITES.tiny.yardstick.reps);
    expect(b.cold.run.customersPerS).toBeGreaterThan(0);
    for (const k of ["list", "help", "node"]) expect(b.cold.startup.runs[k]).toHaveLength(1);
    expect(r.out).toMatch(/scxlab list \d+ ms, scxlab --help \d+ ms, node -e 0 \d+ ms/);
    expect(b.yardstick.customers).toBe(SUITES.tiny.yardstick.customers);
    expect(b.yardstick.scxlab.runs).toHaveLength(SUITES.tiny.yardstick.reps);
    expect(b.yardstick.bare.runs[0].events).toBe(2 * SUITES.tiny.yardstick.customers);
    expect(b.yardstick.scxlab.runs[0].customers).toBe(SUITES.tiny.yardstick.customers);
    expect(b.yardstick.ratio).toBeGreaterThan(0);
    expect(b.single).toHaveLength(singleCases(SUITES.tiny).length);
    for (const row of b.single) {
      expect(row.events).toBeGreaterThan(0);
      expect(row.lost).toBe(0);
      for (const k of ["eventsPerS", "eventsPerCpuS", "simSPerWallS", "throughput", "processMaxRssMB"]) expect(typeof row[k]).toBe("number");
    }
    expect(b.scaling.runs.map((x: { workers: number }) => x.workers)).toEqual([1, 2]);
    expect(b.scaling.jobs).toBe(4);
    expect(b.scaling.identical).toBe(true);
    expect(b.scaling.runs[0].speedup).toBe(1);
    expect(b.growth.rows.map((x: { tasks: number }) => x.tasks)).toEqual(SUITES.tiny.growth.tasks);
    expect(b.memory.million.tasks).toBe(SUITES.tiny.millionTasks);
    expect(b.memory.names).toMatchObject({ names: SUITES.tiny.manyNames, groups: SUITES.tiny.manyNames, lost: 0 });
    expect(b.memory.peakRssMB).toBeGreaterThan(0);
    expect(b.pool.sweeps).toHaveLength(2);
    for (const s of b.pool.sweeps) {
      expect(s.jobs).toBe(8); // the default line-up, one seed in the tiny suite
      expect(s.ratios).toHaveLength(1);
      expect(s.identical).toBe(true);
      expect(s.cpus1).toHaveLength(1);
      expect(s.cpus2[0]).toBeGreaterThan(0);
      // The calling thread's share is part of the process's CPU time.
      if (s.mainCpus1.length > 0) expect(s.mainCpus1[0]).toBeLessThanOrEqual(s.cpus1[0] + 0.01);
    }
    expect(b.pool.crossoverMs).toBe(2 * b.pool.startMs);
    // The thread's timeline: loading is part of its start-up, and the first job ends after it.
    expect(b.pool.loadMs).toBeGreaterThan(0);
    expect(b.pool.firstJobMs.thread).toBeGreaterThan(0);
    expect(b.pool.firstJobMs.main).toBeGreaterThan(0);
    if (b.pool.cpuModel !== null) expect(b.pool.cpuModel.workS).toBe(b.pool.sweeps[0].mainCpus1[0]);
    expect(b.targets.map((t: { id: string }) => t.id)).toEqual(["yardstick", "speedup", "growth", "million", "names", "cold-run", "startup", "bpfland-object", "pool-sweep", "pool-npm-start"]);
    const html = readFileSync(join(dir, "bench.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\//); // self-contained, no script, no network
    expect((html.match(/<svg/g) ?? []).length).toBe(5);
    expect(html).toContain(">ideal</text>");

    // --baseline compares with an earlier bench.json.
    const again = scxlab("bench", "--suite", "tiny", "--workers", "1", "--out", join(dir, "again"), "--baseline", join(dir, "bench.json"), "--quiet");
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/Against .* \(scxlab\.bench\/2, tiny suite/);
    expect(again.out).toMatch(/fair\/schbench\/4/);
  });

  it("rejects bad flags", () => {
    expect(scxlab("bench", "--workers", "0").err).toMatch(/^scxlab: --workers: expected an integer/);
    expect(scxlab("bench", "--suite", "huge").err).toMatch(/^scxlab: --suite: expected one of quick, full, tiny/);
    expect(scxlab("bench", "--baseline", "/nonexistent/bench.json").err).toMatch(/^scxlab: --baseline/);
    // --bpf-object (or SCXLAB_BENCH_BPFLAND) is loaded before anything runs: a bad one is one line, exit 2.
    const dir = mkdtempSync(join(tmpdir(), "scxlab-bench-obj-"));
    for (const [args, want] of [
      [["--bpf-object", "/nonexistent/scx_bpfland.bpf.o"], /^scxlab: --bpf-object: \/nonexistent\/scx_bpfland\.bpf\.o: expected a readable file/],
      [["--bpf-object", "bpfland"], /^scxlab: --bpf-object: expected a compiled BPF object \(a \.o file\), got "bpfland"/],
      [["--bpf-object", notElf(dir)], /^scxlab: --bpf-object: .*not_elf\.bpf\.o: not an ELF object/],
    ] as const) {
      const r = scxlab("bench", "--suite", "tiny", "--out", join(dir, "out"), ...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(want);
      expect(existsSync(join(dir, "out"))).toBe(false);
    }
    const env = spawnSync(process.execPath, [MAIN, "bench", "--suite", "tiny", "--out", join(dir, "out")], {
      encoding: "utf8", cwd: SCRATCH, env: { ...process.env, SCXLAB_BENCH_BPFLAND: "/nonexistent/env.bpf.o" },
    });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/^scxlab: --bpf-object: \/nonexistent\/env\.bpf\.o: expected a readable file/);
    expect(parseWorkerList("2,1,2")).toEqual([2, 1]);
  });

  it("the yardstick: both implementations of M/M/4 at rho 0.8 land near Erlang C", () => {
    const w = erlangCSojourn(4, 0.8);
    expect(w).toBeCloseTo(4795 / 2747, 6); // reference/performance.md §1
    const bare = runBareMmc(200_000, 4, 0.8, 1);
    expect(bare.events).toBe(400_000);
    expect(Math.abs(bare.meanSojourn - w) / w).toBeLessThan(0.03);
    const scx = runScxlabMmc(50_000, 4, 0.8, 1);
    expect(scx.customers).toBe(50_000);
    expect(Math.abs(scx.meanSojourn - w) / w).toBeLessThan(0.05);
    expect(scx.eventsPerCustomer).toBeGreaterThan(2);
    expect(scx.eventsPerCustomer).toBeLessThan(2.2); // arrival + completion, plus the balancer's timer
  });
});

/** A file named like an object that is not one. */
function notElf(dir: string): string {
  const p = join(dir, "not_elf.bpf.o");
  writeFileSync(p, "not an object\n");
  return p;
}
