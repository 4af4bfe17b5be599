import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";
import type { CpuId, ScxTask } from "../../../sim/ext/ops.js";
import { SCX_DEQ_SLEEP, SCX_KICK_PREEMPT, asCpu } from "../../../sim/ext/consts.js";
import { LavdScheduler, options } from "../../../schedulers/lavd.js";
import { OptionError, resolveOptions } from "../../../schedulers/options.js";
import { fakeScx } from "../lib/fake_scx.js";
import { lavdRig, lavdTask } from "./lavd_rig.js";

const pinnedTo = (pid: number, cpu: number): ScxTask & { sumExecNs: number } => Object.assign(lavdTask(pid, cpu), { nrCpusAllowed: 1 });
const withOptions = (raw: Record<string, number>) => () => new LavdScheduler(fakeScx("8").scx, resolveOptions("lavd", options, raw));

describe("lavd pinned tasks (sched-ext/scx scheds/rust/scx_lavd, --pinned-slice-us)", () => {
  it("main.rs Opts --pinned-slice-us: 5000 µs by default, 0 turns it off, anything else outside slice_min_us..slice_max_us is refused", () => {
    expect(resolveOptions("lavd", options, {}).pinned_slice_us).toBe(5000);
    expect(withOptions({ pinned_slice_us: 0 })().pinned.sliceNs).toBe(0);
    expect(withOptions({ pinned_slice_us: 500 })().pinned.sliceNs).toBe(500_000);
    expect(withOptions({ pinned_slice_us: 400 })).toThrow(OptionError);
    expect(withOptions({ pinned_slice_us: 6000 })).toThrow(/between slice_min_us \(500\) and slice_max_us \(5000\)/);
    expect(withOptions({ pinned_slice_us: 6000, slice_max_us: 8000 })().pinned.sliceNs).toBe(6_000_000);
  });

  it("main.bpf.c lavd_enqueue/lavd_quiescent: a pinned task counts on the CPU it was enqueued for (once) until any quiescent, even one that is no sleep, and on that CPU even if it is elsewhere by then", () => {
    const { l } = lavdRig("4");
    const p = pinnedTo(1, 2) as ScxTask & { cpu: CpuId }, free = lavdTask(2, 2);
    l.pinned.enqueued(p, asCpu(2));
    l.pinned.enqueued(p, asCpu(2));
    l.pinned.enqueued(free, asCpu(2));
    expect([0, 1, 2, 3].map((c) => l.pinned.waiting(asCpu(c)))).toEqual([0, 0, 1, 0]);
    p.cpu = asCpu(3);
    l.quiescent(p, 0);
    expect(l.pinned.waiting(asCpu(2))).toBe(0);
    l.quiescent(p, SCX_DEQ_SLEEP);
    expect(l.pinned.waiting(asCpu(2))).toBe(0);
  });

  it("main.bpf.c calc_time_slice: while a pinned task waits on a CPU, its tasks get min(pinned slice, system slice) and no boost; with the mode off, the system slice and still no boost", () => {
    for (const [pinnedUs, want] of [[1000, 1 * MS], [0, 5 * MS]] as const) {
      const l = withOptions({ pinned_slice_us: pinnedUs })();
      const t = { avgRuntime: 12 * MS, latCri: 100 } as Parameters<LavdScheduler["timeSlice"]>[0];
      l.sysSlice = 5 * MS; l.avgUtil = 0.5; l.nrQueued = 2;
      expect(l.timeSlice(t, asCpu(0))).toBe(12.5 * MS);
      l.pinned.enqueued(pinnedTo(9, 0), asCpu(0));
      expect(l.timeSlice(t, asCpu(0))).toBe(want);
      expect(l.timeSlice(t, asCpu(1))).toBe(12.5 * MS);
    }
  });

  it("preempt.bpf.c shrink_slice_at_tick (from lavd_tick): with a pinned task waiting, the running task's slice becomes what is left of min(pinned, system slice) since it started, 0 once past it, even if that lengthens it; without one, the tick leaves it alone", () => {
    const rig = lavdRig("4");
    const { l } = rig;
    const cur = lavdTask(1, 1);
    l.sysSlice = 5 * MS;
    l.running(cur);
    cur.slice = 100;
    rig.setNow(1 * MS);
    l.tick(cur);
    expect(cur.slice).toBe(100);
    l.pinned.enqueued(pinnedTo(2, 1), asCpu(1));
    l.tick(cur);
    expect(cur.slice).toBe(5 * MS - 1 * MS);
    rig.setNow(6 * MS);
    l.tick(cur);
    expect(cur.slice).toBe(0);
  });

  it("sys_stat.bpf.c collect_sys_stat -> preempt.bpf.c shrink_boosted_slice_remote: a CPU with a pinned task waiting is cut back to the pinned slice at the stat timer even while slices may be boosted; one already past it is kicked (SCX_KICK_PREEMPT)", () => {
    const rig = lavdRig("4");
    const { l, running, kicks } = rig;
    l.sysSlice = 5 * MS;
    for (let c = 0; c < 4; c++) { l.running(lavdTask(10 + c, c)); running[c]!.slice = 20 * MS; }
    l.pinned.enqueued(pinnedTo(2, 1), asCpu(1));
    l.pinned.enqueued(pinnedTo(3, 2), asCpu(2));
    rig.setNow(4.5 * MS);
    rig.statTimer();
    expect(running.map((r) => r!.slice)).toEqual([20 * MS, 0.5 * MS, 0.5 * MS, 20 * MS]);
    expect(kicks.filter(([, f]) => f === SCX_KICK_PREEMPT)).toEqual([]);
    rig.setNow(5.5 * MS);
    rig.statTimer();
    expect(kicks.filter(([, f]) => f === SCX_KICK_PREEMPT).map(([c]) => c)).toEqual([1, 2]);
  });

  it("util.bpf.c get_target_dsq_id and cpu_to_dsq: a pinned task waits on its core's own DSQ while the mode is on (both SMT threads share one), on its domain's DSQ when it is off; upstream's lavd_dispatch then serves it from there", () => {
    const pinned = (cpus: number[], hogs = 4) => plan([task("p", [{ kind: "run", us: 300 }, { kind: "sleep", us: 2000 }], { cpus }), hog("h", 0, { instances: hogs })]);
    const on = run("lavd", pinned([1]), { topology: "2", durationNs: S / 2 });
    const off = run("lavd", pinned([1]), { topology: "2", durationNs: S / 2, options: { pinned_slice_us: 0 } });
    expect(on.scx.events.pinned).toBeGreaterThan(10);
    expect(off.scx.events.pinned ?? 0).toBe(0);
    expect(off.groups.p.cpuNs).toBeGreaterThan(20 * MS);
    const f = fakeScx("2x8-smt"), created: number[] = [];
    Object.assign(f.scx, { now: () => 0, cpuCurr: () => null, timerCreate: () => 0, timerStart: () => undefined, createDsq: (id: number) => { created.push(id); return 0; } });
    expect(new LavdScheduler(f.scx, resolveOptions("lavd", options, {})).init()).toBe(0);
    const primaries = [...Array(16).keys()].filter((c) => c < Math.max(f.scx.cpuSibling(asCpu(c)), 0) || f.scx.cpuSibling(asCpu(c)) < 0);
    expect(primaries.length).toBe(8);
    expect(created).toEqual([0, 17, ...primaries.map((c) => 1 + c)]);
    const smt = run("lavd", pinned([3], 24), { topology: "2x8-smt", durationNs: S / 2 });
    expect(smt.scx.events.pinned).toBeGreaterThan(10);
    expect(smt.groups.p.cpuNs).toBeGreaterThan(20 * MS);
  });

  it("a pinned interactive task next to hogs waits less with a 1 ms pinned slice than with the mode off (upstream's point of --pinned-slice-us)", () => {
    const p = plan([task("p", [{ kind: "run", us: 300 }, { kind: "sleep", us: 4000 }], { cpus: [1] }), hog("h", 0, { instances: 4 })]);
    const short = run("lavd", p, { topology: "2", durationNs: 2 * S, options: { pinned_slice_us: 1000, slice_min_us: 500 } });
    const off = run("lavd", p, { topology: "2", durationNs: 2 * S, options: { pinned_slice_us: 0 } });
    expect(short.groups.p.wakeupLatencyNs.mean).toBeLessThan(off.groups.p.wakeupLatencyNs.mean);
    expect(short.groups.h.cpuNs + short.groups.p.cpuNs).toBe(2 * 2 * S);
  });
});
