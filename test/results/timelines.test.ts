import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { reportSliceCap, reportTimeline, REPORT_SLICE_BUDGET } from "../../results/index.js";
import { histogramCdf, monotoneCdf } from "../../results/report/data.js";
import { makeRun, withDenseTimeline } from "./fixtures.js";

describe("the report's timelines (issue 14.10, 14.11)", () => {
  it("a run within the cap is kept whole, with the names of its tasks and no wakeups", () => {
    const run = makeRun({ timeline: true });
    const t = reportTimeline(run, 1e9)!;
    expect(t.pid).toEqual(run.timeline!.pid);
    expect(t.clippedAtNs).toBeNull();
    expect(t.names["4"]).toBe("<img src=x onerror=alert(2)>");
    expect(t).not.toHaveProperty("wakeNs");
  });

  it("past the cap only the slices before the cap-th start remain, and clipping again changes nothing (property)", () => {
    const run = withDenseTimeline(makeRun({ timeline: true }), 500, 10_000);
    fc.assert(fc.property(fc.integer({ min: 1, max: 2500 }), (cap) => {
      const t = reportTimeline(run, cap)!;
      expect(t.pid.length).toBeLessThanOrEqual(cap);
      if (cap < 2000) {
        expect(t.clippedAtNs).not.toBeNull();
        for (const s of t.startNs) expect(s).toBeLessThan(t.clippedAtNs!);
      } else expect(t.clippedAtNs).toBeNull();
      expect(reportTimeline({ timeline: t as never, tasks: [] }, cap)).toEqual(t);
    }));
  });

  it("the budget is shared by the runs of a sweep, with a floor per run", () => {
    expect(reportSliceCap(24)).toBe(REPORT_SLICE_BUDGET / 24);
    expect(reportSliceCap(10_000)).toBe(5_000);
  });
});

describe("CDFs from the histograms (issue 14.10)", () => {
  it("pools the wakeup bins of all groups and seeds and gives F at each bin's upper edge", () => {
    const a = makeRun(), b = makeRun({ seed: 2 });
    a.groups.web!.wakeupHistogramUs = [2, 2, 0, 4];
    b.groups.web!.wakeupHistogramUs = [0, 2, 2, 0];
    expect(histogramCdf([a, b])).toEqual([[1000, 2 / 12], [2000, 6 / 12], [4000, 8 / 12]]);
    expect(histogramCdf([makeRun()])).toEqual([]);
  });

  it("monotoneCdf sorts by latency, merges equal latencies and never lets F fall (property)", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 30 }), (pts) => {
      const out = monotoneCdf(pts);
      for (let i = 1; i < out.length; i++) {
        expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0]);
        expect(out[i]![1]).toBeGreaterThanOrEqual(out[i - 1]![1]);
      }
      expect(out.length).toBe(new Set(pts.map((p) => p[0])).size);
    }));
  });
});
