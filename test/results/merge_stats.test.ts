import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Stats } from "../../sim/result.js";
import { mergeStats } from "../../results/index.js";

const s = (count: number, min: number, p50: number, p90: number, p99: number, p999: number, max: number, mean = p50): Stats => ({
  count, mean, min, p50, p90, p99, p999, max,
});

describe("mergeStats", () => {
  it("one non-empty group comes back unchanged; empty groups are ignored", () => {
    const a = s(10, 1, 5, 9, 20, 30, 40);
    expect(mergeStats([a, s(0, 0, 0, 0, 0, 0, 0)])).toEqual(a);
  });
  it("nothing recorded gives count 0 and NaN percentiles", () => {
    const m = mergeStats([]);
    expect(m.count).toBe(0);
    expect(m.p50).toBeNaN();
  });
  it("two identical groups merge to the same percentiles", () => {
    const a = s(10, 1, 5, 9, 20, 30, 40);
    expect(mergeStats([a, { ...a }])).toMatchObject({ count: 20, min: 1, p50: 5, p90: 9, p99: 20, p999: 30, max: 40 });
  });
  it("count, mean, min and max are exact", () => {
    const m = mergeStats([s(1, 2, 3, 4, 5, 6, 7, 10), s(3, 1, 2, 3, 4, 5, 9, 2)]);
    expect(m.count).toBe(4);
    expect(m.mean).toBe((10 + 3 * 2) / 4);
    expect(m.min).toBe(1);
    expect(m.max).toBe(9);
  });
  it("equal-count disjoint groups [0,100] and [1000,1100]: median at the seam (100), p90 in the upper group", () => {
    const lower = s(100, 0, 50, 90, 99, 99.9, 100);
    const upper = s(100, 1000, 1050, 1090, 1099, 1099.9, 1100);
    const m = mergeStats([lower, upper]);
    expect(m.p50).toBeCloseTo(100, 9);
    // Mixture F = 0.5 + 0.5·F_upper, so p90 is F_upper⁻¹(0.8) = 1050 + (0.3/0.4)·40 = 1080.
    expect(m.p90).toBeCloseTo(1080, 9);
  });
  it("a heavier group pulls the median towards it", () => {
    const m = mergeStats([s(900, 10, 20, 30, 40, 50, 60), s(100, 100, 200, 300, 400, 500, 600)]);
    expect(m.p50).toBeLessThan(30);
    expect(m.p999).toBeGreaterThan(60);
  });
  it("percentiles stay ordered and within [min, max] (property)", () => {
    const stats = fc
      .tuple(fc.integer({ min: 1, max: 1000 }), fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 6, maxLength: 6 }))
      .map(([count, xs]) => {
        const v = [...xs].sort((a, b) => a - b);
        return s(count, v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!);
      });
    fc.assert(
      fc.property(fc.array(stats, { minLength: 1, maxLength: 5 }), (groups) => {
        const m = mergeStats(groups);
        const seq = [m.min, m.p50, m.p90, m.p99, m.p999, m.max];
        for (let i = 1; i < seq.length; i++) expect(seq[i]! + 1e-6).toBeGreaterThanOrEqual(seq[i - 1]!);
      }),
    );
  });
});
