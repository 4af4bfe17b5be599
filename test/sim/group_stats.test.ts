/**
 * Per-group statistics in columns (issue 19.12: a million task names in 2 GB): a group keeps its
 * first few latency buckets and wakeup bins in the columns, and only one that records more gets a
 * Histogram or a bin row; what it reports is what a Histogram fed the same samples reports.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GroupStats, Lat, WAKEUP_BINS } from "../../sim/group_stats.js";
import { Histogram } from "../../sim/histogram.js";
import { compilePlan } from "../../sim/program.js";
import { machine } from "../helpers/machine.js";
import { plan, task } from "../helpers/plan.js";

/** The wakeup bins as the per-group Float64Array of earlier versions counted them. */
function binsOf(xs: readonly number[]): number[] {
  const bins = new Array<number>(WAKEUP_BINS).fill(0);
  for (const v of xs) {
    const us = v < 1000 ? 0 : Math.min(v / 1000, 0x3fffffff) | 0;
    bins[us === 0 ? 0 : Math.min(WAKEUP_BINS - 1, 32 - Math.clz32(us))]++;
  }
  return bins;
}

// -0 left out: no latency is ever -0 (a difference of equal integers is +0), and the columns keep buckets as integers.
const sample = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ min: -5, max: 1e7, noNaN: true }).map((v) => v + 0));

describe("GroupStats", () => {
  it("reports for each group and kind what a Histogram fed the same samples does, before and after it outgrows the columns", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(2), fc.constantFrom(Lat.Wakeup, Lat.Request, Lat.Wait), sample), { maxLength: 300 }), (recs) => {
      const s = new GroupStats(3);
      const want = [0, 1, 2].map(() => [new Histogram(), new Histogram(), new Histogram()]);
      const wakeups: number[][] = [[], [], []];
      for (const [g, kind, v] of recs) {
        if (kind === Lat.Wakeup) { s.recordWakeup(g, v); wakeups[g]!.push(v); }
        else if (kind === Lat.Request) s.recordRequest(g, v);
        else s.recordWait(g, v);
        want[g]![kind]!.record(v);
      }
      for (let g = 0; g < 3; g++) {
        for (const kind of [Lat.Wakeup, Lat.Request, Lat.Wait]) {
          expect(s.latency(g, kind).stats()).toEqual(want[g]![kind]!.stats());
          expect(s.copy().latency(g, kind).stats()).toEqual(want[g]![kind]!.stats());
        }
        expect(s.wakeupHistogram(g)).toEqual(binsOf(wakeups[g]!));
        expect(s.requests[g]).toBe(want[g]![Lat.Request]!.count);
      }
      for (const kind of [Lat.Wakeup, Lat.Request, Lat.Wait]) {
        const all = new Histogram(), got = new Histogram();
        for (let g = 0; g < 3; g++) all.merge(want[g]![kind]!);
        s.mergeInto(kind, got);
        expect(got.stats()).toEqual(all.stats());
      }
    }));
  });

  it("allocates nothing for a group until it records more than two distinct buckets of one kind (or two wakeup bins)", () => {
    const s = new GroupStats(1_000);
    for (let g = 0; g < 1_000; g++) { s.recordWakeup(g, 500); s.recordWakeup(g, 2_500); s.recordWait(g, 0); s.recordRequest(g, 7); s.recordRequest(g, 7); }
    expect(s.allocated).toBe(0);
    s.recordWait(3, 10); s.recordWait(3, 20);
    expect(s.allocated).toBe(1);
    s.recordWakeup(4, 100_000);
    expect(s.allocated).toBe(3); // a third wakeup bucket and a third bin
    expect(s.latency(4, Lat.Wakeup).count).toBe(3);
    expect(s.wakeupHistogram(4).reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("copies are independent of the live columns", () => {
    const s = new GroupStats(1);
    s.recordWait(0, 5);
    const c = s.copy();
    for (let i = 0; i < 50; i++) s.recordWait(0, i * 1000);
    expect(c.latency(0, Lat.Wait).count).toBe(1);
    expect(s.latency(0, Lat.Wait).count).toBe(51);
  });
});

describe("a workload of many task names", () => {
  const names = (n: number) => plan(Array.from({ length: n }, (_, i) => task(`t${i}`,
    [{ kind: "run", us: 3 }, { kind: "sleep", us: 20 }, { kind: "run", us: 3 }], { loop: 1, delayUs: 4 * i })));

  it("compiles tasks written alike into one shared program", () => {
    const c = compilePlan(names(50));
    expect(new Set(c.specs.map((s) => s.phases)).size).toBe(1);
    expect(c.groups).toHaveLength(50);
  });

  it("keeps every name's group in the result while allocating no histogram for names with a few samples", () => {
    const n = 5_000;
    const m = machine(names(n), { cpus: 4, durationNs: n * 4_000 + 1e7 });
    m.runToEnd();
    const r = m.result();
    expect(Object.keys(r.groups)).toHaveLength(n);
    expect(r.invariants).toMatchObject({ created: n, exited: n, lost: 0 });
    let wakeups = 0;
    for (const g of Object.values(r.groups)) wakeups += g.wakeupLatencyNs.count;
    expect(wakeups).toBe(r.totals.wakeupLatencyNs.count);
    expect(wakeups).toBeGreaterThanOrEqual(n);
    // Each name ran twice and slept once: a few samples, kept in the columns.
    expect(m.kernel.rec.groups.allocated).toBeLessThan(n / 10);
  });
});
