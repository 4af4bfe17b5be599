import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { expQuantile, mm1MeanT } from "../../results/queueing/mm1.js";
import { erlangB, erlangC, mmcMeanT } from "../../results/queueing/mmc.js";
import { splitMeanT } from "../../results/queueing/random_split.js";
import { constClass, expClass, scv } from "../../results/queueing/size_classes.js";
import { md1MeanWq, pkMeanT, pkMeanWq } from "../../results/queueing/mg1_fcfs.js";
import { psMeanT } from "../../results/queueing/mg1_ps.js";
import { rrGap, rrHogShare, rrUsefulFraction } from "../../results/queueing/round_robin.js";
import { fairPriorityExtra, nonPreemptiveMeanT, preemptiveMeanT } from "../../results/queueing/mg1_priority.js";
import { srptMeanT, srptOverallMeanT } from "../../results/queueing/mg1_srpt.js";
import { waterfill } from "../../results/queueing/waterfill.js";
import { FCFS_1, FCFS_2, PRIORITY, RR, SJF, SJF_NP, SRTF } from "../../results/queueing/textbook.js";

describe("Erlang formulas", () => {
  it("match hand-computed values", () => {
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    // Tabulated: C(4, 3.2) ≈ 0.5964 (e.g. Kleinrock vol. 1 §3.5 / any Erlang C table).
    expect(erlangC(4, 3.2)).toBeCloseTo(0.59643, 4);
    expect(mm1MeanT(900, 1000)).toBeCloseTo(0.01, 12);
    expect(expQuantile(0.99, 100)).toBeCloseTo(Math.log(100) / 100, 12);
  });

  it("M/M/c with c = 1 is M/M/1; one shared queue beats c random ones", () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: 0.98, noNaN: true }), fc.integer({ min: 1, max: 16 }), (rho, c) => {
      const mu = 1000, lambda = rho * c * mu;
      expect(erlangC(1, rho)).toBeCloseTo(rho, 10);
      expect(mmcMeanT(1, rho * mu, mu)).toBeCloseTo(mm1MeanT(rho * mu, mu), 10);
      const shared = mmcMeanT(c, lambda, mu), random = splitMeanT(c, lambda, mu);
      expect(shared).toBeLessThanOrEqual(random * (1 + 1e-12));
      const C = erlangC(c, lambda / mu);
      expect(C).toBeGreaterThanOrEqual(0);
      expect(C).toBeLessThanOrEqual(1);
    }));
  });
});

describe("Pollaczek–Khinchine", () => {
  it("reduces to M/M/1 for exponential sizes and to M/D/1 for constant ones", () => {
    const mu = 1, lambda = 0.7;
    expect(pkMeanT([expClass(lambda, 1 / mu)], 1 / mu)).toBeCloseTo(1 / (mu - lambda), 12);
    expect(md1MeanWq(0.8, 1)).toBeCloseTo(0.8 / (2 * 0.2), 12);
    expect(scv([constClass(1, 2)])).toBeCloseTo(0, 12);
    expect(scv([expClass(1, 2)])).toBeCloseTo(1, 12);
  });

  it("waiting grows with the size variance at equal load", () => {
    const lambda = 0.5;
    const d = pkMeanWq([constClass(lambda, 1)]);
    const m = pkMeanWq([expClass(lambda, 1)]);
    const bi = pkMeanWq([constClass(lambda * 0.9, 0.5), constClass(lambda * 0.1, 5.5)]);
    expect(d).toBeLessThan(m);
    expect(m).toBeLessThan(bi);
  });
});

describe("priority", () => {
  const classes = [expClass(0.3, 1), expClass(0.25, 2)];

  it("the top class of a preemptive system sees only itself", () => {
    expect(preemptiveMeanT(classes, 0)).toBeCloseTo(pkMeanT([classes[0]], 1), 12);
  });

  it("obeys the work conservation law Σ ρ_k E[W_k] = ρ·W_FCFS (non-preemptive)", () => {
    const rho = classes.map((c) => c.lambda * c.mean);
    const wk = classes.map((c, k) => nonPreemptiveMeanT(classes, k) - c.mean);
    const lhs = rho.reduce((a, r, k) => a + r * wk[k], 0);
    expect(lhs).toBeCloseTo((rho[0] + rho[1]) * pkMeanWq(classes), 12);
  });

  it("the fair-priority allowance is positive and small against the means", () => {
    const hi = expClass(15 / 1e9, 20e6), lo = expClass(12.5 / 1e9, 40e6);
    const e = fairPriorityExtra(hi, lo, 750_000);
    expect(e.hi).toBeGreaterThan(0);
    expect(e.hi).toBeLessThan(750_000 * 2);
    expect(e.lo).toBeGreaterThan(0);
  });
});

describe("SRPT (Schrage–Miller with atoms)", () => {
  it("with one size it is FCFS (M/D/1)", () => {
    expect(srptMeanT([{ lambda: 0.8, size: 1 }], 1)).toBeCloseTo(1 + md1MeanWq(0.8, 1), 12);
  });

  it("beats FCFS on the mean and favours small jobs", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ share: fc.double({ min: 0.05, max: 1, noNaN: true }), size: fc.double({ min: 0.1, max: 20, noNaN: true }) }), { minLength: 2, maxLength: 4 }),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      (parts, rho) => {
        const mean = parts.reduce((a, p) => a + p.share * p.size, 0) / parts.reduce((a, p) => a + p.share, 0);
        const lambda = rho / mean, tot = parts.reduce((a, p) => a + p.share, 0);
        const atoms = parts.map((p) => ({ lambda: (lambda * p.share) / tot, size: p.size }));
        const fcfs = pkMeanT(atoms.map((a) => constClass(a.lambda, a.size)), mean);
        expect(srptOverallMeanT(atoms)).toBeLessThanOrEqual(fcfs * (1 + 1e-9));
        const sorted = [...atoms].sort((a, b) => a.size - b.size);
        for (let i = 1; i < sorted.length; i++) {
          expect(srptMeanT(atoms, sorted[i].size)).toBeGreaterThanOrEqual(srptMeanT(atoms, sorted[i - 1].size) * (1 - 1e-9));
        }
      },
    ));
  });

  it("splitting an atom into two equal halves at the same size changes nothing", () => {
    const a = [{ lambda: 0.2, size: 1 }, { lambda: 0.1, size: 3 }];
    const b = [{ lambda: 0.1, size: 1 }, { lambda: 0.1, size: 1 }, { lambda: 0.1, size: 3 }];
    expect(srptMeanT(b, 3)).toBeCloseTo(srptMeanT(a, 3), 12);
    expect(srptMeanT(b, 1)).toBeCloseTo(srptMeanT(a, 1), 12);
  });
});

describe("processor sharing and round robin", () => {
  it("PS slowdown is 1/(1−ρ) for every size", () => {
    expect(psMeanT(1, 0.6) / 1).toBeCloseTo(2.5, 12);
    expect(psMeanT(10, 0.6) / 10).toBeCloseTo(2.5, 12);
  });

  it("RR shares sum to the useful fraction", () => {
    expect(3 * rrHogShare(3, 1, 0.05)).toBeCloseTo(rrUsefulFraction(1, 0.05), 12);
    expect(rrGap(3, 1, 0.05)).toBeCloseTo(2.1, 12);
  });
});

describe("water-filling", () => {
  const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 6));

  it("one CPU: shares ∝ weight", () => {
    close(waterfill([{ weight: 1024, cpus: null }, { weight: 526, cpus: null }, { weight: 272, cpus: null }], 1), [1024 / 1822, 526 / 1822, 272 / 1822]);
  });

  it("no task above one CPU; the rest shared by weight", () => {
    close(waterfill([{ weight: 3121, cpus: null }, { weight: 1024, cpus: null }, { weight: 1024, cpus: null }], 2), [1, 0.5, 0.5]);
    close(waterfill([{ weight: 1, cpus: null }, { weight: 1, cpus: null }, { weight: 1, cpus: null }], 2), [2 / 3, 2 / 3, 2 / 3]);
  });

  it("affinity confines tasks; the free one fills what is left", () => {
    close(waterfill([{ weight: 1024, cpus: [0] }, { weight: 1024, cpus: [0] }, { weight: 335, cpus: [1] }, { weight: 1024, cpus: null }], 2), [0.5, 0.5, 335 / 1359, 1024 / 1359]);
    close(waterfill([{ weight: 1, cpus: [0] }, { weight: 5, cpus: [0, 1] }, { weight: 1, cpus: [1, 2] }, { weight: 1, cpus: [2] }], 3), [2 / 3, 1, 2 / 3, 2 / 3]);
  });

  it("a cap of 1/2 (no two slices in a row) on one CPU", () => {
    close(waterfill([{ weight: 100, cpus: null }, { weight: 51, cpus: null }, { weight: 27, cpus: null }], 1, 0.5), [0.5, 0.5 * 51 / 78, 0.5 * 27 / 78]);
  });

  it("is work conserving and never exceeds a CPU (random instances without affinity)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (ws, m) => {
      const s = waterfill(ws.map((weight) => ({ weight, cpus: null })), m);
      const total = s.reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(Math.min(m, ws.length), 5);
      for (const x of s) expect(x).toBeLessThanOrEqual(1 + 1e-9);
    }));
  });
});

describe("textbook examples", () => {
  it("turnaround = waiting + mean burst in every example", () => {
    for (const ex of [FCFS_1, FCFS_2, SJF, SRTF, SJF_NP, RR, PRIORITY]) {
      const burst = ex.processes.reduce((a, p) => a + p.burstMs, 0) / ex.processes.length;
      expect(ex.avgTurnaroundMs).toBeCloseTo(ex.avgWaitMs + burst, 12);
    }
  });
});
