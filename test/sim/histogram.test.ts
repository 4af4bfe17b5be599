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

  it("a histogram past its sparse stage (more than 32 distinct buckets) reports what a fresh one fed the same values does", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 200 }), fc.nat(199), (xs, cut) => {
      const whole = new Histogram(), first = new Histogram(), second = new Histogram();
      for (const x of xs) whole.record(x);
      xs.forEach((x, i) => (i < cut ? first : second).record(x));
      first.merge(second);
      expect(first.stats()).toEqual(whole.stats());
    }));
  });

  it("difference of a later and an earlier state holds the samples in between", () => {
    const before = new Histogram(), later = new Histogram(), between = new Histogram();
    for (let i = 0; i < 20; i++) { before.record(i * 1000); later.record(i * 1000); }
    const snap = new Histogram();
    snap.merge(before);
    for (let i = 0; i < 500; i++) { const v = i * 7919 % 1_000_000; later.record(v); between.record(v); }
    const d = Histogram.difference(later, snap);
    expect([d.count, d.sum]).toEqual([between.count, between.sum]);
    const buckets = (h: Histogram) => { const out: [number, number][] = []; h.eachBucket((b, n) => out.push([b, n])); return out; };
    expect(buckets(d)).toEqual(buckets(between));
  });

  it("merge gives the histogram of the union", () => {
    const a = new Histogram(), b = new Histogram(), u = new Histogram();
    for (let i = 0; i < 1000; i++) { const v = i * 997 % 100_000; (i % 2 ? a : b).record(v); u.record(v); }
    a.merge(b);
    expect(a.stats()).toEqual(u.stats());
  });
});
