import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";
import type { SchedExtOps, Scx } from "../../../sim/ext/ops.js";
import { SCX_KICK_PREEMPT, SCX_PICK_IDLE_CORE, SCX_WAKE_SYNC, SCX_OPS_ENQ_EXITING, SCX_OPS_ENQ_LAST, SCX_OPS_KEEP_BUILTIN_IDLE, asCpu } from "../../../sim/ext/consts.js";
import { LavdScheduler, asymAvg, calcAvgDecay, options } from "../../../schedulers/lavd.js";
import { resolveOptions } from "../../../schedulers/options.js";
import { anyTask, fakeScx } from "../lib/fake_scx.js";
import { lavdRig, lavdTask } from "./lavd_rig.js";

const p = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 4000 }]), hog("h", 0, { instances: 4 })]);

describe("lavd", () => {
  it("an interactive task (run 0.3 ms, sleep 4 ms) next to 4 hogs on 2 CPUs waits under 6.5 ms at p99 (slices ≤ 5 ms), where simple's p99 exceeds 10 ms", () => {
    const simple = run("simple", p, { topology: "2", durationNs: 5 * S });
    const lavd = run("lavd", p, { topology: "2", durationNs: 5 * S });
    expect(simple.groups.i.wakeupLatencyNs.p99).toBeGreaterThan(10 * MS);
    expect(lavd.groups.i.wakeupLatencyNs.p99).toBeLessThan(6.5 * MS);
    expect(lavd.groups.h.cpuNs + lavd.groups.i.cpuNs).toBe(2 * 5 * S);
  });

  it("--no-preemption stops the victim search (preempt.bpf.c try_find_and_kick_victim_cpu) but not the stat timer's slice shrinking (sys_stat.bpf.c collect_sys_stat, which has no such check)", () => {
    const on = run("lavd", p, { topology: "2", durationNs: 2 * S });
    const off = run("lavd", p, { topology: "2", durationNs: 2 * S, options: { no_preemption: true } });
    expect(on.scx.events.preempt).toBeGreaterThan(0);
    expect(off.scx.events.preempt ?? 0).toBe(0);
    expect(off.scx.events.slice_shrink).toBeGreaterThan(100);
  });
});

type VictimInternals = { tryPreempt(p: unknown, t: unknown, preferred: number, dom: number): void; cpuLatCri: Float64Array; cpuStopAt: Float64Array };

const lavdOn = (topology: string) => new LavdScheduler(fakeScx(topology).scx, resolveOptions("lavd", options, {}));

describe("lavd follows upstream (sched-ext/scx scheds/rust/scx_lavd)", () => {
  it("lat_cri.bpf.c calc_weight_factor: weight × (1 + 128 woken + 128 sync + 1024 hardirq + 128 affinitized + 256 pinned) + 1, about 7 bits of log2 for a woken task; the hardirq boost is used once", () => {
    const l = lavdOn("8");
    const free = Object.assign(anyTask(0), { nrCpusAllowed: 8 });
    const pinned = Object.assign(anyTask(0), { nrCpusAllowed: 1 });
    const kind = (isWakeup: boolean, syncWakeup = false, wokenByHardirq = false) => ({ isWakeup, syncWakeup, wokenByHardirq });
    expect(l.weightFactor(free, kind(false))).toBe(101);
    expect(l.weightFactor(free, kind(true))).toBe(100 * 129 + 1);
    expect(l.weightFactor(free, kind(true, true))).toBe(100 * 257 + 1);
    const irq = kind(true, false, true);
    expect(l.weightFactor(free, irq)).toBe(100 * (1 + 128 + 1024) + 1);
    expect(irq.wokenByHardirq).toBe(false);
    expect(l.weightFactor(pinned, kind(true))).toBe(100 * (1 + 128 + 128 + 256) + 1);
    expect(Math.log2(l.weightFactor(free, kind(true))) - Math.log2(l.weightFactor(free, kind(false)))).toBeGreaterThan(6.9);
  });

  it("main.bpf.c lavd_runnable: the waker's wake frequency is measured (wake_ft > 1 for a pipe's ends) and criticality flows waker → wakee", () => {
    const pipe = plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 20 }, { kind: "resume", ref: "ping" }, { kind: "sleep", us: 600 }], { wakeSync: true }),
      task("ping", [{ kind: "run", us: 20 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }, { kind: "sleep", us: 600 }], { wakeSync: true, delayUs: 100 }),
    ]);
    const seen = { wakeFreq: 0, inherited: 0 };
    type Ctx = { wakeFreq: number; latCriWaker: number };
    const r = run("lavd", pipe, { topology: "2", durationNs: 200 * MS, wrapOps: (ops) => {
      const ctxOf = (q: unknown) => (ops as unknown as { tctx: { get(p: unknown): Ctx } }).tctx.get(q);
      const runnable = ops.runnable!.bind(ops), stopping = ops.stopping!.bind(ops);
      ops.runnable = (q, f) => { runnable(q, f); if (ctxOf(q).latCriWaker > 0) seen.inherited++; };
      ops.stopping = (q, rn) => { stopping(q, rn); seen.wakeFreq = Math.max(seen.wakeFreq, ctxOf(q).wakeFreq); };
    } });
    expect(r.scx.exit).toBeNull();
    // Each wakes the other about once a millisecond; wakeups under LAVD_LC_WAKE_INTERVAL_MIN
    // (0.5 ms) apart are not counted, so the average stays under 2000/s.
    expect(seen.wakeFreq).toBeGreaterThan(100);
    expect(seen.wakeFreq).toBeLessThanOrEqual(2000);
    expect(seen.inherited).toBeGreaterThan(50);
  });

  it("main.bpf.c lavd_runnable/lavd_select_cpu: a sleep's timer wakeup (bpf_in_hardirq) names no waker, so a hog its interrupt finds running keeps wake_freq 0, and the woken task gets the hard-irq boost", () => {
    const p = plan([task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }]), hog("h")]);
    const seen = { hogWakeFreq: 0, irqBoosts: 0 };
    const watch = (ops: SchedExtOps) => {
      const l = ops as unknown as LavdScheduler, ctx = ops as unknown as { tctx: { get(p: unknown): { wakeFreq: number } } };
      const stopping = ops.stopping!.bind(ops), wf = l.weightFactor.bind(l);
      ops.stopping = (q, rn) => { stopping(q, rn); if (q.pid === 2) seen.hogWakeFreq = Math.max(seen.hogWakeFreq, ctx.tctx.get(q).wakeFreq); };
      l.weightFactor = (q, t) => { if (t.wokenByHardirq) seen.irqBoosts++; return wf(q, t); };
    };
    run("lavd", p, { topology: "1", durationNs: 200 * MS, wrapOps: watch });
    expect(seen.hogWakeFreq).toBe(0);
    run("lavd", p, { topology: "2", durationNs: 200 * MS, wrapOps: watch });
    expect(seen.irqBoosts).toBeGreaterThan(50);
  });

  it("main.bpf.c advance_cur_logical_clk: the clock moves (deadline − clock) / nr_queued toward a running task's deadline, never back", () => {
    const l = lavdOn("8");
    l.logicalClock = 1000;
    l.nrQueued = 4;
    l.advanceClock(5000);
    expect(l.logicalClock).toBe(2000);
    l.advanceClock(1500);
    expect(l.logicalClock).toBe(2000);
    l.nrQueued = 0; // no queue: all the way
    l.advanceClock(9000);
    expect(l.logicalClock).toBe(9000);
  });

  it("lat_cri.bpf.c calc_compete_window: (300 ms >> 16) while queued tasks ≤ CPUs, shrinking by CPUs / queued beyond", () => {
    const l = lavdOn("8");
    l.nrQueued = 8;
    expect(l.competeWindow()).toBe(4577);
    l.nrQueued = 16;
    expect(l.competeWindow()).toBe(2288);
  });

  it("main.bpf.c calc_time_slice: a task running longer than the slice gets its average + 0.5 ms while the machine is not busy, else (if more critical than average) up to twice the slice", () => {
    const l = lavdOn("8");
    const t = { avgRuntime: 12 * MS, latCri: 100 } as Parameters<LavdScheduler["timeSlice"]>[0];
    l.sysSlice = 5 * MS; l.avgUtil = 0.5; l.nrQueued = 2;
    expect(l.timeSlice(t, asCpu(0))).toBe(12.5 * MS);
    l.avgUtil = 0.99; // busy: only the critical get more, capped at 2 × slice and their average
    l.avgLatCri = 50;
    expect(l.timeSlice(t, asCpu(0))).toBe(10 * MS);
    l.avgLatCri = 200;
    expect(l.timeSlice(t, asCpu(0))).toBe(5 * MS);
  });

  it("main.bpf.c can_direct_dispatch (--lb-local-dsq-util-pct 10): on a nearly idle machine every wakeup goes straight to a local DSQ", () => {
    const r = run("lavd", plan([task("l", [{ kind: "run", us: 100 }, { kind: "sleep", us: 5000 }], { instances: 2 })]), { topology: "4", durationNs: S / 2 });
    expect((r.scx.events.local ?? 0) + (r.scx.events.direct ?? 0)).toBeGreaterThan(100);
    expect(r.scx.events.domain ?? 0).toBe(0);
  });

  it("preempt.bpf.c try_find_and_kick_victim_cpu: victims are CPUs of the queued task's own domain (the domain's CPUs ∩ the task's, drawn in turn, not CPUs of the machine at large)", () => {
    for (const dom of [0, 1]) {
      const r = lavdRig("2llc-8c"), x = r.l as unknown as VictimInternals;
      // Every CPU of the machine runs less critical work that stops later.
      x.cpuLatCri.fill(0);
      x.cpuStopAt.fill(Infinity);
      const first = dom * 4;
      x.tryPreempt(lavdTask(1, first), { greedy: false, latCri: 100, avgRuntime: MS, sliceWall: MS }, first, dom);
      const asked = r.running.flatMap((t, c) => (t?.slice === 1 ? [c] : []));
      expect(asked.length).toBe(1);
      expect(Math.floor(asked[0] / 4)).toBe(dom);
    }
  });

  it("preempt.bpf.c find_victim_cpu: bpf_cpumask_any_distribute draws the domain's CPUs in turn (CPU 0's first draw is CPU 1) and stops at the second running less critical work that stops later; of the two, the first is the victim only if it could itself kick the second (can_x_kick_y), else the second, even when a better victim lies further on", () => {
    type Internals = { tryPreempt(p: unknown, t: unknown, preferred: number, dom: number): void; cpuLatCri: Float64Array; cpuStopAt: Float64Array };
    const victimOf = (cpus: Record<number, [number, number]>): number => {
      const f = fakeScx("8");
      const running = Array.from({ length: 8 }, () => ({ slice: 20 * MS }));
      Object.assign(f.scx, { stat: () => undefined, currentCpu: () => 0, cpuCurr: (c: number) => running[c], createDsq: () => 0, timerCreate: () => 0, timerStart: () => 0 });
      const l = new LavdScheduler(f.scx, resolveOptions("lavd", options, {}));
      expect(l.init()).toBe(0);
      const x = l as unknown as Internals;
      // Every CPU runs work more critical than the queued task's 100, but the ones set below.
      x.cpuLatCri.fill(1000);
      x.cpuStopAt.fill(10 * MS);
      for (const [c, [lat, stop]] of Object.entries(cpus)) { x.cpuLatCri[Number(c)] = lat; x.cpuStopAt[Number(c)] = stop; }
      // The queued task: lat_cri 100, stops 1 ms from now (its average run).
      x.tryPreempt(anyTask(0), { greedy: false, latCri: 100, avgRuntime: MS, sliceWall: 0 }, 0, 0);
      const asked = running.flatMap((t, c) => (t.slice === 1 ? [c] : []));
      expect(asked.length).toBe(1);
      return asked[0];
    };
    // CPU 3 (lat 10, stops at 50 ms) cannot kick CPU 5 (lat 20, 30 ms): CPU 5 is the victim.
    expect(victimOf({ 3: [10, 50 * MS], 5: [20, 30 * MS] })).toBe(5);
    // CPU 3 (lat 20, 30 ms) could kick CPU 5 (lat 10, 50 ms): CPU 3 is; CPU 6 (lat 1, 100 ms) is never looked at.
    expect(victimOf({ 3: [20, 30 * MS], 5: [10, 50 * MS], 6: [1, 100 * MS] })).toBe(3);
    // One candidate: it.
    expect(victimOf({ 6: [50, 20 * MS] })).toBe(6);
  });

  it("preempt.bpf.c ask_cpu_yield_after: the victim's running task gets a 1 ns slice (it leaves at its next tick) and no IPI (SCX_KICK_PREEMPT) is sent; a CPU so asked (est_stopping_clk 0) is not asked again; get_est_stopping_clk: a task that never ran has slice_wall 0, so it is expected to stop now", () => {
    const r = lavdRig("2"), x = r.l as unknown as VictimInternals;
    r.running[0] = { slice: 20 * MS };
    r.running[1] = { slice: 20 * MS };
    x.cpuLatCri.fill(1000);
    // CPU 1 runs less critical work due to stop 1 ms from now; a new task averages 5 ms but has
    // no slice yet, so its expected stop (now) is earlier.
    x.cpuLatCri[1] = 10;
    x.cpuStopAt.fill(MS);
    const fresh = { greedy: false, latCri: 100, avgRuntime: 5 * MS, sliceWall: 0 };
    x.tryPreempt(lavdTask(1), fresh, 0, 0);
    expect(r.running.map((t) => t?.slice)).toEqual([20 * MS, 1]);
    expect(x.cpuStopAt[1]).toBe(0);
    expect(r.kicks).toEqual([]);
    // Asked once: the slice the victim has by now stays.
    r.running[1] = { slice: 7 };
    x.tryPreempt(lavdTask(2), fresh, 0, 0);
    expect(r.running[1].slice).toBe(7);
    // With a 5 ms slice of its own, the same task would stop after CPU 1's work: no victim.
    const r2 = lavdRig("2"), x2 = r2.l as unknown as VictimInternals;
    x2.cpuLatCri.fill(10);
    x2.cpuStopAt.fill(MS);
    x2.tryPreempt(lavdTask(1), { ...fresh, sliceWall: 5 * MS }, 0, 0);
    expect(r2.running.map((t) => t?.slice)).toEqual([0, 0]);
  });

  it("idle.bpf.c pick_idle_cpu_at_cpdom: beyond the sticky CPU, idle CPUs are claimed by the kernel's picker (scx_bpf_pick_idle_cpu) over the sticky domain's CPUs, not by a scan of the policy's own", () => {
    let prev = -1;
    const strayClaims: number[] = [], outsideDomain: number[] = [];
    let picks = 0;
    const wrapScx = (scx: Scx): Scx => {
      const w = Object.create(scx) as Scx;
      w.testAndClearCpuIdle = (cpu) => { if (cpu !== prev) strayClaims.push(cpu); return scx.testAndClearCpuIdle(cpu); };
      w.pickIdleCpu = (mask, flags) => {
        picks++;
        if (mask !== null) for (let c = 0; c < mask.length; c++) if (mask[c] === 1 && scx.cpuLlc(asCpu(c)) !== scx.cpuLlc(asCpu(prev))) outsideDomain.push(c);
        return scx.pickIdleCpu(mask, flags);
      };
      return w;
    };
    const wrapOps = (ops: SchedExtOps): void => {
      const sel = ops.select_cpu!.bind(ops), enq = ops.enqueue!.bind(ops);
      ops.select_cpu = (p, prevCpu, f) => { prev = prevCpu; return sel(p, prevCpu, f); };
      ops.enqueue = (p, f) => { prev = p.cpu; enq(p, f); };
    };
    const w = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 2000 }], { instances: 6 }), hog("h", 0, { instances: 4 })]);
    run("lavd", w, { topology: "2llc-8c", durationNs: S / 2, wrapScx, wrapOps });
    expect(picks).toBeGreaterThan(10);
    expect(strayClaims).toEqual([]);
    expect(outsideDomain).toEqual([]);
  });

  it("idle.bpf.c pick_idle_cpu: the kernel's picker is asked for a whole idle core only while some core is wholly idle (!i_smt_empty), and for any idle CPU only while an active or overflow CPU is idle (each ask moves the kernel's search cursor)", () => {
    let asks = 0, needlessCore = 0, needlessAny = 0;
    const wrapScx = (scx: Scx): Scx => {
      const w = Object.create(scx) as Scx;
      const idle = (c: number) => scx.isCpuIdle(asCpu(c));
      w.pickIdleCpu = (mask, flags) => {
        const cpus = [...Array(scx.nrCpus()).keys()];
        asks++;
        if (flags & SCX_PICK_IDLE_CORE) {
          if (!cpus.some((c) => idle(c) && (scx.cpuSibling(asCpu(c)) < 0 || idle(scx.cpuSibling(asCpu(c)))))) needlessCore++;
        } else if (!cpus.some(idle)) needlessAny++;
        return scx.pickIdleCpu(mask, flags);
      };
      return w;
    };
    // 13 hogs on 8 cores of 2 threads: mostly no core is wholly idle, yet CPUs are.
    const w = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }], { instances: 12 }), hog("h", 0, { instances: 13 })]);
    run("lavd", w, { topology: "2s-2llc-8c-smt", durationNs: S / 2, wrapScx });
    expect(asks).toBeGreaterThan(10);
    expect(needlessCore).toBe(0);
    expect(needlessAny).toBe(0);
  });

  it("idle.bpf.c is_sync_waker_idle: a synchronous wakeup whose prev is busy goes to the waker's CPU (not claimed: it runs the waker) when nothing waits there, before any other idle CPU; util.bpf.c queued_on_cpu counts the CPU's domain DSQ too, so a picked idle CPU whose domain has a queued task takes no direct dispatch (main.bpf.c can_direct_dispatch)", () => {
    const build = (domQueued: number) => {
      const f = fakeScx("4");
      let picks = 0;
      Object.assign(f.scx, {
        now: () => 0, stat: () => undefined, currentCpu: () => 0, currentTask: () => null, cpuCurr: () => null, taskCpu: (p: { cpu: number }) => p.cpu, createDsq: () => 0, cpuperfSet: () => undefined, inHardirq: () => false,
        timerCreate: () => 0, timerStart: () => undefined, kickCpu: () => undefined,
        dsqNrQueued: (d: number) => (d === 0 ? domQueued : 0),
        pickIdleCpu: (mask: Uint8Array) => { picks++; for (let c = 0; c < 4; c++) if (mask[c] === 1 && f.idle[c] === 1) { f.idle[c] = 0; return c; } return -16; },
        dsqInsert: () => { inserted++; },
      });
      let inserted = 0;
      const l = new LavdScheduler(f.scx, resolveOptions("lavd", options, {}));
      expect(l.init()).toBe(0);
      return { l, f, picks: () => picks, inserted: () => inserted };
    };
    const sync = build(0);
    sync.f.idle[3] = 1;
    expect(sync.l.select_cpu(lavdTask(1, 2), asCpu(2), SCX_WAKE_SYNC)).toBe(0);
    expect([sync.picks(), sync.f.idle[3]]).toEqual([0, 1]);
    const plain = build(0);
    plain.f.idle[3] = 1;
    expect(plain.l.select_cpu(lavdTask(1, 2), asCpu(2), 0)).toBe(3);
    // Domain DSQ busy: the waker's CPU is not idle in upstream's sense, and the idle CPU picked gets no direct insert.
    const queued = build(1);
    queued.f.idle[3] = 1;
    queued.l.cpuUtil.fill(0.5);
    expect(queued.l.select_cpu(lavdTask(1, 2), asCpu(2), SCX_WAKE_SYNC)).toBe(3);
    expect(queued.inserted()).toBe(0);
    plain.l.cpuUtil.fill(0.5);
    plain.f.idle[3] = 1;
    const before = plain.inserted();
    plain.l.select_cpu(lavdTask(2, 2), asCpu(2), 0);
    expect(plain.inserted()).toBe(before + 1);
  });

  it("idle.bpf.c find_sticky_cpu_and_cpdom: for a synchronous wakeup whose waker's domain carries less load (load_invr, from the last plan) than prev's, the search starts in the waker's domain, not at prev", () => {
    const f = fakeScx("2llc-8c");
    Object.assign(f.scx, {
      now: () => 0, stat: () => undefined, currentCpu: () => 4, currentTask: () => null, cpuCurr: () => null, taskCpu: (p: { cpu: number }) => p.cpu, createDsq: () => 0, cpuperfSet: () => undefined, inHardirq: () => false,
      timerCreate: () => 0, timerStart: () => undefined, kickCpu: () => undefined, dsqInsert: () => undefined,
      dsqNrQueued: (d: number) => (d === 1 ? 1 : 0),
      pickIdleCpu: (mask: Uint8Array) => { for (let c = 0; c < 8; c++) if (mask[c] === 1 && f.idle[c] === 1) { f.idle[c] = 0; return c; } return -16; },
    });
    const l = new LavdScheduler(f.scx, resolveOptions("lavd", options, {}));
    expect(l.init()).toBe(0);
    const pick = (load0: number, load1: number) => {
      f.idle.fill(0);
      f.idle[3] = f.idle[6] = 1;
      l.balance.load[0] = load0;
      l.balance.load[1] = load1;
      return l.select_cpu(lavdTask(1, 1), asCpu(1), SCX_WAKE_SYNC);
    };
    // The waker's CPU 4 has work queued in its domain, so it is not taken itself.
    expect(pick(2000, 100)).toBe(6);
    expect(pick(100, 2000)).toBe(3);
    expect(pick(500, 500)).toBe(3);
  });

  it("scx common.bpf.h __calc_avg and lavd util.bpf.c calc_asym_avg: 7/8 old + 1/8 new in integers, half and half while either value is below 2^decay; utilisation in 1/1024 steps halves towards an idle interval", () => {
    expect(calcAvgDecay(800, 1600, 3)).toBe(800 - 100 + 200);
    expect(calcAvgDecay(800, 0, 3)).toBe(400);
    expect(calcAvgDecay(5, 1000, 3)).toBe(3 + 500);
    expect(calcAvgDecay(1, 0, 3)).toBe(0);
    expect(calcAvgDecay(3, 0, 3)).toBe(2);
    // The object's CPU utilisation after a first interval 856/1024 busy, then an idle one.
    const first = asymAvg(0, 856 / 1024);
    expect(first * 1024).toBe(428);
    expect(asymAvg(first, 0) * 1024).toBe(214);
    expect(asymAvg(428 / 1024, 900 / 1024) * 1024).toBe(900 - 225 + 107);
  });

  it("main.rs Opts and lavd_ops: option defaults are upstream's, the watchdog is 30 s and the ops flags are ENQ_EXITING | ENQ_LAST | KEEP_BUILTIN_IDLE", () => {
    expect(resolveOptions("lavd", options, {})).toEqual({
      slice_min_us: 500, slice_max_us: 5000, preempt_shift: 6, pinned_slice_us: 5000, lat_load_target_pct: 100, lb_local_dsq_util_pct: 10, no_preemption: false, no_slice_boost: false, no_freq_scaling: false,
      autopilot: false, autopower: false, performance: false, powersave: false, balanced: false, no_core_compaction: false,
      mig_delta_pct: 0, lb_low_util_pct: 25,
    });
    expect(lavdOn("1").timeout_ms).toBe(30_000);
    expect(lavdOn("1").flags).toBe(SCX_OPS_ENQ_EXITING | SCX_OPS_ENQ_LAST | SCX_OPS_KEEP_BUILTIN_IDLE);
  });
});
