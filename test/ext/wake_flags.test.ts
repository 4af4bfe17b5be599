/**
 * Wake flags and the waker (issue 15.3), each against the kernel function it follows:
 * try_to_wake_up adds WF_TTWU to every wakeup, wake_up_new_task passes WF_FORK, a pipe write
 * wakes through __wake_up_sync_key with WF_SYNC (kernel/sched/core.c, fs/pipe.c), and
 * select_task_rq_scx hands these to ops.select_cpu as SCX_WAKE_* (kernel/sched/ext.c). Inside
 * the wakeup's callbacks bpf_get_current_task_btf() is the waker; scx_select_cpu_dfl's SYNC step
 * (kernel/sched/ext_idle.c) prefers prev in the waker's LLC, then the waker's own CPU.
 */
import { describe, expect, it } from "vitest";
import { SCX_WAKE_FORK, SCX_WAKE_SYNC, SCX_WAKE_TTWU, asCpu, asDsq } from "../../sim/ext/consts.js";
import { IdleTracker } from "../../sim/ext/idle_tracker.js";
import type { SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import type { TaskSpec } from "../../sim/plan.js";
import { flatTopology, resolveTopology } from "../../sim/topology.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { expectExit } from "./util.js";

const MS = 1_000_000;

interface Seen { cb: string; pid: number; flags: number; waker: number; cpu: number; irq: boolean }

/** A global-FIFO scheduler that records, per wakeup callback, the flags and who the waker is. */
function recorder(scx: Scx, seen: Seen[], extra: Partial<SchedExtOps> = {}): SchedExtOps {
  const note = (cb: string, p: ScxTask, flags: number) =>
    seen.push({ cb, pid: p.pid, flags, waker: scx.currentTask()?.pid ?? 0, cpu: scx.currentCpu(), irq: scx.inHardirq() });
  return {
    name: "wakerec",
    select_cpu: (p, prev, flags) => { note("select_cpu", p, flags); return prev; },
    enqueue: (p, flags) => { note("enqueue", p, flags); scx.dsqInsert(p, asDsq(0), 5 * MS, flags); },
    init: () => scx.createDsq(asDsq(0), -1),
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    ...extra,
  };
}

/** ping and pong take turns through suspend/resume, as the built-in pipe does; `sync` marks them as pipe ends. */
function pingPong(sync: boolean): TaskSpec[] {
  const over = sync ? { wakeSync: true } : {};
  return [
    task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 10 }, { kind: "resume", ref: "ping" }], over),
    task("ping", [{ kind: "run", us: 10 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { ...over, delayUs: 100 }),
  ];
}

function pidOf(m: ReturnType<typeof machine>, comm: string): number {
  return m.kernel.tasks.find((t) => t.comm === comm)!.pid;
}

describe("wake flags (core.c try_to_wake_up / wake_up_new_task → ext.c select_task_rq_scx)", () => {
  it("try_to_wake_up adds WF_TTWU: a resume (an rt-app futex wake) gives SCX_WAKE_TTWU without SYNC, and the waker is current", () => {
    const m = machine(plan(pingPong(false)), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(5 * MS);
    const ping = pidOf(m, "ping"), pong = pidOf(m, "pong");
    const resumes = seen.filter((s) => s.cb === "select_cpu" && s.waker !== 0);
    expect(resumes.length).toBeGreaterThan(10);
    for (const s of resumes) {
      expect(s.flags).toBe(SCX_WAKE_TTWU);
      expect(s.waker).toBe(s.pid === pong ? ping : pong);
    }
  });

  it("__wake_up_sync_key passes WF_SYNC: a wake_sync task's resume (a pipe write) gives SCX_WAKE_TTWU | SCX_WAKE_SYNC", () => {
    const m = machine(plan(pingPong(true)), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(5 * MS);
    const resumes = seen.filter((s) => s.cb === "select_cpu" && s.waker !== 0);
    expect(resumes.length).toBeGreaterThan(10);
    for (const s of resumes) expect(s.flags).toBe(SCX_WAKE_TTWU | SCX_WAKE_SYNC);
  });

  it("a sleep ending on an idle CPU wakes from the timer interrupt (hrtimer_wakeup): SCX_WAKE_TTWU, current is the idle task (no view), bpf_in_hardirq(), current CPU = the task's previous CPU", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }], { wakeSync: true })]), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(10 * MS);
    // The first is the task's start (SCX_WAKE_FORK); every later one ends a sleep.
    const wakes = seen.filter((s) => s.cb === "select_cpu").slice(1);
    expect(seen[0].flags).toBe(SCX_WAKE_FORK);
    expect(wakes.length).toBeGreaterThan(5);
    for (const s of wakes) {
      expect(s.flags).toBe(SCX_WAKE_TTWU); // wake_sync is about wakeups this task makes, not its own
      expect(s.waker).toBe(0);
      expect(s.irq).toBe(true);
      expect(s.cpu).toBe(m.kernel.tasks.find((t) => t.pid === s.pid)!.lastRanCpu);
    }
  });

  it("hrtimer_wakeup runs in the interrupt of the sleeper's CPU: on one CPU with a hog, the hog is current in every later wakeup's enqueue, in hard-interrupt context", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }]), hog("h")]), { cpus: 1 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(30 * MS);
    const s = pidOf(m, "s"), h = pidOf(m, "h");
    const wakes = seen.filter((x) => x.cb === "enqueue" && x.pid === s && x.flags !== 0).slice(1);
    expect(wakes.length).toBeGreaterThan(3);
    for (const x of wakes) {
      expect(x.irq).toBe(true);
      expect(x.waker).toBe(h);
      expect(x.cpu).toBe(0);
    }
  });

  it("the timer's CPU stays the current CPU after select_cpu chose another: enqueue runs where the interrupt fired", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }])]), { cpus: 2 });
    const log: { cb: string; cpu: number; prev: number; taskCpu: number }[] = [];
    attach(m, (scx) => recorder(scx, [], {
      select_cpu: (p, prev) => { log.push({ cb: "select_cpu", cpu: scx.currentCpu(), prev, taskCpu: -1 }); return asCpu(1 - prev); },
      enqueue: (p, flags) => { log.push({ cb: "enqueue", cpu: scx.currentCpu(), prev: -1, taskCpu: scx.taskCpu(p) }); scx.dsqInsert(p, asDsq(0), 5 * MS, flags); },
    }));
    m.runFor(10 * MS);
    const pairs = log.flatMap((e, i) => (e.cb === "enqueue" && i > 0 && log[i - 1].cb === "select_cpu" ? [[log[i - 1], e]] : []));
    expect(pairs.length).toBeGreaterThan(5);
    for (const [sel, enq] of pairs.slice(1)) {
      expect(sel.cpu).toBe(sel.prev);
      expect(enq.cpu).toBe(sel.prev);
      expect(enq.taskCpu).toBe(1 - sel.prev);
    }
  });

  it("a wakeup a task makes is not in an interrupt: bpf_in_hardirq() is false for a resume", () => {
    const m = machine(plan(pingPong(false)), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(5 * MS);
    const resumes = seen.filter((x) => x.waker !== 0 && x.flags === SCX_WAKE_TTWU);
    expect(resumes.length).toBeGreaterThan(10);
    expect(resumes.every((x) => !x.irq)).toBe(true);
  });

  it("wake_up_new_task passes WF_FORK alone: a forked task's first select_cpu has SCX_WAKE_FORK and its parent as current", () => {
    const m = machine(plan([
      task("parent", [{ kind: "run", us: 500 }, { kind: "fork", task: "child" }, { kind: "sleep", us: 500 }]),
      task("child", [{ kind: "run", us: 100 }], { forkOnly: true, instances: 0, loop: 1 }),
    ]), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen));
    m.runFor(5 * MS);
    const parent = pidOf(m, "parent");
    const forks = seen.filter((s) => s.cb === "select_cpu" && (s.flags & SCX_WAKE_FORK) !== 0 && s.pid !== parent);
    expect(forks.length).toBeGreaterThan(2);
    for (const s of forks) {
      expect(s.flags).toBe(SCX_WAKE_FORK);
      expect(s.waker).toBe(parent);
      expect(s.pid).not.toBe(parent);
    }
  });

  it("the waker is the same in enqueue as in select_cpu, and its view is read-only (a write is an error exit)", () => {
    const m = machine(plan(pingPong(false)), { cpus: 2 });
    const seen: Seen[] = [];
    attach(m, (scx) => recorder(scx, seen, {
      select_cpu: (p, prev) => {
        const w = scx.currentTask();
        if (w !== null && scx.now() > 2 * MS) (w as { pid: number }).pid = 1;
        return prev;
      },
    }));
    m.runFor(1 * MS);
    const enq = seen.filter((s) => s.cb === "enqueue" && s.waker !== 0);
    expect(enq.length).toBeGreaterThan(5);
    m.runFor(4 * MS);
    expectExit(m, "SCX_EXIT_ERROR_BPF", /p\.pid is read-only/);
  });

  it("the trace keeps each wakeup's flags beside waker and wakee", () => {
    const m = machine(plan(pingPong(true)), { cpus: 2, timeline: true });
    attach(m, (scx) => recorder(scx, []));
    m.runFor(2 * MS);
    const tl = m.result().timeline!;
    const byTask = tl.wakerPid.map((w, i) => ({ w, f: tl.wakeFlags![i] }));
    expect(byTask.filter((x) => x.w !== 0).every((x) => x.f === (SCX_WAKE_TTWU | SCX_WAKE_SYNC))).toBe(true);
    expect(byTask.filter((x) => x.w !== 0).length).toBeGreaterThan(10);
    expect(byTask.filter((x) => x.w === 0).every((x) => x.f === SCX_WAKE_TTWU || x.f === SCX_WAKE_FORK)).toBe(true);
  });
});

describe("scx_select_cpu_dfl's SYNC step (kernel/sched/ext_idle.c)", () => {
  const out = { cpu: -1, isIdle: false };
  /** Two LLCs of four CPUs: 0-3 and 4-7. */
  const two = () => resolveTopology("2llc-8c");
  const allIdle = (t: IdleTracker) => t.idle.fill(1);

  it("prev idle and in the waker's LLC: prev, no migration", () => {
    const idle = new IdleTracker(flatTopology(4));
    allIdle(idle);
    idle.idle[0] = 0; // the waker runs there
    idle.selectDfl(null, 2, out, 0, true, 0);
    expect(out).toEqual({ cpu: 2, isIdle: true });
    expect(idle.idle[2]).toBe(0);
  });

  it("prev idle in another LLC: the waker's CPU (found, so the wakee is queued there); without SYNC: prev", () => {
    const idle = new IdleTracker(two());
    allIdle(idle);
    idle.idle[1] = 0;
    idle.selectDfl(null, 5, out, 1, true, 1);
    expect(out).toEqual({ cpu: 1, isIdle: true });
    expect(idle.idle[5]).toBe(1); // prev was not claimed
    idle.selectDfl(null, 5, out, -1, false, 0);
    expect(out).toEqual({ cpu: 5, isIdle: true });
  });

  it("the waker's local DSQ not empty, or no CPU idle: the normal search", () => {
    const idle = new IdleTracker(two());
    allIdle(idle);
    idle.idle[1] = 0;
    idle.idle[5] = 0;
    idle.selectDfl(null, 5, out, 1, false, 1);
    expect(out.isIdle).toBe(true);
    expect(out.cpu).not.toBe(1);
    expect([4, 6, 7]).toContain(out.cpu); // an idle CPU in prev's LLC first
    idle.idle.fill(0);
    idle.selectDfl(null, 5, out, 1, true, 1);
    expect(out).toEqual({ cpu: 5, isIdle: false });
  });

  it("the waker's CPU outside the wakee's affinity: the normal search", () => {
    const idle = new IdleTracker(two());
    allIdle(idle);
    idle.idle[1] = 0;
    const mask = new Uint8Array(8).fill(1);
    mask[1] = 0;
    idle.selectDfl(mask, 5, out, 1, true, 1);
    expect(out).toEqual({ cpu: 5, isIdle: true });
  });
});
