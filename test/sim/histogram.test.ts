import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Histogram, HISTOGRAM_RESOLUTION } from "../../sim/histogram.js";

describe("Histogram", () => {
  it("reports small integer values exactly", () => {
    const h = new Histogram();
    for (const v of [0, 0, 0, 5, 7]) h.record(v);
    expect(h.stats()).toMatchObject({ count: 5, min: 0, max: 7, p50: 0, p90: 7 });
  });

  it("a percentile is within the stated resolution of the exact order statistic", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 300 }),
      fc.constantFrom(0.5, 0.9, 0.99),
      (xs, q) => {
        const h = new Histogram();
        for (const x of xs) h.record(x);
        const sorted = [...xs].sort((a, b) => a - b);
        const exact = sorted[Math.max(0, Math.ceil(q * xs.length) - 1)];
        expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(exact * HISTOGRAM_RESOLUTION + 1);
      },
    ));
  });

  it("merge gives the histogram of the union", () => {
    const a = new Histogram(), b = new Histogram(), u = new Histogram();
    for (let i = 0; i < 1000; i++) { const v = i * 997 % 100_000; (i % 2 ? a : b).record(v); u.record(v); }
    a.merge(b);
    expect(a.stats()).toEqual(u.stats());
  });
});
