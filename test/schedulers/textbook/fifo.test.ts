import { describe, expect, it } from "vitest";
import { plan, task } from "../../helpers/plan.js";
import { exitOf, MS, run } from "./run.js";

const burst = (name: string, ms: number, delayUs = 0) => task(name, [{ kind: "run", us: ms * 1000 }], { loop: 1, delayUs });

describe("fifo", () => {
  it("bursts of 5, 3, 1 ms arriving at t=0 on one CPU finish at 5, 8, 9 ms", () => {
    const r = run("fifo", plan([burst("a", 5), burst("b", 3), burst("c", 1)]), { durationNs: 20 * MS });
    expect([exitOf(r, "a"), exitOf(r, "b"), exitOf(r, "c")]).toEqual([5 * MS, 8 * MS, 9 * MS]);
    // Each ran in one piece: no involuntary switch.
    expect(r.totals.contextSwitches.involuntary).toBe(0);
  });

  it("a late short job waits behind a long one (head-of-line blocking): 10 ms at 0, 1 ms at 1 ms finish at 10, 11 ms", () => {
    const r = run("fifo", plan([burst("long", 10), burst("short", 1, 1000)]), { durationNs: 20 * MS });
    expect([exitOf(r, "long"), exitOf(r, "short")]).toEqual([10 * MS, 11 * MS]);
  });

  it("on two CPUs, four 4 ms jobs at t=0 finish at 4, 4, 8, 8 ms", () => {
    const r = run("fifo", plan(["a", "b", "c", "d"].map((n) => burst(n, 4))), { cpus: 2, durationNs: 20 * MS });
    expect(["a", "b", "c", "d"].map((n) => exitOf(r, n))).toEqual([4 * MS, 4 * MS, 8 * MS, 8 * MS]);
  });
});
