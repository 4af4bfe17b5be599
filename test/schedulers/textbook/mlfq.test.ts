import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import type { MlfqScheduler } from "../../../schedulers/mlfq.js";
import type { ScxTask } from "../../../sim/ext/ops.js";
import { MS, run, start } from "./run.js";

/** Runs 0.5 ms, sleeps 5 ms: always gives the CPU up well before the 2 ms top quantum. */
const interactive = () => task("inter", [{ kind: "run", us: 500 }, { kind: "sleep", us: 5_000 }]);
const OPTIONS = { levels: 3, base_slice_us: 2_000, boost_us: 1_000_000 };

describe("mlfq", () => {
  it("keeps an interactive task at the top level while hogs sink to the bottom (levels sampled between boosts)", () => {
    const { m, ops } = start("mlfq", plan([hog("h1"), hog("h2"), interactive()]), { durationNs: 3000 * MS, options: OPTIONS });
    const mlfq = ops as MlfqScheduler;
    const level = (comm: string) => mlfq.level(m.kernel.tasks.find((t) => t.comm === comm)!.view);
    for (const t of [100, 500, 900, 1100, 1500, 2500]) {
      m.runFor(t * MS - m.kernel.now);
      expect([level("inter"), level("h1"), level("h2")], `levels at ${t} ms`).toEqual([0, 2, 2]);
    }
  });

  it("boosts every task to the top at each boost_us (levels read just after the 1 s boost)", () => {
    const { m, ops } = start("mlfq", plan([hog("h1"), hog("h2"), interactive()]), { durationNs: 3000 * MS, options: OPTIONS });
    const mlfq = ops as MlfqScheduler;
    const level = (comm: string) => mlfq.level(m.kernel.tasks.find((t) => t.comm === comm)!.view);
    m.runFor(999 * MS);
    expect([level("h1"), level("h2")]).toEqual([2, 2]);
    m.runFor(1 * MS + 1000);
    expect([level("h1"), level("h2"), level("inter")]).toEqual([0, 0, 0]);
    m.runFor(50 * MS);
    expect([level("h1"), level("h2"), level("inter")]).toEqual([2, 2, 0]);
  });

  it("gives the interactive task lower latency than the hogs, and lower than round robin does", () => {
    const p = plan([hog("h1"), hog("h2"), interactive()]);
    const r = run("mlfq", p, { durationNs: 3000 * MS, options: OPTIONS });
    const inter = r.groups.inter, h = r.groups.h1;
    expect(inter.waitNs.mean).toBeLessThan(h.waitNs.mean / 10);
    // Preemption on wakeup: most wakeups run at once.
    expect(inter.wakeupLatencyNs.p90).toBe(0);
    const rr = run("rr", p, { durationNs: 3000 * MS, options: { slice_us: 2_000 } });
    expect(inter.requestLatencyNs.mean).toBeLessThan(rr.groups.inter.requestLatencyNs.mean / 2);
    // The interactive task got all the CPU it asked for: 0.5 ms every 5.5 ms.
    expect(Math.abs(inter.cpuNs / ((3000 * MS * 0.5) / 5.5) - 1)).toBeLessThan(0.02);
  });

  it("uses quanta that double per level: two hogs alternate 2, 2, 4, 4, 8, 8, 8 ms slices", () => {
    const r = run("mlfq", plan([hog("h1"), hog("h2")]), { durationNs: 45 * MS, timeline: true, options: OPTIONS });
    const tl = r.timeline!;
    const slices = tl.pid.map((p, i) => [tl.groupOf[String(p)], tl.startNs[i] / MS, tl.endNs[i] / MS]);
    expect(slices).toEqual([
      ["h1", 0, 2], ["h2", 2, 4], ["h1", 4, 8], ["h2", 8, 12], ["h1", 12, 20], ["h2", 20, 28], ["h1", 28, 36], ["h2", 36, 44],
    ]);
  });
});
