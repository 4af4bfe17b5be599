/**
 * sched_ext semantics (reference/sched_ext.md §2, §3): every exit kind with its reason string and
 * what must hold after it; DSQ ordering; the pick order local → global → dispatch; ENQ_HEAD and
 * ENQ_PREEMPT; keeping prev; ENQ_LAST; the dispatch buffer; stale dispatches; select_cpu
 * fallback; SWITCH_PARTIAL; weights. Times are exact: the machine is ideal (no overheads).
 */
import { describe, expect, it } from "vitest";
import { EPOLLHUP } from "../../sim/bpf/index.js";
import {
  SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_ENQ_HEAD, SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_WAKEUP,
  SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_OPS_ENQ_LAST, SCX_OPS_SWITCH_PARTIAL, SCX_SLICE_DFL,
  asCpu, asDsq,
} from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import type { Machine } from "../../sim/machine.js";
import type { TaskSpec } from "../../sim/plan.js";
import { Cls } from "../../sim/task.js";
import { hog, plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { expectAllFair, expectExit, linkMapId, live, load, placeViolations, syncCpu, totalCpuNs, type Loaded } from "./util.js";

const MS = 1_000_000;

/** Two hogs, a sleeper and a short task that exits, on two CPUs. */
function world(): Machine {
  return machine(plan([
    hog("a"), hog("b"),
    task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }]),
    task("short", [{ kind: "run", us: 2000 }], { loop: 1 }),
  ]), { cpus: 2, durationNs: 10e9 });
}

/** A FIFO scheduler on user DSQ 0, with overrides. */
function fifo(scx: Scx, extra: Partial<SchedExtOps> = {}): SchedExtOps {
  return {
    name: "fifo",
    init: () => scx.createDsq(asDsq(0), -1),
    enqueue: (p, f) => scx.dsqInsert(p, asDsq(0), 5 * MS, f),
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    ...extra,
  };
}

/**
 * What must hold after any exit: everyone on fair, nothing lost, work goes on (both CPUs stay
 * busy: two hogs), and for kernel-initiated exits the link stays attached until user space
 * closes it (closing it then changes nothing).
 */
function afterExit(m: Machine, l: Loaded, kernelInitiated: boolean): void {
  expectAllFair(m);
  const kind = m.scx.exitInfo!.kind;
  if (kernelInitiated) {
    expect(linkMapId(l.proc, l.link)).not.toBe(0);
    expect(l.proc.bpf.linkPoll(l.link)).toBe(0); // no EPOLLHUP: nothing detached the link
  }
  const cpu0 = totalCpuNs(m);
  m.runFor(30 * MS);
  expect(totalCpuNs(m) - cpu0).toBe(2 * 30 * MS);
  expectAllFair(m);
  expect(m.invariants().exited).toBeGreaterThan(0); // "short" finished, under one class or the other
  if (kernelInitiated && l.proc.alive) {
    expect(l.proc.close(l.link)).toBe(0);
    expect(m.scx.exitInfo!.kind).toBe(kind);
    expect(m.bpf.listLinks()).toEqual([]);
  }
}

describe("exit kinds, reasons, and what holds after each", () => {
  it("UNREG via BPF_LINK_DETACH: 'unregistered from user space'; the link fd reports EPOLLHUP and map_id 0", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx));
    m.runFor(10 * MS);
    expect(l.proc.bpf.linkDetach(l.link)).toBe(0);
    expectExit(m, "SCX_EXIT_UNREG", "");
    expect(m.scx.exitInfo!.atNs).toBe(10 * MS);
    expect(linkMapId(l.proc, l.link)).toBe(0);
    expect(l.proc.bpf.linkPoll(l.link)).toBe(EPOLLHUP);
    afterExit(m, l, false);
    expect(l.proc.close(l.link)).toBe(0);
  });

  it("UNREG via the loader's exit(0)", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx));
    m.at(12 * MS, () => l.proc.exit(0));
    m.runFor(20 * MS);
    expectExit(m, "SCX_EXIT_UNREG", "");
    expect(m.scx.exitInfo!.atNs).toBe(12 * MS);
    afterExit(m, l, false);
  });

  it("UNREG via the loader's crash (SIGSEGV)", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx));
    m.at(7 * MS, () => l.proc.crash("SIGSEGV"));
    m.runFor(20 * MS);
    expectExit(m, "SCX_EXIT_UNREG", "");
    expect(m.scx.exitInfo!.atNs).toBe(7 * MS);
    afterExit(m, l, false);
  });

  it("UNREG_BPF via scx.exit(code, msg): 'unregistered from BPF' with the code", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx, { dispatch: () => { if (scx.now() >= 15 * MS) scx.exit(42, "done here"); scx.dsqMoveToLocal(asDsq(0)); } }));
    m.runFor(40 * MS);
    expectExit(m, "SCX_EXIT_UNREG_BPF", "done here");
    expect(m.scx.exitInfo!.exitCode).toBe(42);
    afterExit(m, l, true);
  });

  it("ERROR_BPF via scx.error(msg): 'scx_bpf_error'", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx, { running: (p) => { if (p.comm === "s" && scx.now() > 5 * MS) scx.error(`saw ${p.comm}`); } }));
    m.runFor(40 * MS);
    expectExit(m, "SCX_EXIT_ERROR_BPF", "saw s");
    expect(m.scx.exitInfo!.exitCode).toBe(0);
    afterExit(m, l, true);
  });

  it("ERROR_BPF via a callback that throws: the exception's message is in msg", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx, {
      enqueue: (p, f) => {
        if (scx.now() >= 3 * MS) throw new Error("kaboom in enqueue");
        scx.dsqInsert(p, asDsq(0), 5 * MS, f);
      },
    }));
    m.runFor(40 * MS);
    expectExit(m, "SCX_EXIT_ERROR_BPF", /kaboom in enqueue/);
    afterExit(m, l, true);
  });

  const errorCases: [string, (scx: Scx) => Partial<SchedExtOps>, RegExp][] = [
    ["dispatch to SCX_DSQ_INVALID", (scx) => holdThenDispatchTo(scx, SCX_DSQ_INVALID), /invalid DSQ ID/],
    ["dispatch to a DSQ that was never created", (scx) => holdThenDispatchTo(scx, 77), /non-existent DSQ 0x4d/],
    ["direct dispatch to id -1 (all ones as a u64: not a valid id)", (scx) => ({ enqueue: (p) => scx.dsqInsert(p, asDsq(-1), MS, 0) }), /invalid/],
    ["vtime insert into SCX_DSQ_GLOBAL", (scx) => ({ enqueue: (p, f) => scx.dsqInsertVtime(p, SCX_DSQ_GLOBAL, MS, 5, f) }), /cannot use vtime ordering for built-in DSQs/],
    ["vtime insert into SCX_DSQ_LOCAL", (scx) => ({ enqueue: (p, f) => scx.dsqInsertVtime(p, SCX_DSQ_LOCAL, MS, 5, f) }), /cannot use vtime ordering for built-in DSQs/],
    ["FIFO and vtime inserts mixed in one user DSQ", (scx) => ({
      enqueue: (p, f) => (p.comm === "b" ? scx.dsqInsertVtime(p, asDsq(0), MS, 1, f) : scx.dsqInsert(p, asDsq(0), MS, f)),
    }), /already (FIFO|vtime)-ordered/],
  ];
  for (const [what, extra, msg] of errorCases) {
    it(`ERROR ('runtime error') via ${what}`, () => {
      const m = world();
      const l = load(m, (scx) => fifo(scx, extra(scx)));
      m.runFor(100 * MS);
      expectExit(m, "SCX_EXIT_ERROR", msg);
      afterExit(m, l, true);
    });
  }

  it("ERROR via dispatch-buffer overflow: dispatch_max_batch + 1 inserts in one ops.dispatch", () => {
    const m = world();
    const l = load(m, (scx) => {
      const held: ScxTask[] = [];
      return {
        name: "overflow", dispatch_max_batch: 2,
        select_cpu: (_p, prev) => prev, // no direct dispatch: every task comes through enqueue
        enqueue: (p) => { held.push(p); },
        dispatch: () => { if (held.length >= 3) for (const p of held.splice(0)) scx.dsqInsert(p, SCX_DSQ_LOCAL, MS, 0); },
      };
    });
    m.runFor(10 * MS);
    expectExit(m, "SCX_EXIT_ERROR", "dispatch buffer overflow");
    afterExit(m, l, true);
  });

  it("ERROR_STALL: a task kept and never dispatched ejects the scheduler one watchdog interval after timeout_ms", () => {
    // timeout 1 s: the watchdog checks every 0.5 s from the enable at t=0. The task "late" wakes at
    // 100 ms and is held forever; at the 1.0 s check it has waited 0.9 s, at 1.5 s 1.4 s > 1 s.
    const m = machine(plan([
      hog("a"), hog("b"), task("short", [{ kind: "run", us: 2000 }], { loop: 1 }),
      task("late", [{ kind: "run", us: 1000 }], { delayUs: 100_000 }),
    ]), { cpus: 2 });
    const l = load(m, (scx) => fifo(scx, { timeout_ms: 1000, enqueue: (p, f) => { if (p.comm !== "late") scx.dsqInsert(p, asDsq(0), 5 * MS, f); } }));
    m.runFor(1499 * MS);
    expect(m.scx.state).toBe("enabled");
    m.runFor(1 * MS);
    const late = m.kernel.tasks.find((t) => t.comm === "late")!;
    expectExit(m, "SCX_EXIT_ERROR_STALL", `late[${late.pid}] failed to run for 1.400s`);
    const ei = m.scx.exitInfo!;
    expect(ei.atNs).toBe(1500 * MS);
    expect(ei.atNs).toBeGreaterThan(100 * MS + 1000 * MS);
    expect(ei.atNs).toBeLessThanOrEqual(100 * MS + 1000 * MS + 500 * MS);
    afterExit(m, l, true);
    expect(late.cpuNs).toBeGreaterThan(0); // the stalled task finally ran under fair
  });

  it("SYSRQ via machine.scx.sysrq(): 'disabled by sysrq-S'", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx));
    m.at(9 * MS, () => m.scx.sysrq());
    m.runFor(20 * MS);
    expectExit(m, "SCX_EXIT_SYSRQ", "");
    expect(m.scx.exitInfo!.atNs).toBe(9 * MS);
    afterExit(m, l, true);
  });

  it("the first exit claim wins: an error after scx.exit in the same callback is ignored", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { dispatch: () => { scx.exit(3, "first"); scx.error("second"); throw new Error("third"); } }));
    m.runFor(10 * MS);
    expectExit(m, "SCX_EXIT_UNREG_BPF", "first");
  });
});

/** A scheduler that keeps every task it is given and inserts them all into `dsq` from dispatch. */
function holdThenDispatchTo(scx: Scx, dsq: number): Partial<SchedExtOps> {
  const held: ScxTask[] = [];
  return {
    enqueue: (p) => { held.push(p); },
    dispatch: () => { for (const p of held.splice(0)) scx.dsqInsert(p, asDsq(dsq), MS, 0); },
  };
}

/** Start order of tasks, filled by a scheduler's `running`. */
type Order = { comm: string; at: number }[];

/** One-shot tasks of 1 ms each, spawned (and woken) in the given order at t=0. */
function oneShots(names: string[], over: Partial<TaskSpec> = {}): TaskSpec[] {
  return names.map((n) => task(n, [{ kind: "run", us: 1000 }], { loop: 1, ...over }));
}

describe("dispatch queues and the pick order", () => {
  it("a vtime DSQ runs tasks in vtime order, ties in insertion order; a FIFO DSQ in insertion order", () => {
    const vt: Record<string, number> = { t0: 30, t1: 10, t2: 20, t3: 10, t4: 5 };
    for (const mode of ["vtime", "fifo"] as const) {
      const m = machine(plan(oneShots(Object.keys(vt))), { cpus: 1 });
      const order: Order = [];
      let queued = 0;
      load(m, (scx) => ({
        name: mode,
        init: () => scx.createDsq(asDsq(1), -1),
        enqueue: (p, f) => {
          queued++;
          if (mode === "vtime") scx.dsqInsertVtime(p, asDsq(1), SCX_SLICE_DFL, vt[p.comm], f);
          else scx.dsqInsert(p, asDsq(1), SCX_SLICE_DFL, f);
        },
        // Hold everything until all five are queued, then serve one per dispatch.
        dispatch: () => { if (queued === 5) scx.dsqMoveToLocal(asDsq(1)); },
        running: (p) => { order.push({ comm: p.comm, at: scx.now() }); },
      }));
      m.runFor(10 * MS);
      const expected = mode === "vtime" ? ["t4", "t1", "t3", "t2", "t0"] : ["t0", "t1", "t2", "t3", "t4"];
      expect(order).toEqual(expected.map((comm, i) => ({ comm, at: i * MS })));
      expect(m.invariants()).toMatchObject({ exited: 5, alive: 0, lost: 0 });
    }
  });

  it("local DSQ first, then the global DSQ, then ops.dispatch", () => {
    // z holds the CPU for 5 ms while a (→ global), b (→ local) and c (kept for dispatch) queue up.
    const m = machine(plan([task("z", [{ kind: "run", us: 5000 }], { loop: 1 }), ...oneShots(["a", "b", "c"])]), { cpus: 1 });
    const order: Order = [];
    const dispatchedAt: number[] = [];
    load(m, (scx) => {
      const held: ScxTask[] = [];
      return {
        name: "order",
        enqueue: (p, f) => {
          if (p.comm === "a") scx.dsqInsert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, f);
          else if (p.comm === "c") held.push(p);
          else scx.dsqInsert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, f);
        },
        dispatch: () => { if (held.length > 0) dispatchedAt.push(scx.now()); for (const p of held.splice(0)) scx.dsqInsert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0); },
        running: (p) => { order.push({ comm: p.comm, at: scx.now() }); },
      };
    });
    m.runFor(20 * MS);
    expect(order).toEqual([{ comm: "z", at: 0 }, { comm: "b", at: 5 * MS }, { comm: "a", at: 6 * MS }, { comm: "c", at: 7 * MS }]);
    expect(dispatchedAt).toEqual([7 * MS]); // c is dispatched only once local and global are empty
  });

  it("SCX_ENQ_HEAD puts a task at the front of a FIFO DSQ", () => {
    const m = machine(plan([task("z", [{ kind: "run", us: 5000 }], { loop: 1 }), ...oneShots(["a", "b", "c"])]), { cpus: 1 });
    const order: Order = [];
    load(m, (scx) => ({
      name: "head",
      init: () => scx.createDsq(asDsq(1), -1),
      enqueue: (p, f) => scx.dsqInsert(p, asDsq(1), SCX_SLICE_DFL, f | (p.comm === "c" ? SCX_ENQ_HEAD : 0)),
      dispatch: () => { scx.dsqMoveToLocal(asDsq(1)); },
      running: (p) => { order.push({ comm: p.comm, at: scx.now() }); },
    }));
    m.runFor(20 * MS);
    expect(order.map((o) => o.comm)).toEqual(["z", "c", "a", "b"]);
    expect(order.map((o) => o.at)).toEqual([0, 5 * MS, 6 * MS, 7 * MS]);
  });

  for (const preempt of [true, false]) {
    it(`an insert into a busy CPU's local DSQ ${preempt ? "with SCX_ENQ_PREEMPT preempts its task at once" : "without SCX_ENQ_PREEMPT waits for the running task"}`, () => {
      // a: 100 ms of work with a 1 s slice; b wakes at 10 ms and needs 1 ms.
      const m = machine(plan([task("a", [{ kind: "run", us: 100_000 }], { loop: 1 }), task("b", [{ kind: "run", us: 1000 }], { loop: 1, delayUs: 10_000 })]), { cpus: 1 });
      const order: Order = [];
      load(m, (scx) => ({
        name: "preempt",
        enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_LOCAL, p.comm === "b" ? SCX_SLICE_DFL : 1000 * MS, f | (p.comm === "b" && preempt ? SCX_ENQ_PREEMPT : 0)),
        running: (p) => { order.push({ comm: p.comm, at: scx.now() }); },
      }));
      m.runFor(200 * MS);
      const ts = m.kernel.tasks;
      if (preempt) {
        expect(order).toEqual([{ comm: "a", at: 0 }, { comm: "b", at: 10 * MS }, { comm: "a", at: 11 * MS }]);
        expect(ts[0].exitNs).toBe(101 * MS);
        expect(ts[1].exitNs).toBe(11 * MS);
      } else {
        expect(order).toEqual([{ comm: "a", at: 0 }, { comm: "b", at: 100 * MS }]);
        expect(ts[0].exitNs).toBe(100 * MS);
        expect(ts[1].exitNs).toBe(101 * MS);
      }
    });
  }

  it("a dispatch that inserts nothing keeps prev running with a default slice (SCX_EV_DISPATCH_KEEP_LAST)", () => {
    // Slice 5 ms, then refills of 20 ms: expiries at 5, 25, 45, 65, 85 ms within 100 ms.
    const m = machine(plan([hog("a")]), { cpus: 1 });
    const prevs: (string | null)[] = [];
    load(m, (scx) => ({
      name: "keep",
      enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_LOCAL, 5 * MS, f),
      dispatch: (_cpu, prev) => { prevs.push(prev?.comm ?? null); },
    }));
    m.runFor(100 * MS);
    expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST).toBe(5);
    // The first call is from the enable-time reschedule of the still idle CPU (no prev).
    expect(prevs).toEqual([null, "a", "a", "a", "a", "a"]);
    syncCpu(m);
    expect(m.kernel.tasks[0].cpuNs).toBe(100 * MS);
    expect(m.kernel.tasks[0].nivcsw).toBe(0);
  });

  for (const where of ["local", "user DSQ + kick"] as const) {
    it(`SCX_OPS_ENQ_LAST: an expiring sole task goes through enqueue with SCX_ENQ_LAST (${where}), and keeps the CPU`, () => {
      const m = machine(plan([hog("a")]), { cpus: 1 });
      const lastAt: number[] = [];
      load(m, (scx) => ({
        name: "enqlast", flags: SCX_OPS_ENQ_LAST,
        init: () => scx.createDsq(asDsq(0), -1),
        enqueue: (p, f) => {
          if (f & SCX_ENQ_LAST) lastAt.push(scx.now());
          if (where === "local") scx.dsqInsert(p, SCX_DSQ_LOCAL, 5 * MS, f);
          else { scx.dsqInsert(p, asDsq(0), 5 * MS, f); scx.kickCpu(p.cpu, 0); }
        },
        dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
      }));
      for (let i = 0; i < 100; i++) {
        m.runFor(MS);
        expect(placeViolations(m)).toEqual([]);
      }
      expect(lastAt).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100].map((x) => x * MS));
      syncCpu(m);
      expect(m.kernel.tasks[0].cpuNs).toBe(100 * MS);
      expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST ?? 0).toBe(0);
      expect(m.scx.exitInfo).toBeNull();
    });
  }

  it("a task whose slice is 0 when picked gets the default slice (SCX_EV_REFILL_SLICE_DFL); time still advances", () => {
    // Inserts with slice 0 keep the current slice, which is 0 once it ran out.
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 1 });
    load(m, (scx) => ({ name: "zero", enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 0, f) }));
    m.runFor(200 * MS);
    // 20 ms initial slices, then 20 ms refills: a and b alternate every 20 ms.
    syncCpu(m);
    expect(m.kernel.tasks.map((t) => t.cpuNs)).toEqual([100 * MS, 100 * MS]);
    expect(m.kernel.ext.events.SCX_EV_REFILL_SLICE_DFL).toBe(9); // picks at 40, 60, ..., 200 ms
  });

  it("a slice set to 0 in ops.running is noticed at the next tick (4 ms), not at once", () => {
    // Two hogs, local FIFO inserts; running() zeroes every slice: they alternate every tick.
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 1 });
    const order: Order = [];
    load(m, (scx) => ({
      name: "zeroing",
      enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_LOCAL, 20 * MS, f),
      running: (p) => { order.push({ comm: p.comm, at: scx.now() }); p.slice = 0; },
    }));
    m.runFor(40 * MS);
    expect(order.slice(0, 4)).toEqual([{ comm: "a", at: 0 }, { comm: "b", at: 4 * MS }, { comm: "a", at: 8 * MS }, { comm: "b", at: 12 * MS }]);
    syncCpu(m);
    expect(m.kernel.tasks.map((t) => t.cpuNs)).toEqual([20 * MS, 20 * MS]);
    expect(m.scx.exitInfo).toBeNull();
  });

  it("a scheduler that makes a CPU reschedule forever at one instant is ejected (SCX_EXIT_ERROR), not a hang", () => {
    // dispatch kicks its own idle CPU every time: in a real kernel that CPU spins; here no time
    // would pass, so the core's reschedule-storm guard ejects the scheduler.
    const m = machine(plan([task("s", [{ kind: "sleep", us: 1000 }])]), { cpus: 1 });
    load(m, (scx) => ({ name: "selfkick", dispatch: (cpu) => scx.kickCpu(cpu, SCX_KICK_IDLE) }));
    m.runFor(MS);
    expectExit(m, "SCX_EXIT_ERROR", /livelock/);
    expect(m.scx.exitInfo!.atNs).toBe(0);
    expectAllFair(m);
  });

  it("taskRunning is true while a task leaves its CPU (slice-expiry enqueue, stopping, quiescent), false for a wakeup", () => {
    const m = machine(plan([hog("a"), task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 3000 }])]), { cpus: 1, durationNs: 100 * MS });
    const seen: Record<string, Set<boolean>> = { wakeup: new Set(), expired: new Set(), stopping: new Set(), quiescent: new Set() };
    load(m, (scx) => fifo(scx, {
      enqueue: (p, f) => {
        seen[f & SCX_ENQ_WAKEUP ? "wakeup" : "expired"]!.add(scx.taskRunning(p));
        scx.dsqInsert(p, asDsq(0), 2 * MS, f);
      },
      stopping: (p) => { seen.stopping!.add(scx.taskRunning(p)); },
      quiescent: (p) => { seen.quiescent!.add(scx.taskRunning(p)); },
    }));
    m.runFor(100 * MS);
    expect(m.scx.exitInfo).toBeNull();
    expect(seen).toEqual({ wakeup: new Set([false]), expired: new Set([true]), stopping: new Set([true]), quiescent: new Set([true]) });
  });

  it("SCX_KICK_IDLE with SCX_KICK_PREEMPT or SCX_KICK_WAIT is a scheduler error, as in the kernel", () => {
    for (const other of [SCX_KICK_PREEMPT, SCX_KICK_WAIT]) {
      const m = world();
      load(m, (scx) => fifo(scx, { dispatch: (cpu) => { scx.dsqMoveToLocal(asDsq(0)); scx.kickCpu(asCpu(1 - cpu), SCX_KICK_IDLE | other); } }));
      m.runFor(10 * MS);
      expectExit(m, "SCX_EXIT_ERROR", /SCX_KICK_IDLE combined with SCX_KICK_PREEMPT or SCX_KICK_WAIT/);
      expectAllFair(m);
    }
  });

  it(`dispatch_max_batch = 3 with exactly 3 inserts is fine; the 4th would overflow`, () => {
    const m = machine(plan(oneShots(["a", "b", "c"])), { cpus: 1 });
    load(m, (scx) => {
      const held: ScxTask[] = [];
      return {
        name: "batch", dispatch_max_batch: 3,
        enqueue: (p) => { held.push(p); },
        dispatch: () => {
          if (held.length < 3) return;
          expect(scx.dispatchNrSlots()).toBe(3);
          for (const p of held.splice(0)) scx.dsqInsert(p, SCX_DSQ_LOCAL, MS, 0);
          expect(scx.dispatchNrSlots()).toBe(0);
        },
      };
    });
    m.runFor(10 * MS);
    expect(m.scx.exitInfo).toBeNull();
    expect(m.invariants()).toMatchObject({ exited: 3, lost: 0 });
  });

  it("a stale dispatch of a task no longer in BPF custody is silently ignored", () => {
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 1 });
    load(m, (scx) => {
      const seen: ScxTask[] = [];
      const held: ScxTask[] = [];
      return {
        name: "stale",
        enqueue: (p) => { held.push(p); if (!seen.includes(p)) seen.push(p); },
        dispatch: () => {
          // Everything we ever saw, including the running task and tasks already dispatched.
          for (const p of seen) scx.dsqInsert(p, SCX_DSQ_LOCAL, 5 * MS, 0);
          for (const p of seen) scx.dsqInsert(p, SCX_DSQ_GLOBAL, 5 * MS, 0);
          held.length = 0;
        },
      };
    });
    for (let i = 0; i < 50; i++) {
      m.runFor(MS);
      expect(placeViolations(m)).toEqual([]);
    }
    expect(m.scx.exitInfo).toBeNull();
    syncCpu(m);
    // Inserting the running task is dropped too, but sets its slice first (scx_bpf_dsq_insert),
    // so it may run two slices in a row: the split is not even, the total is the whole run.
    const ns = m.kernel.tasks.map((t) => t.cpuNs);
    expect(ns[0] + ns[1]).toBe(50 * MS);
    expect(Math.min(...ns)).toBeGreaterThan(0);
  });

  it("select_cpu returning a CPU outside the task's affinity falls back to an allowed one (SCX_EV_SELECT_CPU_FALLBACK)", () => {
    const m = machine(plan([task("w", [{ kind: "run", us: 500 }, { kind: "sleep", us: 500 }], { cpus: [0, 1] })]), { cpus: 4 });
    const ranOn = new Set<number>();
    let selects = 0;
    load(m, (scx) => ({
      name: "fallback",
      select_cpu: () => { selects++; return asCpu(3); },
      running: (p) => { ranOn.add(p.cpu); },
    }));
    m.runFor(9.5 * MS); // wakeups at 0, 1, ..., 9 ms
    expect(selects).toBe(10);
    expect(m.kernel.ext.events.SCX_EV_SELECT_CPU_FALLBACK).toBe(10);
    expect([...ranOn].every((c) => c === 0 || c === 1)).toBe(true);
    expect(m.scx.exitInfo).toBeNull();
  });

  it("a SCX_DSQ_LOCAL insert from dispatch on a CPU the task may not use is an error, and the task still never runs there", () => {
    const m = machine(plan([hog("pinned", 0, { cpus: [0] }), hog("h1"), hog("h2")]), { cpus: 2 });
    const ranOn: [string, number][] = [];
    load(m, (scx) => {
      const held: ScxTask[] = [];
      return {
        name: "badlocal",
        select_cpu: (p, prev, wf) => scx.selectCpuDfl(p, prev, wf).cpu, // placement only, no insert
        enqueue: (p) => { held.push(p); },
        dispatch: () => { for (const p of held.splice(0)) scx.dsqInsert(p, SCX_DSQ_LOCAL, MS, 0); },
        running: (p) => { ranOn.push([p.comm, p.cpu]); },
      };
    });
    for (let i = 0; i < 20; i++) {
      m.runFor(MS);
      for (const t of live(m)) if (t.comm === "pinned" && t.place === 1) expect(t.cpu).toBe(0);
      expect(placeViolations(m)).toEqual([]);
    }
    expect(ranOn.filter(([c, cpu]) => c === "pinned" && cpu !== 0)).toEqual([]);
    expectExit(m, "SCX_EXIT_ERROR", /not allowed for pinned/);
  });

  it("SWITCH_PARTIAL moves only SCHED_EXT-policy tasks into the ext class", () => {
    const m = machine(plan([
      hog("e1", 0, { policy: "SCHED_EXT" }), task("e2", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }], { policy: "SCHED_EXT" }),
      hog("f1"), task("f2", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }], { policy: "SCHED_BATCH" }),
    ]), { cpus: 4 });
    const enabled: string[] = [];
    const seen = new Set<string>();
    const l = load(m, (scx) => ({
      name: "partial", flags: SCX_OPS_SWITCH_PARTIAL,
      enable: (p) => { enabled.push(p.comm); },
      runnable: (p) => { seen.add(p.comm); },
      running: (p) => { seen.add(p.comm); },
    }));
    m.runFor(20 * MS);
    expect(enabled).toEqual(["e1", "e2"]);
    expect([...seen].sort()).toEqual(["e1", "e2"]);
    const cls = Object.fromEntries(live(m).map((t) => [t.comm, t.cls]));
    expect(cls).toEqual({ e1: Cls.Ext, e2: Cls.Ext, f1: Cls.Fair, f2: Cls.Fair });
    syncCpu(m);
    expect(live(m).every((t) => t.cpuNs > 0)).toBe(true);
    expect(l.proc.bpf.linkDetach(l.link)).toBe(0);
    expectAllFair(m);
  });

  it("weights are the CFS weights rescaled to 1..10000: nice 0 -> 100, nice -20 -> 8668, nice 19 -> 1", () => {
    const m = machine(plan([hog("n0", 0), hog("nm20", -20), hog("n19", 19), hog("n5", 5)]), { cpus: 1 });
    const w: Record<string, number> = {};
    load(m, () => ({ name: "weights", enable: (p) => { w[p.comm] = p.weight; } }));
    expect(w).toEqual({ n0: 100, nm20: 8668, n19: 1, n5: 33 });
  });

  it("a user DSQ destroyed and created again under the same id is the new, empty one", () => {
    const m = world();
    const seen: number[] = [];
    let flips = 0;
    load(m, (scx) => fifo(scx, {
      // Every 3rd dispatch, swap DSQ 0 for a fresh one (moving nothing: it must be empty to go).
      dispatch: () => {
        scx.dsqMoveToLocal(asDsq(0));
        if (++flips % 3 === 0 && scx.dsqNrQueued(asDsq(0)) === 0) {
          scx.destroyDsq(asDsq(0));
          seen.push(scx.dsqNrQueued(asDsq(0)), scx.createDsq(asDsq(0), -1), scx.dsqNrQueued(asDsq(0)));
        }
      },
    }));
    m.runFor(200 * MS);
    expect(m.scx.state).toBe("enabled");
    expect(seen.length).toBeGreaterThan(0);
    // Gone (-2 = no such DSQ), created (0), then found and empty.
    for (let i = 0; i < seen.length; i += 3) expect(seen.slice(i, i + 3)).toEqual([-2, 0, 0]);
    expect(placeViolations(m)).toEqual([]);
  });
});
