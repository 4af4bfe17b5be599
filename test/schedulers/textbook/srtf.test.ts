import { describe, expect, it } from "vitest";
import { plan, task } from "../../helpers/plan.js";
import type { TaskSpec } from "../../../sim/plan.js";
import { exitOf, meanResponse, MS, run } from "./run.js";

/** One job of `ms` ms arriving at `atMs`, its size declared. */
const job = (name: string, ms: number, atMs = 0): TaskSpec =>
  task(name, [{ kind: "run", us: ms * 1000 }], { loop: 1, delayUs: atMs * 1000, expectedRunUs: ms * 1000 });

/** Open-loop class: Poisson arrivals of constant-size jobs whose size is declared. */
const cls = (name: string, rate: number, ms: number): TaskSpec =>
  task(name, [{ kind: "run", us: ms * 1000 }], { arrivals: { process: "poisson", rate }, loop: 1, expectedRunUs: ms * 1000 });

describe("srtf", () => {
  it("matches SJF on the textbook example (P1 6, P2 8, P3 7, P4 3 ms at t=0): order P4 P1 P3 P2, finishing at 3, 9, 16, 24 ms, mean wait 7 ms", () => {
    const r = run("srtf", plan([job("P1", 6), job("P2", 8), job("P3", 7), job("P4", 3)]), { durationNs: 30 * MS });
    const fin = ["P1", "P2", "P3", "P4"].map((n) => exitOf(r, n)!);
    expect(fin).toEqual([9 * MS, 24 * MS, 16 * MS, 3 * MS]);
    const wait = (fin[0] - 6 * MS + fin[1] - 8 * MS + fin[2] - 7 * MS + fin[3] - 3 * MS) / 4;
    expect(wait).toBe(7 * MS);
  });

  it("preempts on arrival (P1 8@0, P2 4@1, P3 9@2, P4 5@3 ms): P1 0-1, P2 1-5, P4 5-10, P1 10-17, P3 17-26, mean wait 6.5 ms", () => {
    const r = run("srtf", plan([job("P1", 8, 0), job("P2", 4, 1), job("P3", 9, 2), job("P4", 5, 3)]), { durationNs: 40 * MS });
    const fin = ["P1", "P2", "P3", "P4"].map((n) => exitOf(r, n)!);
    expect(fin).toEqual([17 * MS, 5 * MS, 26 * MS, 10 * MS]);
    // wait = finish − arrival − burst: 9 + 0 + 15 + 2 = 26 ms over 4 jobs.
    const wait = (fin[0] - 0 - 8 * MS + fin[1] - 1 * MS - 4 * MS + fin[2] - 2 * MS - 9 * MS + fin[3] - 3 * MS - 5 * MS) / 4;
    expect(wait).toBe(6.5 * MS);
  });

  it("without preemption (preempt=false) the same arrivals run as non-preemptive SJF: P1 0-8, P2 8-12, P4 12-17, P3 17-26", () => {
    const r = run("srtf", plan([job("P1", 8, 0), job("P2", 4, 1), job("P3", 9, 2), job("P4", 5, 3)]), { durationNs: 40 * MS, options: { preempt: false } });
    expect(["P1", "P2", "P3", "P4"].map((n) => exitOf(r, n))).toEqual([8 * MS, 12 * MS, 26 * MS, 17 * MS]);
  });

  it("on a bimodal open-loop load (1 ms jobs at 400/s, 50 ms jobs at 8/s, ρ = 0.8) mean response is far below fifo's (same seed)", () => {
    // M/G/1: FIFO E[T] = E[S] + λE[S²]/(2(1−ρ)) = 1.96 + 51 ≈ 53 ms (Pollaczek–Khinchine);
    // preemptive priority to the short class gives shorts ≈ 1 + 0.33 ms, longs ≈ 168 ms, mean ≈ 4.6 ms.
    const p = plan([cls("short", 400, 1), cls("long", 8, 50)]);
    const o = { durationNs: 60e9, seed: 7 };
    const srtf = run("srtf", p, o), fifo = run("fifo", p, o), rr = run("rr", p, { ...o, options: { slice_us: 1000 } });
    const ms = (r: typeof srtf) => meanResponse(r) / MS;
    expect(ms(srtf)).toBeLessThan(ms(fifo) / 4);
    expect(ms(srtf)).toBeLessThan(ms(rr));
    // Same arrivals in every run: the seed fixes the arrival stream, not the policy.
    expect([srtf.groups.short.tasks, srtf.groups.long.tasks]).toEqual([fifo.groups.short.tasks, fifo.groups.long.tasks]);
    // Short jobs: the M/G/1 preemptive-priority formula, 1 + 400·(1e-3)²/(2·0.6) s = 1.333 ms.
    expect(srtf.groups.short.requestLatencyNs.mean / MS).toBeGreaterThan(1.2);
    expect(srtf.groups.short.requestLatencyNs.mean / MS).toBeLessThan(1.5);
  });

  it("predicts undeclared sizes by exponential averaging: a job class that always runs 2 ms beats one that always runs 20 ms", () => {
    const loopTask = (name: string, ms: number) => task(name, [{ kind: "run", us: ms * 1000 }, { kind: "sleep", us: 30_000 }]);
    const r = run("srtf", plan([loopTask("small", 2), loopTask("big", 20), loopTask("big2", 20)]), { durationNs: 5e9, options: { oracle: false } });
    expect(r.groups.small.requestLatencyNs.mean).toBeLessThan(r.groups.big.requestLatencyNs.mean);
    // A small job waits only for a big one whose predicted remainder is below its own ~2 ms, plus
    // the few µs by which the big one outruns that prediction.
    expect(r.groups.small.wakeupLatencyNs.p99).toBeLessThanOrEqual(2.05 * MS);
  });

  it("with oracle=false a job that overruns its declared size stays preemptible (its size doubles when reached): 1 ms jobs arriving at 5, 10, 15 ms beside a job declared 1 ms that runs 50 ms each finish 1 ms after arriving", () => {
    const liar = task("liar", [{ kind: "run", us: 50_000 }], { loop: 1, expectedRunUs: 1000 });
    const r = run("srtf", plan([liar, job("s5", 1, 5), job("s10", 1, 10), job("s15", 1, 15)]), { durationNs: 100 * MS, options: { oracle: false } });
    expect(["s5", "s10", "s15"].map((n) => exitOf(r, n))).toEqual([6 * MS, 11 * MS, 16 * MS]);
    expect(exitOf(r, "liar")).toBe(53 * MS);
  });

  it("uses each job's real remaining size (p.workLeftNs), so it is SRPT (Schrage 1968; the textbook oracle has no upstream code) where a declared size is wrong: a job declared 1 ms that runs 10 ms is preempted at 1.5 ms by a 3 ms job (finishes 4.5 ms, liar 13 ms); with oracle=false the doubled estimate (2 ms, 0.5 left) keeps it running", () => {
    const liar = task("liar", [{ kind: "run", us: 10_000 }], { loop: 1, expectedRunUs: 1000 });
    const p = plan([liar, task("s", [{ kind: "run", us: 3000 }], { loop: 1, delayUs: 1500, expectedRunUs: 3000 })]);
    const real = run("srtf", p, { durationNs: 30 * MS });
    expect([exitOf(real, "s"), exitOf(real, "liar")]).toEqual([4.5 * MS, 13 * MS]);
    const est = run("srtf", p, { durationNs: 30 * MS, options: { oracle: false } });
    expect([exitOf(est, "s"), exitOf(est, "liar")]).toEqual([13 * MS, 10 * MS]);
  });

  it("SRPT (Schrage 1968) on heavy-tailed sizes declared at the class mean (the built-in server's and mixed's shape) the real sizes give a lower mean response than the estimates (same arrivals)", () => {
    const size = { dist: "mix" as const, of: [{ weight: 0.95, value: { dist: "exp" as const, mean: 250 } }, { weight: 0.05, value: { dist: "pareto" as const, scale: 3150, shape: 2.5 } }] };
    const p = plan([task("request", [{ kind: "run", us: size }], { arrivals: { process: "poisson", rate: 1500 }, loop: 1, expectedRunUs: 500 })]);
    const o = { durationNs: 20e9, seed: 3 };
    const real = run("srtf", p, o), est = run("srtf", p, { ...o, options: { oracle: false } });
    expect(real.groups.request.tasks).toBe(est.groups.request.tasks);
    expect(meanResponse(real)).toBeLessThan(meanResponse(est));
  });
});
