import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { exitOf, MS, pidOf, run, slicesOf } from "./run.js";

describe("rr", () => {
  it("N = 3 hogs with q = 2 ms on one CPU: every slice is q long and consecutive slices of one task are exactly (N−1)·q = 4 ms apart", () => {
    const q = 2 * MS, n = 3;
    const r = run("rr", plan([hog("a"), hog("b"), hog("c")]), { durationNs: 300 * MS, timeline: true, options: { slice_us: 2000 } });
    for (const name of ["a", "b", "c"]) {
      const s = slicesOf(r, pidOf(r, name));
      expect(s.length).toBeGreaterThanOrEqual(49);
      for (const x of s) expect(x.end - x.start).toBe(q);
      for (let i = 1; i < s.length; i++) expect(s[i].start - s[i - 1].end).toBe((n - 1) * q);
    }
  });

  it("N = 3 hogs get equal shares: 300 ms of one CPU split 100 ms each (to within one quantum)", () => {
    const r = run("rr", plan([hog("a"), hog("b"), hog("c")]), { durationNs: 300 * MS, options: { slice_us: 2000 } });
    for (const g of ["a", "b", "c"]) expect(Math.abs(r.groups[g].cpuNs - 100 * MS)).toBeLessThanOrEqual(2 * MS);
  });

  it("a 1 ms job arriving at 1 ms behind two hogs (q = 4 ms) joins the tail and finishes at 9 ms", () => {
    // t=0: a runs [0,4), b [4,8); the short job arrives at 1 ms, joins the tail after b, runs [8,9).
    const r = run("rr", plan([hog("a"), hog("b"), task("s", [{ kind: "run", us: 1000 }], { loop: 1, delayUs: 1000 })]), { durationNs: 40 * MS, options: { slice_us: 4000 } });
    expect(exitOf(r, "s")).toBe(9 * MS);
  });
});
