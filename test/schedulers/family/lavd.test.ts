import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";

const p = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 4000 }]), hog("h", 0, { instances: 4 })]);

describe("lavd", () => {
  it("an interactive task (run 0.3 ms, sleep 4 ms) next to 4 hogs on 2 CPUs waits under 6.5 ms at p99 (slices ≤ 5 ms), where simple's p99 exceeds 10 ms", () => {
    const simple = run("simple", p, { topology: "2", durationNs: 5 * S });
    const lavd = run("lavd", p, { topology: "2", durationNs: 5 * S });
    expect(simple.groups.i.wakeupLatencyNs.p99).toBeGreaterThan(10 * MS);
    expect(lavd.groups.i.wakeupLatencyNs.p99).toBeLessThan(6.5 * MS);
    expect(lavd.groups.h.cpuNs + lavd.groups.i.cpuNs).toBe(2 * 5 * S);
  });

  it("the latency-critical task preempts hogs: its mean wakeup latency is at least 25 % lower than with no_preemption", () => {
    const on = run("lavd", p, { topology: "2", durationNs: 5 * S });
    const off = run("lavd", p, { topology: "2", durationNs: 5 * S, options: { no_preemption: true } });
    expect(on.scx.events.preempt).toBeGreaterThan(100);
    expect(off.scx.events.preempt ?? 0).toBe(0);
    expect(on.groups.i.wakeupLatencyNs.mean).toBeLessThan(0.75 * off.groups.i.wakeupLatencyNs.mean);
  });
});
