import { describe, expect, it } from "vitest";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { SimpleScheduler } from "../../schedulers/simple.js";

describe("smoke", () => {
  it("fair: nice 0 and nice 5 hogs share one CPU 1024:335", () => {
    const m = machine(plan([hog("a", 0), hog("b", 5)]), { durationNs: 10e9 });
    m.runToEnd();
    const r = m.result();
    const a = r.groups.a.cpuNs, b = r.groups.b.cpuNs;
    expect(a / b).toBeCloseTo(1024 / 335, 1);
    expect(r.invariants.lost).toBe(0);
  });

  it("simple fifo: M/M/1 mean response near 1/(mu-lambda)", () => {
    const m = machine(plan([poisson("c", 500, 1000)]), { durationNs: 200e9 });
    attach(m, (scx) => new SimpleScheduler(scx, { fifo: true, slice_us: 1e9 }));
    m.runToEnd();
    const r = m.result();
    const mean = r.groups.c.requestLatencyNs.mean / 1e6;
    console.log(mean, r.events, r.invariants, r.scx);
    expect(Math.abs(mean - 2) / 2).toBeLessThan(0.05);
  });
});
