import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { aggregate, confidenceInterval, formatRatio, formatSummaryTable, ratioOf, relativeTo } from "../../results/index.js";
import { makeRun } from "./fixtures.js";

describe("ratioOf (hyperfine's x ± y×)", () => {
  it("is the ratio of means with relative sds added in quadrature", () => {
    // a: mean 20, sd 2 (10 %); b: mean 10, sd 1 (10 %) → 2 ± 2·√(0.01+0.01) = 2 ± 0.2828
    const r = ratioOf(confidenceInterval([18, 20, 22]), confidenceInterval([9, 10, 11]))!;
    expect(r.ratio).toBe(2);
    expect(r.sd).toBeCloseTo(2 * Math.sqrt(0.02), 12);
    expect(formatRatio(r)).toBe("2.00 ± 0.28×");
  });
  it("one seed gives the ratio alone; a zero or missing baseline gives none", () => {
    expect(formatRatio(ratioOf(confidenceInterval([3]), confidenceInterval([2])))).toBe("1.50×");
    expect(ratioOf(confidenceInterval([3, 4]), confidenceInterval([0, 0]))).toBeNull();
    expect(formatRatio(ratioOf(confidenceInterval([]), confidenceInterval([1, 2])))).toBe("—");
  });
  it("a against itself is 1 (property)", () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 1, max: 1e9, noNaN: true }), { minLength: 2, maxLength: 6 }), (xs) => {
      const e = confidenceInterval(xs);
      expect(ratioOf(e, e)!.ratio).toBe(1);
    }));
  });
});

describe("relativeTo", () => {
  const runs = ["simple", "bpfland", "rr"].flatMap((scheduler, k) => [1, 2, 3].map((seed) => makeRun({ scheduler, seed, wakeupUs: 10 * (k + 1) })));

  it("defaults to the first scheduler and lists the others", () => {
    const rel = relativeTo(aggregate(runs), "mixed")!;
    expect(rel.baseline).toBe("simple");
    expect(rel.rows.map((r) => r.label)).toEqual(["bpfland", "rr"]);
    const agg = aggregate(runs);
    const own = agg.rows.find((r) => r.label === "rr")!.metrics.wakeupP99.mean! / agg.rows.find((r) => r.label === "simple")!.metrics.wakeupP99.mean!;
    expect(rel.rows[1]!.ratios.wakeupP99!.ratio).toBeCloseTo(own, 12);
  });

  it("uses the chosen baseline, in the terminal too", () => {
    const agg = aggregate(runs, { baseline: "bpfland" });
    expect(relativeTo(agg, "mixed")!.rows.map((r) => r.label)).toEqual(["simple", "rr"]);
    const text = formatSummaryTable(agg);
    expect(text).toContain("relative to bpfland");
    const rr = text.split("\n").filter((l) => l.startsWith("rr") && l.includes("×"));
    expect(rr).toHaveLength(1);
    expect(rr[0]).toMatch(/^rr\s+\d\.\d\d ± \d\.\d\d×/);
  });

  it("an unknown baseline falls back to the first", () => {
    expect(aggregate(runs, { baseline: "nope" }).baseline).toBe("simple");
  });
});
