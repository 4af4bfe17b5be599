/**
 * First queueing-theory checks on the ideal machine (no overheads, one CPU).
 *
 * M/M/1 under scx `simple` in FIFO mode (pure FIFO: a 1000 s slice never expires): Poisson
 * arrivals at rate λ, exponential work with mean 1/μ = 1 ms; the mean response (sojourn) time is
 * 1/(μ − λ): 2 ms at ρ = 0.5, 10 ms at ρ = 0.9.
 *
 * Tolerance. The sample mean over n customers of an M/M/1 queue is autocorrelated; its relative
 * standard error is about sqrt(2(1+ρ) / ((1−ρ)² n)) (Whitt 1989, "Planning queueing
 * simulations": the asymptotic variance of the time-average number in system, carried over to
 * the mean sojourn time by Little's law). With n ≈ 200 000 at ρ = 0.5 that is 0.8 %; with
 * n ≈ 2.7 million at ρ = 0.9 it is 1.2 %. A 4 % / 5 % tolerance is then 5σ / 4σ: a correct
 * model fails with negligible probability, while a real modelling error (a lost wakeup, a
 * double-charged job, a non-work-conserving pick: all shift the mean by tens of %) cannot pass.
 * The seed is fixed, so the test is deterministic anyway.
 *
 * Fair: two always-runnable tasks of nice 0 and nice 5 share one CPU in the ratio of their CFS
 * weights, 1024 : 335; over 10 s of 1.5 ms slices the ratio is within 2 %.
 */
import { describe, expect, it } from "vitest";
import { hog, plan, poisson } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { SimpleScheduler } from "../../schedulers/simple.js";
import { load, syncCpu } from "./util.js";

function mm1(lambda: number, customers: number): { meanNs: number; n: number; lost: number } {
  const durationNs = Math.round((customers / lambda) * 1e9);
  const m = machine(plan([poisson("c", lambda, 1000)]), { cpus: 1, durationNs, seed: 7 });
  const l = load(m, (scx) => new SimpleScheduler(scx, { fifo: true, slice_us: 1e9 }));
  expect(l.link).toBeGreaterThanOrEqual(3);
  m.runToEnd();
  const r = m.result();
  expect(r.scx.exit).toBeNull();
  return { meanNs: r.groups.c.requestLatencyNs.mean, n: r.groups.c.requestLatencyNs.count, lost: r.invariants.lost };
}

describe("queueing on the ideal machine", () => {
  it("M/M/1, simple fifo, rho = 0.5: mean response within 4 % of 1/(mu - lambda) = 2 ms", () => {
    const { meanNs, n, lost } = mm1(500, 200_000);
    expect(n).toBeGreaterThan(199_000);
    expect(lost).toBe(0);
    expect(Math.abs(meanNs / 2e6 - 1)).toBeLessThan(0.04);
  });

  it("M/M/1, simple fifo, rho = 0.9: mean response within 5 % of 1/(mu - lambda) = 10 ms", () => {
    const { meanNs, n, lost } = mm1(900, 2_700_000);
    expect(n).toBeGreaterThan(2_690_000);
    expect(lost).toBe(0);
    expect(Math.abs(meanNs / 10e6 - 1)).toBeLessThan(0.05);
  });

  it("fair: nice 0 and nice 5 hogs share one CPU 1024:335 within 2 %", () => {
    const m = machine(plan([hog("a", 0), hog("b", 5)]), { cpus: 1, durationNs: 10e9 });
    m.runToEnd();
    syncCpu(m);
    const [a, b] = m.kernel.tasks.map((t) => t.cpuNs);
    expect(a + b).toBe(10e9);
    expect(Math.abs(a / b / (1024 / 335) - 1)).toBeLessThan(0.02);
  });
});
