import { describe, expect, it } from "vitest";
import { hog, plan } from "../../helpers/plan.js";
import { MS, run } from "./run.js";

describe("lottery", () => {
  it("gives CPU in proportion to tickets 300:100 over 20 000 draws (q = 1 ms): shares 0.75 and 0.25 within 2 %", () => {
    // Binomial: the share's standard deviation is √(0.75·0.25/20000) ≈ 0.003, i.e. 0.4 % of 0.75.
    const r = run("lottery", plan([hog("a", 0), hog("b", 1)]), { durationNs: 20_000 * MS, options: { tickets: "0:300,1:100", slice_us: 1000 } });
    const a = r.groups.a.cpuNs, b = r.groups.b.cpuNs;
    expect(Math.abs(a / (a + b) - 0.75) / 0.75).toBeLessThan(0.02);
    expect(Math.abs(b / (a + b) - 0.25) / 0.25).toBeLessThan(0.04);
  });

  it("takes tickets from the weight by default: three nice-0 hogs get a third each within 3 % over 10 s (q = 1 ms)", () => {
    const r = run("lottery", plan([hog("a"), hog("b"), hog("c")]), { durationNs: 10_000 * MS, options: { slice_us: 1000 } });
    for (const g of ["a", "b", "c"]) expect(Math.abs(r.groups[g].cpuNs / (10_000 * MS) - 1 / 3) * 3).toBeLessThan(0.03);
  });

  it("is random but repeatable: the same seed gives the same schedule, another seed a different one", () => {
    const p = plan([hog("a", 0), hog("b", 1)]);
    const o = { durationNs: 200 * MS, options: { tickets: "0:300,1:100", slice_us: 1000 } };
    const s1 = run("lottery", p, { ...o, seed: 1 }), s1b = run("lottery", p, { ...o, seed: 1 }), s2 = run("lottery", p, { ...o, seed: 2 });
    expect(s1b.groups.a.cpuNs).toBe(s1.groups.a.cpuNs);
    expect(s1.totals.contextSwitches.involuntary).toBe(s1b.totals.contextSwitches.involuntary);
    expect(s2.groups.a.cpuNs === s1.groups.a.cpuNs && s2.totals.contextSwitches.involuntary === s1.totals.contextSwitches.involuntary).toBe(false);
  });

  it("rejects a malformed tickets option with a message naming the option", () => {
    expect(() => run("lottery", plan([hog("a")]), { options: { tickets: "0=300" } })).toThrow(/option tickets: expected nice:tickets/);
  });
});
