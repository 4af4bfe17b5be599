import { describe, expect, it } from "vitest";
import { hog, plan } from "../../helpers/plan.js";
import { MS, run } from "./run.js";

describe("stride", () => {
  it("gives CPU in proportion to tickets 300:200:100 (set by nice via the tickets option): 3 s, 2 s, 1 s of 6 s within 2 %", () => {
    const r = run("stride", plan([hog("a", 0), hog("b", 1), hog("c", 2)]), { durationNs: 6000 * MS, options: { tickets: "0:300,1:200,2:100", slice_us: 10_000 } });
    const want = { a: 3000 * MS, b: 2000 * MS, c: 1000 * MS };
    for (const [g, ns] of Object.entries(want)) expect(Math.abs(r.groups[g].cpuNs - ns) / ns).toBeLessThan(0.02);
    // Stride is deterministic: each task is within two quanta of its exact share.
    for (const [g, ns] of Object.entries(want)) expect(Math.abs(r.groups[g].cpuNs - ns)).toBeLessThanOrEqual(20 * MS);
  });

  it("takes tickets from the weight by default: nice 0 and nice 5 hogs (weights 100 and 33) share one CPU 100:33 within 2 %", () => {
    const r = run("stride", plan([hog("a", 0), hog("b", 5)]), { durationNs: 6000 * MS });
    const a = r.groups.a.cpuNs, b = r.groups.b.cpuNs;
    expect(Math.abs(a / (a + b) - 100 / 133)).toBeLessThan(0.02 * (100 / 133));
    expect(Math.abs(b / (a + b) - 33 / 133)).toBeLessThan(0.02 * (33 / 133));
  });

  it("runs the lowest pass: tickets 200:100 (strides 1:2, q = 10 ms) give slices a 0-10, b 10-20, a 20-30, b 30-40, a 40-60 ms", () => {
    // Passes after each quantum: a 0→1, b 0→2, a 1→2 (a tie with b: the queued task wins),
    // b 2→4, a 2→3 (strictly lowest, so it keeps the CPU) →4: a has 40 of the first 60 ms.
    const r = run("stride", plan([hog("a", 0), hog("b", 1)]), { durationNs: 65 * MS, timeline: true, options: { tickets: "0:200,1:100" } });
    const tl = r.timeline!;
    const slices = tl.pid.map((p, i) => [tl.groupOf[String(p)], tl.startNs[i] / MS, tl.endNs[i] / MS]);
    expect(slices.slice(0, 5)).toEqual([["a", 0, 10], ["b", 10, 20], ["a", 20, 30], ["b", 30, 40], ["a", 40, 60]]);
  });

  it("under affinity, compares against the lowest pass that may run on this CPU: a, b pinned to CPU 0, c (nice 5) to CPU 1, d free on 2 CPUs get the water-filling shares 1/2, 1/2, 33/133, 100/133", () => {
    // A head pinned to CPU 0 (a or b) must not make CPU 1 give up d for c: with one shared DSQ
    // c and d alternated, 50 % each. d's pass grows faster than a's and b's, so it stays on CPU 1.
    const p = plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [0] }), hog("c", 5, { cpus: [1] }), hog("d", 0)]);
    const r = run("stride", p, { cpus: 2, durationNs: 2000 * MS });
    const want = { a: 1000 * MS, b: 1000 * MS, c: (2000 * MS * 33) / 133, d: (2000 * MS * 100) / 133 };
    // Within two quanta (d may take one quantum on CPU 0 at the start).
    for (const [g, ns] of Object.entries(want)) expect(Math.abs(r.groups[g].cpuNs - ns)).toBeLessThanOrEqual(20 * MS);
  });
});
