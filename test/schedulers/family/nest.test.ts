import { describe, expect, it } from "vitest";
import { plan, poisson, task } from "../../helpers/plan.js";
import { S, cpusUsed, run } from "./run.js";

describe("nest", () => {
  it("packs a light load onto few cores: two open-loop streams (200/s of 0.5 ms each) on 8 CPUs touch 8 CPUs under simple but at most 4 under nest", () => {
    // Each arrival starts on the next CPU in turn; simple's default pick keeps it there when idle.
    const p = plan([poisson("a", 200, 500), poisson("b", 200, 500)]);
    const simple = run("simple", p, { topology: "8", durationNs: 2 * S });
    const nest = run("nest", p, { topology: "8", durationNs: 2 * S });
    expect(cpusUsed(simple)).toBe(8);
    expect(cpusUsed(nest)).toBeLessThanOrEqual(4);
    expect(nest.groups.a.completed + nest.groups.b.completed).toBeGreaterThan(700);
  });

  it("compaction: a sleeper (run 0.5 ms, sleep 5 ms) finds its core demoted after p_remove_us = 2 ms at nearly every wakeup, but stays attached to it with p_remove_us = 10 ms", () => {
    const p = plan([task("s", [{ kind: "run", us: 500 }, { kind: "sleep", us: 5000 }])]);
    const short = run("nest", p, { topology: "8", durationNs: 1 * S });
    const long = run("nest", p, { topology: "8", durationNs: 1 * S, options: { p_remove_us: 10_000 } });
    const wakeups = short.groups.s.wakeupLatencyNs.count;
    expect(wakeups).toBeGreaterThan(150);
    expect(short.scx.events.callback_compacted).toBeGreaterThan(0.9 * wakeups);
    expect(long.scx.events.callback_compacted ?? 0).toBe(0);
    expect(long.scx.events.wakeup_attached).toBeGreaterThan(0.9 * wakeups);
    // Either way the task keeps to one CPU.
    expect(cpusUsed(short)).toBe(1);
    expect(cpusUsed(long)).toBe(1);
  });
});
