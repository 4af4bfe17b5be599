import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  confidenceInterval,
  mean,
  sampleSd,
  significantlyBetter,
  studentTCdf,
  studentTQuantile,
} from "../../results/index.js";

describe("mean and sample sd", () => {
  it("mean of 1..5 is 3; of nothing is NaN", () => {
    expect(mean([1, 2, 3, 4, 5])).toBe(3);
    expect(mean([])).toBeNaN();
  });
  it("sample sd of 1..5 is √2.5 (divides by n − 1)", () => {
    expect(sampleSd([1, 2, 3, 4, 5])).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(sampleSd([7])).toBeNaN();
  });
  it("sample sd stays exact far from zero (two-pass)", () => {
    expect(sampleSd([1e9 + 1, 1e9 + 2, 1e9 + 3])).toBeCloseTo(1, 9);
  });
});

describe("Student t", () => {
  // Two-sided 95 % critical values from the printed tables (3 decimals).
  const table: [number, number][] = [
    [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306],
    [9, 2.262], [10, 2.228], [15, 2.131], [20, 2.086], [25, 2.06], [29, 2.045], [30, 2.042], [60, 2.0], [120, 1.98],
  ];
  it.each(table)("t(0.975, %i) = %f", (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });
  it("other levels: t(0.995, 10) = 3.169, t(0.95, 5) = 2.015, t(0.9, 3) = 1.638", () => {
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.169, 3);
    expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.015, 3);
    expect(studentTQuantile(0.9, 3)).toBeCloseTo(1.638, 3);
  });
  it("tends to the normal 1.95996 for large df", () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.95996, 4);
  });
  it("is symmetric and 0 at the median", () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
    expect(studentTCdf(0, 3)).toBeCloseTo(0.5, 15);
  });
  it("quantile inverts the CDF (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 1, max: 200 }), (p, df) => {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
      }),
    );
  });
  it("rejects impossible arguments with NaN", () => {
    expect(studentTQuantile(1, 3)).toBeNaN();
    expect(studentTQuantile(0.5, 0)).toBeNaN();
  });
});

describe("confidence interval", () => {
  it("1..5: mean 3 ± 2.776 · √2.5 / √5 = 1.9632", () => {
    const e = confidenceInterval([1, 2, 3, 4, 5]);
    expect(e.n).toBe(5);
    expect(e.mean).toBe(3);
    expect(e.half).toBeCloseTo(1.96324, 4);
    expect(e.lo).toBeCloseTo(3 - 1.96324, 4);
    expect(e.hi).toBeCloseTo(3 + 1.96324, 4);
  });
  it("two values 10, 12: mean 11 ± 12.706 · √2 / √2 = 12.706", () => {
    expect(confidenceInterval([10, 12]).half).toBeCloseTo(12.706, 3);
  });
  it("one value gives a mean but no interval; none gives nulls", () => {
    expect(confidenceInterval([4])).toEqual({ n: 1, mean: 4, sd: null, half: null, lo: null, hi: null });
    expect(confidenceInterval([]).mean).toBeNull();
  });
  it("non-finite values are left out of n", () => {
    const e = confidenceInterval([1, NaN, 3, Infinity]);
    expect(e.n).toBe(2);
    expect(e.mean).toBe(2);
  });
  it("identical values give a zero-width interval", () => {
    expect(confidenceInterval([5, 5, 5]).half).toBe(0);
  });
});

describe("significantlyBetter", () => {
  const low = confidenceInterval([1, 1.1, 0.9]);
  const high = confidenceInterval([5, 5.1, 4.9]);
  const wide = confidenceInterval([0, 6, 3]);
  it("lower is better: separated intervals are significant one way only", () => {
    expect(significantlyBetter(low, high, true)).toBe(true);
    expect(significantlyBetter(high, low, true)).toBe(false);
  });
  it("higher is better flips the direction", () => {
    expect(significantlyBetter(high, low, false)).toBe(true);
    expect(significantlyBetter(low, high, false)).toBe(false);
  });
  it("overlapping intervals are never significant", () => {
    expect(significantlyBetter(low, wide, true)).toBe(false);
    expect(significantlyBetter(wide, high, true)).toBe(false);
  });
  it("without an interval (one seed) nothing is significant", () => {
    expect(significantlyBetter(confidenceInterval([1]), confidenceInterval([100]), true)).toBe(false);
  });
});
