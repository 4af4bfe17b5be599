import { describe, expect, it } from "vitest";
import { hog, plan, poisson, task } from "../../helpers/plan.js";
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

  it("scx_nest.bpf.c nest_dispatch: a primary core whose prev died (prev->__state == TASK_DEAD) is demoted at once, one whose prev blocked arms the p_remove timer", () => {
    // Short jobs that exit (open loop) against a sleeper that blocks; the kernel hands both to
    // ops.dispatch as prev (balance_one), only the dead one is compacted eagerly.
    const dying = run("nest", plan([poisson("j", 100, 500)]), { topology: "8", durationNs: 2 * S });
    const blocking = run("nest", plan([task("s", [{ kind: "run", us: 500 }, { kind: "sleep", us: 5000 }])]), { topology: "8", durationNs: 1 * S });
    expect(dying.groups.j.completed).toBeGreaterThan(150);
    expect(dying.scx.events.eagerly_compacted).toBeGreaterThan(0);
    expect(blocking.scx.events.eagerly_compacted ?? 0).toBe(0);
    expect(blocking.scx.events.scheduled_compaction).toBeGreaterThan(150);
  });

  it("scx_nest.bpf.c nest_dispatch: a runnable prev on a primary core is re-inserted with slice_ns, so the kernel keeps it without SCX_EV_DISPATCH_KEEP_LAST", () => {
    // 12 ms of work a loop with 5 ms slices: two expiries a loop once its core is primary (from
    // the second wakeup on); only the very first expiry, on a reserve core, is the core's keep.
    const r = run("nest", plan([task("s", [{ kind: "run", us: 12_000 }, { kind: "sleep", us: 1000 }])]), { topology: "2", durationNs: 1 * S, options: { slice_us: 5000 } });
    expect(r.scx.events.wakeup_attached).toBeGreaterThan(60);
    expect(r.scx.events.SCX_EV_DISPATCH_STALE).toBeGreaterThan(120);
    expect(r.scx.events.SCX_EV_DISPATCH_KEEP_LAST ?? 0).toBeLessThanOrEqual(1);
    expect(r.totals.contextSwitches.involuntary).toBe(0);
  });
});
