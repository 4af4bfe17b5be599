import { describe, expect, it } from "vitest";
import { anyIdleIn, pickIdleNear } from "../../../schedulers/lib/idle_near.js";
import { anyTask, fakeScx } from "./fake_scx.js";
import { asCpu } from "../../../sim/ext/consts.js";

// The kernel's scx_bpf_select_cpu_and (kernel/sched/ext_idle.c scx_select_cpu_dfl), which
// upstream bpfland's pick_idle_cpu calls from enqueue: idle core first, near prev.
describe("pickIdleNear (scx_select_cpu_dfl order, for enqueue)", () => {
  it("on 2llc-8c with prev 5 (LLC 1) and CPUs 0 and 6 idle, takes 6: prev's LLC before another", () => {
    const f = fakeScx("2llc-8c");
    f.idle[0] = 1; f.idle[6] = 1;
    expect(pickIdleNear(f.scx, anyTask(5), asCpu(5))).toBe(6);
    expect(f.idle[6]).toBe(0);
    expect(f.idle[0]).toBe(1);
  });

  it("takes prev itself when it is idle", () => {
    const f = fakeScx("2llc-8c");
    f.idle.fill(1);
    expect(pickIdleNear(f.scx, anyTask(3), asCpu(3))).toBe(3);
  });

  it("on 2x8-smt prefers a wholly idle core over idle prev whose sibling is busy", () => {
    const f = fakeScx("2x8-smt");
    f.idle[0] = 1; // prev 0, its sibling 8 busy
    f.idle[4] = 1; f.idle[12] = 1; // the core of CPUs 4 and 12 wholly idle
    const c = pickIdleNear(f.scx, anyTask(0), asCpu(0));
    expect([4, 12]).toContain(c);
  });

  it("crosses to another LLC when prev's has nothing idle, and returns -1 when nothing is idle", () => {
    const f = fakeScx("2llc-8c");
    f.idle[1] = 1;
    expect(pickIdleNear(f.scx, anyTask(5), asCpu(5))).toBe(1);
    expect(pickIdleNear(f.scx, anyTask(5), asCpu(5))).toBe(-1);
  });

  it("anyIdleIn looks at one node only", () => {
    const f = fakeScx("2s-2llc-8c-smt");
    f.idle[7] = 1; // node 1
    expect(anyIdleIn(f.scx, 0)).toBe(false);
    expect(anyIdleIn(f.scx, 1)).toBe(true);
    expect(anyIdleIn(f.scx, -1)).toBe(true);
  });
});
