import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";
import type { Scx } from "../../../sim/ext/ops.js";
import { P2dqScheduler, options, type TaskCtx } from "../../../schedulers/p2dq.js";
import { findScheduler } from "../../../schedulers/index.js";
import { resolveOptions } from "../../../schedulers/options.js";
import { anyTask, fakeScx } from "../lib/fake_scx.js";
import { niceToWeight, scxWeight } from "../../../sim/weights.js";
import { SCX_ENQ_PREEMPT, asCpu } from "../../../sim/ext/consts.js";

describe("p2dq", () => {
  it("keeps tasks in their LLC: 12 hogs and 4 sleepers on 2llc-8c migrate across LLCs under 20 times in 5 s, against over 1000 under simple", () => {
    const p = plan([hog("h", 0, { instances: 12 }), task("s", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 3000 }], { instances: 4 })]);
    const simple = run("simple", p, { topology: "2llc-8c", durationNs: 5 * S });
    const p2dq = run("p2dq", p, { topology: "2llc-8c", durationNs: 5 * S });
    expect(simple.totals.migrations.llc).toBeGreaterThan(1000);
    expect(p2dq.totals.migrations.llc).toBeLessThan(20);
    expect(p2dq.totals.utilization).toBe(1);
  });

});

/** Records the slice of every insert of the task named `comm`. */
function sliceLog(comm: string, out: number[]) {
  return (scx: Scx): Scx => {
    const w = Object.create(scx) as Scx;
    w.dsqInsert = (p, dsq, slice, flags) => { if (p.comm === comm) out.push(slice); scx.dsqInsert(p, dsq, slice, flags); };
    w.dsqInsertVtime = (p, dsq, slice, vtime, flags) => { if (p.comm === comm) out.push(slice); scx.dsqInsertVtime(p, dsq, slice, vtime, flags); };
    return w;
  };
}

const hogs = (n: number) => plan([hog("h", 0, { instances: n })]);

describe("p2dq follows upstream (sched-ext/scx scheds/rust/scx_p2dq)", () => {
  it("main.bpf.c can_migrate + p2dq_update_idle: only when the machine (< 5 % idle) or the task's LLC (no idle CPU when one of its CPUs left idle) is saturated, as update_idle last found, only for tasks on every CPU whose LLC runs are counted down; interactive ones too by default", () => {
    const f = fakeScx("2llc-8c");
    const make = (o = {}) => new P2dqScheduler(f.scx, resolveOptions("p2dq", options, o));
    const q = make();
    const p = anyTask(0);
    Object.assign(p, { nrCpusAllowed: 8 });
    const t: TaskCtx = { cls: 0, llc: 0, placed: true, llcRuns: 0, sliceNs: 0, lastRunAt: 0, lastRunStarted: 0, wasNice: false, peltAt: 0, utilSum: 0, utilAvg: 0, periodContribMs: 0, peltLlc: -1, peltUtil: 0 };
    f.idle.fill(0); f.idle[1] = 1; f.idle[5] = 1; // both LLCs have an idle CPU, 25 % idle
    q.update_idle(asCpu(1), true);
    expect(q.canMigrate(p, t, 0)).toBe(false);
    f.idle[1] = 0; // LLC 0 saturated
    expect(q.canMigrate(p, t, 0)).toBe(false); // not seen until an update
    q.update_idle(asCpu(1), false);
    expect(q.canMigrate(p, t, 0)).toBe(true);
    expect(make({ dispatch_lb_interactive: false }).canMigrate(p, t, 0)).toBe(false); // class 0 is interactive
    expect(q.canMigrate(p, { ...t, llcRuns: 1 }, 0)).toBe(false);
    expect(q.canMigrate(Object.assign(anyTask(0), { nrCpusAllowed: 4 }), t, 0)).toBe(false);
    f.idle.fill(0); f.idle[5] = 1; // 12 % idle, LLC 1 not saturated
    q.update_idle(asCpu(5), true);
    expect(q.canMigrate(p, t, 1)).toBe(false);
    f.idle[5] = 0; // machine saturated (and overloaded): every LLC's tasks may migrate
    q.update_idle(asCpu(2), false);
    expect(q.canMigrate(p, t, 1)).toBe(true);
  });

  it("without saturation no task crosses LLCs once placed: 3 hogs on 2llc-8c", () => {
    expect(run("p2dq", hogs(3), { topology: "2llc-8c", durationNs: S }).totals.migrations.llc).toBe(0);
  });

  it("main.bpf.c can_migrate with --dispatch-lb-interactive (default true): class-0 (interactive) hogs may migrate; with it off they never cross LLCs", () => {
    const off = run("p2dq", hogs(12), { topology: "2llc-8c", durationNs: S, options: { dispatch_lb_interactive: false } });
    expect(off.totals.migrations.llc).toBe(0);
  });

  it("main.bpf.c dispatch_pick_two: no utilisation gate; the busier LLC's migration DSQ if at least ours + 5 %, else nothing, unless the machine is saturated", () => {
    const f = fakeScx("2llc-8c");
    const pulled: number[] = [];
    Object.assign(f.scx, { now: () => 10 * MS, randomU32: () => 0, stat: () => undefined, dsqMoveToLocal: (d: number) => { pulled.push(d); return true; } });
    const q = new P2dqScheduler(f.scx, resolveOptions("p2dq", options, {}));
    f.idle.fill(1); // not saturated
    q.update_idle(asCpu(0), true);
    q.llcLoad[0] = 104; q.llcLoad[1] = 100;
    expect(q.pickTwo(1)).toBe(false); // 104 < 100 + 5 %
    q.llcLoad[0] = 105;
    expect(q.pickTwo(1)).toBe(true);
    expect(pulled).toEqual([2]); // LLC 0's migration DSQ (id nrLlcs + 0)
    pulled.length = 0;
    q.llcLoad[0] = 10; // lighter than us, but every CPU is busy: pull anyway
    f.idle.fill(0);
    q.update_idle(asCpu(3), false);
    expect(q.pickTwo(1)).toBe(true);
    expect(pulled).toEqual([2]);
  });

  it("main.bpf.c p2dq_init_task (init_dsq_index 0) and p2dq_stopping: new tasks start in class 0, and a hog that never sleeps stays there (0.5 ms slices)", () => {
    const slices: number[] = [];
    run("p2dq", plan([hog("h", 0, { instances: 2 })]), { durationNs: 100 * MS, wrapScx: sliceLog("h-0", slices) });
    expect(slices.length).toBeGreaterThan(50);
    expect(new Set(slices)).toEqual(new Set([0.5 * MS]));
  });

  it("main.bpf.c p2dq_stopping: an awake period using ≥ 90 % of its slice climbs a class when the task sleeps: 3 ms bursts get 0.5, 2.5, then 5 ms", () => {
    const slices: number[] = [];
    run("p2dq", plan([task("b", [{ kind: "run", us: 3000 }, { kind: "sleep", us: 1000 }])]), { durationNs: 30 * MS, wrapScx: sliceLog("b", slices) });
    expect(slices.slice(0, 3)).toEqual([0.5 * MS, 2.5 * MS, 5 * MS]);
    for (const s of slices.slice(3)) expect(s).toBe(5 * MS);
  });

  it("main.bpf.c pick_idle_cpu, WAKE_SYNC branch: a sync wakeup whose prev is busy takes an idle CPU of its LLC or stays on prev; it never leaves its LLC without --wakeup-llc-migrations", () => {
    // A pipe beside 7 hogs on 4llc-16c: the wakee's prev is often taken when it wakes, its LLC not saturated.
    const ends = (sync: boolean) => plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 700 }, { kind: "resume", ref: "ping" }], { wakeSync: sync }),
      task("ping", [{ kind: "run", us: 700 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { wakeSync: sync, delayUs: 50 }),
      hog("h", 0, { instances: 7 }),
    ]);
    const sync = run("p2dq", ends(true), { topology: "4llc-16c", durationNs: S });
    const ev = (r: typeof sync, k: string) => r.scx.events[k] ?? 0;
    expect(ev(sync, "wake_llc") + ev(sync, "wake_prev")).toBeGreaterThan(50);
    expect(ev(sync, "wake_mig")).toBe(0);
    const plain = run("p2dq", ends(false), { topology: "4llc-16c", durationNs: S });
    expect(ev(plain, "wake_llc") + ev(plain, "wake_prev") + ev(plain, "wake_mig")).toBe(0);
  });

  it("main.bpf.c load_balance_timer + pick_idle_cpu's lb_llc_id: every LLC hints LLC 0 until the first period ends; then an LLC more than 5 % busier than the one it is compared with hints that one, and a wakeup with its LLC runs counted down follows a hint once", () => {
    const f = fakeScx("2llc-8c");
    Object.assign(f.scx, { now: () => 0, timerStart: () => 0, stat: () => undefined });
    const q = new P2dqScheduler(f.scx, resolveOptions("p2dq", options, { enable_pelt: false }));
    expect(Array.from(q.llcHint)).toEqual([0, 0]);
    q.llcLoad[0] = 100; q.llcLoad[1] = 50;
    (q as unknown as { onTimer(): void }).onTimer();
    expect(Array.from(q.llcHint)).toEqual([1, -1]);
    expect(Array.from(q.llcLoad)).toEqual([0, 0]); // per-period counters start again
    q.llcLoad[0] = 100; q.llcLoad[1] = 96; // 4 % apart: no hint
    (q as unknown as { onTimer(): void }).onTimer();
    expect(Array.from(q.llcHint)).toEqual([-1, -1]);
  });

  it("main.bpf.c update_task_pelt + aggregate_pelt_to_llc (PELT on by default): 1 ms periods decay a task's sum by 127/128 each, run time adds whole ms × capacity × frequency / 2^20, the average is sum / 128; its LLC's load is the sum of its tasks' last averages, moved when a task changes LLC", () => {
    const f = fakeScx("2llc-8c");
    let now = 0;
    Object.assign(f.scx, { now: () => now, taskCpu: (p: { cpu: number }) => p.cpu, cpuCapacity: () => 1024, cpuperfCur: () => 1024, stat: () => undefined, timerStart: () => 0 });
    const q = new P2dqScheduler(f.scx, resolveOptions("p2dq", options, {}));
    const p = Object.assign(anyTask(1), { weight: 100, dsqVtime: 0, nrCpusAllowed: 8 });
    const t = (q as unknown as { tctx: { get(p: unknown): TaskCtx } }).tctx.get(p);
    now = 1_000_000;
    q.running(p); // the first update only starts the clock
    now = 401_000_000; // ran 400 ms: 400 periods since, decay of nothing, + 400 ms at full speed
    q.stopping(p, false);
    expect(t.utilSum).toBe(400);
    expect(t.utilAvg).toBe(3); // 400 / 128
    expect(Array.from(q.llcLoad)).toEqual([3, 0]);
    now = 401_500_000; // under a period: nothing decays, nothing is added yet
    q.runnable(p);
    expect(t.utilSum).toBe(400);
    now = 403_500_000; // 2 periods: 400 → 396 → 392
    q.runnable(p);
    expect(t.utilSum).toBe(392);
    t.llc = 1; // it last ran in LLC 1: its contribution moves there
    q.runnable(p);
    expect(Array.from(q.llcLoad)).toEqual([0, 3]);
    (q as unknown as { onTimer(): void }).onTimer();
    expect(Array.from(q.llcLoad)).toEqual([0, 3]); // PELT sums are not reset by the load period
  });

  it("main.bpf.c p2dq_dispatch_impl: a head at vtime 0 counts as no choice yet (min_vtime == 0), so the migration DSQ's head wins a tie at 0 over the LLC DSQ's", () => {
    const f = fakeScx("2llc-8c");
    const heads = new Map<number, { dsqVtime: number }>([[0, { dsqVtime: 0 }], [2, { dsqVtime: 0 }]]); // LLC 0's DSQ and its migration DSQ
    const moved: number[] = [];
    Object.assign(f.scx, {
      dsqPeek: (d: number) => heads.get(d) ?? null, cpuAllowed: () => true,
      dsqMoveToLocal: (d: number) => { moved.push(d); return heads.has(d); }, now: () => 0, stat: () => undefined,
    });
    new P2dqScheduler(f.scx, resolveOptions("p2dq", options, {})).dispatch(asCpu(1));
    expect(moved[0]).toBe(2);
    heads.set(0, { dsqVtime: 5 }); heads.set(2, { dsqVtime: 7 });
    moved.length = 0;
    new P2dqScheduler(f.scx, resolveOptions("p2dq", options, {})).dispatch(asCpu(1));
    expect(moved[0]).toBe(0);
  });

  it("main.bpf.c p2dq_init_task_impl: the first slice is the init class's slice scaled by weight and not clamped (a nice-5 hog's first is under 0.5 ms; a nice -5 hog's above it)", () => {
    for (const nice of [5, -5]) {
      const slices: number[] = [];
      run("p2dq", plan([hog("n", nice)]), { durationNs: MS, wrapScx: sliceLog("n", slices) });
      const w = scxWeight(niceToWeight(nice));
      expect(slices[0]).toBe(Math.floor((0.5 * MS * w) / 100));
      expect(slices[0]).not.toBe(0.5 * MS);
    }
  });

  it("main.bpf.c p2dq_running_impl / p2dq_stopping / p2dq_enqueue_promise (CPU_CTX_F_NICE_TASK): a task woken onto a CPU running a task under weight 100 goes to that CPU's local DSQ with SCX_ENQ_PREEMPT; beside a nice-0 hog it is queued by vtime", () => {
    const sleeper = task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 2000 }]);
    for (const nice of [5, 0]) {
      const flags: number[] = [];
      const wrap = (scx: Scx): Scx => {
        const w = Object.create(scx) as Scx;
        w.dsqInsert = (p, dsq, slice, f) => { if (p.comm === "s") flags.push(f); scx.dsqInsert(p, dsq, slice, f); };
        return w;
      };
      const r = run("p2dq", plan([hog("h", nice), sleeper]), { durationNs: 50 * MS, wrapScx: wrap });
      const preempting = flags.filter((f) => (f & SCX_ENQ_PREEMPT) !== 0).length;
      if (nice > 0) {
        expect(preempting).toBeGreaterThan(10);
        expect(r.scx.events.nice_preempt).toBe(preempting);
      } else expect(preempting).toBe(0);
    }
  });

  it("lib.rs SchedulerOpts and p2dq_ops: option defaults are upstream's and the watchdog is 25 s", () => {
    expect(resolveOptions("p2dq", options, {})).toEqual({
      dsq_slice0_us: 500, dsq_slice1_us: 2500, dsq_slice2_us: 5000, init_dsq_index: 0, lb_slack_pct: 5,
      saturated_percent: 5, dispatch_lb_interactive: true, wakeup_llc_migrations: false, lb_interval_us: 250_000,
      enable_pelt: true,
    });
    expect(findScheduler("p2dq").create(fakeScx("1").scx, {}).timeout_ms).toBe(25_000);
  });
});
