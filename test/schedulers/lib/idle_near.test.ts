import { describe, expect, it } from "vitest";
import { anyIdleIn, coreIdle } from "../../../schedulers/lib/idle_near.js";
import { fakeScx } from "./fake_scx.js";
import { asCpu } from "../../../sim/ext/consts.js";

describe("idle_near", () => {
  it("anyIdleIn looks at one node only", () => {
    const f = fakeScx("2s-2llc-8c-smt");
    f.idle[7] = 1; // node 1
    expect(anyIdleIn(f.scx, 0)).toBe(false);
    expect(anyIdleIn(f.scx, 1)).toBe(true);
    expect(anyIdleIn(f.scx, -1)).toBe(true);
  });

  it("coreIdle needs both hardware threads idle; a CPU without a sibling is its own core", () => {
    const smt = fakeScx("2x8-smt");
    smt.idle[0] = 1;
    expect(coreIdle(smt.scx, asCpu(0))).toBe(false);
    smt.idle[8] = 1; // CPU 0's sibling
    expect(coreIdle(smt.scx, asCpu(0))).toBe(true);
    const flat = fakeScx("4");
    flat.idle[2] = 1;
    expect(coreIdle(flat.scx, asCpu(2))).toBe(true);
  });
});
