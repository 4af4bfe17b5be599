import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";

describe("bpfland", () => {
  it("an interactive task (run 0.3 ms, sleep 4 ms) next to 4 hogs on 2 CPUs wakes within slice_max (1 ms) at p99, where simple's p99 exceeds 10 ms", () => {
    const p = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 4000 }]), hog("h", 0, { instances: 4 })]);
    const simple = run("simple", p, { topology: "2", durationNs: 5 * S });
    const bpfland = run("bpfland", p, { topology: "2", durationNs: 5 * S });
    expect(simple.groups.i.wakeupLatencyNs.p99).toBeGreaterThan(10 * MS);
    expect(bpfland.groups.i.wakeupLatencyNs.p99).toBeLessThan(1 * MS);
    expect(bpfland.groups.i.wakeupLatencyNs.count).toBeGreaterThan(1000);
    // The hogs still get the rest of the machine.
    expect(bpfland.groups.h.cpuNs + bpfland.groups.i.cpuNs).toBe(2 * 5 * S);
  });
});
