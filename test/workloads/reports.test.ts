/**
 * Benchmark-shaped reports (results/layouts/) and the RunResult fields they read
 * (GroupResult firstStartNs/lastExitNs/deadlineNs/deadlineMisses/wakeupHistogramUs, TaskResult
 * wakeup stats): each built-in's layout appears with sane numbers.
 */
import { describe, expect, it } from "vitest";
import { runJob, type Job } from "../../cli/job.js";
import { BENCH_WORKLOADS, benchReport, type BenchLayout } from "../../results/layouts/index.js";
import { schbenchLayout } from "../../results/layouts/schbench.js";
import { hackbenchLayout } from "../../results/layouts/hackbench.js";
import { pipeLayout } from "../../results/layouts/pipe.js";
import { cyclictestLayout } from "../../results/layouts/cyclictest.js";
import { compileLayout } from "../../results/layouts/compile.js";
import { gamingLayout } from "../../results/layouts/gaming.js";
import { serverLayout } from "../../results/layouts/server.js";
import type { RunResult, Stats } from "../../sim/result.js";
import { filledParams } from "../../workloads/index.js";
import { scxlab } from "../helpers/cli.js";

function run(workload: string, over: Partial<Job> = {}): RunResult {
  return runJob({
    scheduler: "fair", options: {}, workload, params: {}, topology: "4", cpus: 4, seed: 1, durationNs: 1e9, overheads: true, ...over,
  });
}

/** A layout's numbers and the whole report, with the run's parameters filled in as `scxlab run` does. */
const compute = <N>(l: BenchLayout<N>, r: RunResult): N | null => l.compute(r, filledParams(r.job.workload, r.job.params));
const report = (r: RunResult): string | null => benchReport(r, filledParams(r.job.workload, r.job.params));

const ordered = (s: Stats) => {
  expect(s.count).toBeGreaterThan(0);
  expect(s.min).toBeLessThanOrEqual(s.p50);
  expect(s.p50).toBeLessThanOrEqual(s.p90);
  expect(s.p90).toBeLessThanOrEqual(s.p99);
  expect(s.p99).toBeLessThanOrEqual(s.p999);
  expect(s.p999).toBeLessThanOrEqual(s.max);
};

describe("the RunResult fields the reports read", () => {
  it("groups carry first start, last exit, deadline, misses and a wakeup histogram; tasks their wakeup stats", () => {
    const r = run("compile", { params: { jobs: "16", parallel: "4" } });
    const cc = r.groups.cc!;
    expect(cc.firstStartNs).toBeGreaterThan(0); // forked after make ran a little
    expect(cc.lastExitNs).toBeGreaterThan(cc.firstStartNs!);
    expect(r.groups.make!.firstStartNs).toBe(0);
    expect(r.groups.ld!.lastExitNs).toBeGreaterThanOrEqual(cc.lastExitNs!);
    expect(cc.deadlineNs).toBe(0);
    expect(cc.deadlineMisses).toBe(0);
    expect(cc.wakeupHistogramUs!.reduce((a, b) => a + b, 0)).toBe(cc.wakeupLatencyNs.count);
    const exits = r.tasks.filter((t) => t.group === "cc").map((t) => t.exitNs!);
    expect(Math.max(...exits)).toBe(cc.lastExitNs);
    expect(Math.min(...r.tasks.filter((t) => t.group === "cc").map((t) => t.startNs))).toBe(cc.firstStartNs);
    const g = run("gaming");
    expect(g.groups.frame!.deadlineNs).toBe(16_667_000); // dl-deadline
    expect(g.groups.background!.lastExitNs).toBeNull();
    const c = run("cyclictest", { params: { interval_us: "500" } });
    expect(c.groups.cyclic!.deadlineNs).toBe(500_000); // no dl-deadline: the timer's period
    for (const t of c.tasks) {
      expect(t.wakeups).toBeGreaterThanOrEqual(1999);
      expect(t.wakeupMinNs!).toBeLessThanOrEqual(t.wakeupMaxNs!);
      expect(t.wakeupTotalNs!).toBeGreaterThanOrEqual(t.wakeupMaxNs!);
    }
    expect(c.tasks.reduce((s, t) => s + t.wakeups!, 0)).toBe(c.groups.cyclic!.wakeupLatencyNs.count);
  });

  it("a warm-up restarts the per-task wakeup counts and the groups' first start", () => {
    const r = run("cyclictest", { warmupNs: 5e8 });
    expect(r.groups.cyclic!.firstStartNs).toBe(5e8);
    for (const t of r.tasks) expect(t.wakeups).toBeGreaterThanOrEqual(499);
    for (const t of r.tasks) expect(t.wakeups).toBeLessThanOrEqual(501);
  });
});

describe("benchmark layouts", () => {
  it("exist for the benchmark built-ins and not for mixed, hogs or files", () => {
    expect([...BENCH_WORKLOADS].sort()).toEqual(["compile", "cyclictest", "gaming", "hackbench", "pipe", "schbench", "server"]);
    expect(report(run("hogs", { durationNs: 1e8 }))).toBeNull();
  });

  it("schbench: wakeup and request percentile blocks in usec, the 99th starred, and average rps", () => {
    const r = run("schbench");
    const n = compute(schbenchLayout, r)!;
    ordered(n.wakeup);
    ordered(n.request);
    // each request does work_us (1 ms) of CPU: 4 workers cannot serve more than 4000/s
    expect(n.rps).toBeGreaterThan(1000);
    expect(n.rps).toBeLessThanOrEqual(4000 * 1.02);
    const text = report(r)!;
    expect(text).toMatch(/^Wakeup Latencies percentiles \(usec\) runtime 1 \(s\) \(\d+ total samples\)\n\t  50\.0th: \d+\n\t  90\.0th: \d+\n\t\* 99\.0th: \d+\n\t  99\.9th: \d+\n\t  min=\d+, max=\d+\nRequest Latencies percentiles/);
    expect(text).toMatch(/\naverage rps: \d+\.\d\d$/);
  });

  it("hackbench: Time: the seconds from first start to last exit, at least the CPU work / CPUs", () => {
    const r = run("hackbench", { params: { groups: "2", loops: "50" } });
    const n = compute(hackbenchLayout, r)!;
    const cpu = Object.values(r.groups).reduce((s, g) => s + g.cpuNs, 0);
    expect(n.time.ns).not.toBeNull();
    expect(n.time.ns!).toBeGreaterThanOrEqual(cpu / 4);
    expect(report(r)).toBe([
      "Running in process mode with 2 groups using 20 file descriptors each (== 40 tasks)",
      "Each sender will pass 50 messages of 100 bytes",
      `Time: ${(n.time.ns! / 1e9).toFixed(3)}`,
    ].join("\n"));
    const short = run("hackbench", { durationNs: 1e6 });
    expect(compute(hackbenchLayout, short)!.time.ns).toBeNull();
    expect(report(short)).toMatch(/\nTime: - \(not finished: \d+ of 80 tasks exited within the 0\.001 s run; raise --duration\)$/);
  });

  it("pipe: usecs/op is two hops (2 µs each with overheads off; one activation of each side with them on)", () => {
    const off = compute(pipeLayout, run("pipe", { params: { loops: "2000" }, overheads: false }))!;
    expect(off.usecsPerOp!).toBeCloseTo(4, 1);
    expect(off.opsPerSec!).toBeCloseTo(250_000, -3);
    const r = run("pipe", { params: { loops: "2000" } });
    const on = compute(pipeLayout, r)!;
    const hops = (r.groups.ping!.requestLatencyNs.mean + r.groups.pong!.requestLatencyNs.mean) / 1000;
    expect(on.usecsPerOp! / hops).toBeGreaterThan(0.9);
    expect(on.usecsPerOp! / hops).toBeLessThan(1.1);
    expect(on.usecsPerOp!).toBeGreaterThan(4);
    expect(report(r)).toMatch(/^# Running 'sched\/pipe' benchmark:\n# Executed 2000 pipe operations between two processes\n\n     Total time: \d\.\d{3} \[sec\]\n\n +\d+\.\d{6} usecs\/op\n +\d+ ops\/sec$/);
  });

  it("cyclictest: a T: line per thread with its cycles, and a histogram that adds up", () => {
    const quiet = compute(cyclictestLayout, run("cyclictest", { params: { threads: "3" }, durationNs: 5e8 }))!;
    for (const t of quiet.threads) expect(t.cycles).toBeGreaterThanOrEqual(499);
    // with 6 hogs on 4 CPUs, wakeups come late (and late timers skip periods)
    const r = run("cyclictest", { params: { threads: "3" }, durationNs: 5e8, extras: { antagonists: 6 } });
    const n = compute(cyclictestLayout, r)!;
    expect(n.threads).toHaveLength(3);
    for (const t of n.threads) {
      expect(t.cycles).toBeGreaterThan(100);
      expect(t.maxNs).toBeGreaterThan(100_000);
      expect(t.minNs).toBeLessThanOrEqual(t.avgNs);
      expect(t.avgNs).toBeLessThanOrEqual(t.maxNs);
    }
    expect(n.histogram.reduce((s, [, c]) => s + c, 0)).toBe(n.total);
    const text = report(r)!;
    expect(text.split("\n").filter((l) => /^T: \d \( +\d+\) P: 0 I:1000 C: +\d+ Min: +\d+ Avg: +\d+ Max: +\d+$/.test(l))).toHaveLength(3);
    expect(text).toMatch(/\n# Total: \d{9}\n# Min Latencies: \d{5}\n# Avg Latencies: \d{5}\n# Max Latencies: \d{5}\n# Histogram Overflows: 00000$/);
  });

  it("compile: the makespan is at least the total CPU time / CPUs", () => {
    const r = run("compile", { durationNs: 3e9 });
    const n = compute(compileLayout, r)!;
    expect(n.makespan.ns).not.toBeNull();
    expect(n.makespan.ns!).toBeGreaterThanOrEqual(n.boundNs);
    expect(n.boundNs).toBeCloseTo((64 * 20_000 + 30_000) * 1000 / 4, -8); // ~lognormal mean 20 ms per job
    expect(report(r)).toMatch(/^make -j8: 64 compile jobs \+ 1 link on 4 CPUs\nmakespan: \d\.\d{3} s \(lower bound CPU time \/ CPUs: \d\.\d{3} s, \d+\.\d % of it\)\n\nreal\t0m\d\.\d{3}s\nuser\t0m\d\.\d{3}s\nsys\t0m0\.000s$/);
  });

  it("gaming: no misses at light load; heavy antagonists under fifo starve frames", () => {
    const light = compute(gamingLayout, run("gaming", { durationNs: 2e9 }))!;
    expect(light.misses).toBe(0);
    expect(light.frames).toBeGreaterThanOrEqual(119);
    expect(light.avgFps).toBeCloseTo(60, 0);
    expect(light.low1Fps).toBeCloseTo(60, 0);
    const fifo = compute(gamingLayout, run("gaming", { scheduler: "fifo", durationNs: 2e9, extras: { antagonists: 8 } }))!;
    expect(fifo.misses).toBeGreaterThan(10);
    expect(fifo.low1Fps).toBeLessThan(30);
    const fair = compute(gamingLayout, run("gaming", { durationNs: 2e9, extras: { antagonists: 8 } }))!;
    expect(fair.late).toBeGreaterThan(0); // shared fairly with 8 hogs, frames run late
    expect(report(run("gaming", { durationNs: 5e8 }))).toMatch(/^frames +\d+ \(target 60 fps, 16\.67 ms frame budget\)\ndeadline misses +0 \(0\.0 %: 0 late, 0 dropped\)\naverage fps +\d+\.\d\n1% low fps +\d+\.\d\nframe time +p50 [\d.]+ ms · p99 [\d.]+ ms · max [\d.]+ ms$/);
  });

  it("server: wrk-style latency distribution and requests/sec close to the offered rate", () => {
    const r = run("server", { durationNs: 2e9 });
    const n = compute(serverLayout, r)!;
    ordered(n.latency);
    expect(n.rps).toBeGreaterThan(6000 * 0.93);
    expect(n.rps).toBeLessThan(6000 * 1.07);
    expect(report(r)).toMatch(/^  Latency Distribution\n +50% +[\d.]+(us|ms|s)\n +90% +[\d.]+(us|ms|s)\n +99% +[\d.]+(us|ms|s)\n +99\.9% +[\d.]+(us|ms|s)\n  \d+ requests in 2\.00s\nRequests\/sec: +\d+\.\d\d$/);
  });

  it("scxlab run prints the layout after the summary; --json is the RunResult with the added fields", () => {
    const r = scxlab("run", "-w", "pipe", "-p", "loops=500");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/lost 0\n[\s\S]*\n\n# Running 'sched\/pipe' benchmark:\n/);
    const j = scxlab("run", "-w", "pipe", "-p", "loops=500", "--json", "-");
    const res = JSON.parse(j.out);
    expect(res.groups.ping).toHaveProperty("lastExitNs");
    expect(j.out).not.toContain("usecs/op");
  });
});
