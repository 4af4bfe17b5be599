import { describe, expect, it } from "vitest";
import { plan, task } from "../../helpers/plan.js";
import type { TaskSpec } from "../../../sim/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { MS, pidOf, run, slicesOf } from "./run.js";

/**
 * A periodic task: released at every multiple of T (the timer comes first, so all tasks release
 * together at T, 2T, ...: the synchronous, worst case), runs C, deadline D (default D = T).
 */
const periodic = (name: string, cMs: number, tMs: number, dMs = tMs): TaskSpec =>
  task(name, [{ kind: "timer", ref: "p", periodUs: tMs * 1000, mode: "absolute", shared: false }, { kind: "run", us: cMs * 1000 }], {
    deadline: { runtimeUs: cMs * 1000, periodUs: tMs * 1000, deadlineUs: dMs * 1000 },
  });

interface Judged { jobs: number; missed: number }

/**
 * Deadline misses from the timeline: job k (released at k·T) is done when the task's CPU time
 * reaches k·C; it misses if that happens after k·T + D. Only jobs whose deadline has passed by
 * the end of the task's last recorded slice are judged.
 */
function judge(r: RunResult, name: string, cMs: number, tMs: number, dMs = tMs): Judged {
  const s = slicesOf(r, pidOf(r, name));
  const C = cMs * MS, T = tMs * MS, D = dMs * MS;
  const lastEnd = s.length > 0 ? s[s.length - 1].end : 0;
  let jobs = 0, missed = 0, done = 0, i = 0;
  for (let k = 1; k * T + D <= lastEnd; k++) {
    // Completion of job k: the instant cumulative CPU time reaches k·C.
    while (i < s.length && done + (s[i].end - s[i].start) < k * C) { done += s[i].end - s[i].start; i++; }
    const finish = s[i].start + (k * C - done);
    jobs++;
    if (finish > k * T + D) missed++;
  }
  return { jobs, missed };
}

describe("edf", () => {
  it("meets every deadline of (C,T) = (1,4), (2,6), (3,8) ms on one CPU, U = 0.958 ≤ 1 (rate-monotonic would miss: R₃ = 10 > 8)", () => {
    const r = run("edf", plan([periodic("a", 1, 4), periodic("b", 2, 6), periodic("c", 3, 8)]), { durationNs: 2400 * MS, timeline: true });
    const [a, b, c] = [judge(r, "a", 1, 4), judge(r, "b", 2, 6), judge(r, "c", 3, 8)];
    expect([a.missed, b.missed, c.missed]).toEqual([0, 0, 0]);
    // Every job whose deadline fell before the end was judged: releases T, 2T, ... up to 2400 − T.
    expect([a.jobs, b.jobs, c.jobs]).toEqual([598, 398, 298]);
    // The request-latency view agrees: no response time above the deadline.
    expect(r.groups.a.requestLatencyNs.max).toBeLessThanOrEqual(4 * MS);
    expect(r.groups.c.requestLatencyNs.max).toBeLessThanOrEqual(8 * MS);
  });

  it("meets every deadline at exactly U = 1: (1,2) and (5,10) ms; fifo, which does not preempt, misses the 2 ms task's", () => {
    const p = plan([periodic("a", 1, 2), periodic("b", 5, 10)]);
    const edf = run("edf", p, { durationNs: 1000 * MS, timeline: true });
    expect([judge(edf, "a", 1, 2).missed, judge(edf, "b", 5, 10).missed]).toEqual([0, 0]);
    expect(judge(edf, "a", 1, 2).jobs).toBeGreaterThan(490);
    expect(edf.cpus[0].busyNs).toBeGreaterThan(0.99 * 1000 * MS);
    const fifo = run("fifo", p, { durationNs: 1000 * MS, timeline: true });
    expect(judge(fifo, "a", 1, 2).missed).toBeGreaterThan(0);
  });

  it("meets constrained deadlines D < T when the demand bound allows: (1,4,D=2), (2,8,D=5) ms", () => {
    // Demand in any window of length L ≤ L: dbf(2) = 1, dbf(5) = 3, dbf(6) = 4, ... (U = 0.5).
    const r = run("edf", plan([periodic("a", 1, 4, 2), periodic("b", 2, 8, 5)]), { durationNs: 800 * MS, timeline: true });
    expect([judge(r, "a", 1, 4, 2).missed, judge(r, "b", 2, 8, 5).missed]).toEqual([0, 0]);
    expect(judge(r, "b", 2, 8, 5).jobs).toBeGreaterThan(95);
  });

  it("misses deadlines of every task at U > 1: (1,4), (2,6), (4,8) ms, U = 1.083 (demand 26 ms in the first 24 ms)", () => {
    const r = run("edf", plan([periodic("a", 1, 4), periodic("b", 2, 6), periodic("c", 4, 8)]), { durationNs: 240 * MS, timeline: true });
    const missed = [judge(r, "a", 1, 4).missed, judge(r, "b", 2, 6).missed, judge(r, "c", 4, 8).missed];
    // Overloaded EDF misses across the board (the domino effect), not just the heaviest task.
    expect(missed.every((n) => n > 0)).toBe(true);
  });

  it("orders by the earliest absolute deadline: jobs released together with D = 9, 3, 6 ms run in the order 3, 6, 9", () => {
    const one = (name: string, dMs: number) => task(name, [{ kind: "run", us: 1000 }], { loop: 1, deadline: { runtimeUs: 1000, periodUs: 100_000, deadlineUs: dMs * 1000 } });
    const r = run("edf", plan([one("late", 9), one("early", 3), one("mid", 6)]), { durationNs: 20 * MS });
    const exitNsOf = (n: string) => r.tasks.find((t) => t.name === n)!.exitNs;
    // "late" wakes first and starts at 0, then "early" preempts it at once (0 ns run).
    expect([exitNsOf("early"), exitNsOf("mid"), exitNsOf("late")]).toEqual([1 * MS, 2 * MS, 3 * MS]);
  });

  it("falls back to the period, then to default_deadline_us, when no deadline is declared", () => {
    const noDl = (name: string, periodUs: number) => task(name, [{ kind: "run", us: 1000 }], { loop: 1, deadline: { runtimeUs: 1000, periodUs, deadlineUs: 0 } });
    const bare = task("bare", [{ kind: "run", us: 1000 }], { loop: 1 });
    const r = run("edf", plan([bare, noDl("p8", 8000), noDl("p4", 4000)]), { durationNs: 20 * MS, options: { default_deadline_us: 6000 } });
    const exitNsOf = (n: string) => r.tasks.find((t) => t.name === n)!.exitNs;
    expect([exitNsOf("p4"), exitNsOf("bare"), exitNsOf("p8")]).toEqual([1 * MS, 2 * MS, 3 * MS]);
  });

  for (const [x, y] of [[0, 1], [1, 0]]) {
    it(`under affinity, a job pinned to CPU ${x} with an early deadline at the head does not make CPU ${y} run a later deadline before its own earlier one`, () => {
      // CPU x: urgent (D = 5 ms, 40 ms of work) runs, early (D = 10 ms, pinned there too) waits
      // and is the earliest queued deadline. CPU y: mine (D = 50 ms, 40 ms) runs, later (D = 100 ms)
      // waits. At the 20 ms slice end, CPU y must keep mine: the earliest deadline it may run.
      // Compared with early's (a shared DSQ's head), mine lost the CPU to later (done at 30 ms).
      const one = (name: string, cpu: number, runMs: number, dMs: number) =>
        task(name, [{ kind: "run", us: runMs * 1000 }], { loop: 1, cpus: [cpu], deadline: { runtimeUs: runMs * 1000, periodUs: 1_000_000, deadlineUs: dMs * 1000 } });
      const r = run("edf", plan([one("urgent", x, 40, 5), one("early", x, 10, 10), one("mine", y, 40, 50), one("later", y, 10, 100)]), { cpus: 2, durationNs: 200 * MS });
      const exitNsOf = (n: string) => r.tasks.find((t) => t.name === n)!.exitNs;
      expect([exitNsOf("urgent"), exitNsOf("early")]).toEqual([40 * MS, 50 * MS]);
      expect([exitNsOf("mine"), exitNsOf("later")]).toEqual([40 * MS, 50 * MS]);
    });
  }

  it("under affinity, a CPU runs the earliest deadline among the free jobs and those pinned to it, whatever is pinned elsewhere", () => {
    // CPU 0: a (D = 1 ms, 100 ms of work) runs; b (D = 3 ms), pinned there too, is the earliest
    // queued deadline of all. CPU 1 serves c, g (pinned to it) and f, h (free): it must run them
    // in deadline order c 10, f 20, g 25, h 30 ms, taking from its pinned and the free queue in turn.
    const job = (name: string, cpus: number[] | null, runMs: number, dMs: number) =>
      task(name, [{ kind: "run", us: runMs * 1000 }], { loop: 1, cpus, deadline: { runtimeUs: runMs * 1000, periodUs: 1_000_000, deadlineUs: dMs * 1000 } });
    const p = plan([job("a", [0], 100, 1), job("c", [1], 10, 10), job("b", [0], 10, 3), job("f", null, 10, 20), job("g", [1], 10, 25), job("h", null, 10, 30)]);
    const r = run("edf", p, { cpus: 2, durationNs: 200 * MS, options: { slice_us: 5000 } });
    const exitNsOf = (n: string) => r.tasks.find((t) => t.name === n)!.exitNs;
    expect(["c", "f", "g", "h"].map(exitNsOf)).toEqual([10 * MS, 20 * MS, 30 * MS, 40 * MS]);
    expect(["a", "b"].map(exitNsOf)).toEqual([100 * MS, 110 * MS]);
  });

  it("a never-sleeping hog does not keep the earliest deadline forever (the constant-bandwidth server of Abeni & Buttazzo 1998, budget = slice, period = default deadline; a textbook oracle, no upstream code): a task running 1 ms every 10 ms beside it on one CPU waits at most one 20 ms slice", () => {
    const hogTask = task("hog", [{ kind: "run", us: 1_000_000 }]);
    const ticker = task("tick", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }]);
    const r = run("edf", plan([hogTask, ticker]), { durationNs: 1000 * MS });
    expect(r.groups.tick.requestLatencyNs.count).toBeGreaterThan(40);
    expect(r.groups.tick.wakeupLatencyNs.max).toBeLessThanOrEqual(20 * MS);
    expect(r.scx.events.postpone).toBeGreaterThan(10);
    // The hog still gets the rest of the CPU.
    expect(r.groups.hog.cpuNs + r.groups.tick.cpuNs).toBe(1000 * MS);
  });
});
