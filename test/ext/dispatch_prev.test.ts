/**
 * The prev ops.dispatch is handed, as kernel/sched/ext.c's balance_one passes it: any task of
 * the ext class that last ran on the CPU (`prev_on_scx ? prev : NULL`), also one that blocked
 * or exited; only the keep-running decision asks for SCX_TASK_QUEUED and a slice. p.queued is
 * that flag as enqueue_task_scx sets it and dequeue_task_scx clears it, p.dead is
 * `__state == TASK_DEAD`, and ops.exit_task of a dead task comes after its last switch
 * (finish_task_switch -> sched_ext_dead). Times are exact: the machine is ideal.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SCX_DSQ_LOCAL, asDsq } from "../../sim/ext/consts.js";
import type { Scx, ScxTask, SchedExtOps } from "../../sim/ext/ops.js";
import type { EventSpec } from "../../sim/plan.js";
import { plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { load, placeViolations, syncCpu } from "./util.js";

const MS = 1_000_000;

interface Seen { what: string; pid: number; queued: boolean; dead: boolean }

/** A FIFO scheduler on user DSQ 0 that logs its callbacks with p.queued and p.dead. */
function logging(scx: Scx, log: Seen[], extra: Partial<SchedExtOps> = {}): SchedExtOps {
  const note = (what: string, p: ScxTask): void => { log.push({ what, pid: p.pid, queued: p.queued, dead: p.dead }); };
  return {
    name: "logging",
    init: () => scx.createDsq(asDsq(0), -1),
    select_cpu: (p, prev) => { note("select_cpu", p); return prev; },
    runnable: (p) => note("runnable", p),
    enqueue: (p, f) => { note("enqueue", p); scx.dsqInsert(p, asDsq(0), 5 * MS, f); },
    running: (p) => note("running", p),
    stopping: (p) => note("stopping", p),
    quiescent: (p) => note("quiescent", p),
    dispatch: (_cpu, prev) => { if (prev !== null) note("dispatch", prev); scx.dsqMoveToLocal(asDsq(0)); },
    exit_task: (p) => note("exit_task", p),
    ...extra,
  };
}

describe("balance_one: ops.dispatch gets every ext prev", () => {
  it("a prev that blocked reaches ops.dispatch with p.queued false (ext.c balance_one: prev_on_scx, not prev_on_rq)", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 4000 }])]), { cpus: 1 });
    const log: Seen[] = [];
    load(m, (scx) => logging(scx, log));
    m.runFor(3 * MS);
    const d = log.filter((e) => e.what === "dispatch");
    expect(d).toEqual([{ what: "dispatch", pid: d[0].pid, queued: false, dead: false }]);
    // It came right after the block: stopping and quiescent, while still queued.
    const i = log.findIndex((e) => e.what === "dispatch");
    expect(log.slice(i - 2, i).map((e) => [e.what, e.queued])).toEqual([["stopping", true], ["quiescent", true]]);
  });

  it("a prev that exited reaches ops.dispatch with p.dead, and ops.exit_task only after that (sched_ext_dead after finish_task_switch)", () => {
    const m = machine(plan([task("x", [{ kind: "run", us: 1000 }], { loop: 1 })]), { cpus: 1 });
    const log: Seen[] = [];
    load(m, (scx) => logging(scx, log));
    m.runFor(3 * MS);
    const tail = log.slice(log.findIndex((e) => e.what === "stopping")).map((e) => [e.what, e.queued, e.dead]);
    expect(tail).toEqual([["stopping", true, false], ["quiescent", true, false], ["dispatch", false, true], ["exit_task", false, true]]);
    expect(m.invariants()).toMatchObject({ exited: 1, lost: 0 });
  });

  it("a blocked prev is never kept, whatever slice ops.dispatch gives it (balance_one keeps only SCX_TASK_QUEUED)", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]), { cpus: 1 });
    let refilled = 0;
    load(m, () => ({
      name: "refill_any",
      dispatch: (_cpu, prev) => { if (prev !== null) { prev.slice = 50 * MS; refilled++; } },
    }));
    m.runFor(5 * MS);
    expect(refilled).toBe(1);
    syncCpu(m);
    // It ran its 1 ms and sleeps: refilling the slice of a prev that blocked keeps nothing running.
    expect(m.kernel.tasks[0].cpuNs).toBe(1 * MS);
    expect(m.kernel.curr[0]).toBe(-1);
    expect(placeViolations(m)).toEqual([]);
  });

  it("p.queued follows enqueue_task_scx / dequeue_task_scx: set in runnable, enqueue, running, stopping, quiescent; clear in select_cpu of a wakeup", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 500 }, { kind: "sleep", us: 500 }])]), { cpus: 2 });
    const log: Seen[] = [];
    load(m, (scx) => logging(scx, log));
    m.runFor(5 * MS);
    const by = (w: string): boolean[] => [...new Set(log.filter((e) => e.what === w).map((e) => e.queued))];
    for (const w of ["runnable", "enqueue", "running", "stopping", "quiescent"]) expect(by(w), w).toEqual([true]);
    expect(by("select_cpu")).toEqual([false]);
  });
});

describe("scx_bpf_dsq_insert of the running prev", () => {
  it("sets its slice before the insert is dropped, so balance_one keeps it with that slice (no SCX_EV_DISPATCH_KEEP_LAST)", () => {
    const m = machine(plan([task("h", [{ kind: "run", us: 1_000_000 }])]), { cpus: 1 });
    let dispatches = 0;
    load(m, (scx) => ({
      name: "keep_by_insert",
      dispatch: (_cpu, prev) => {
        if (prev === null) return; // the enable-time pass of the idle CPU
        dispatches++;
        if (prev.queued) scx.dsqInsert(prev, SCX_DSQ_LOCAL, 7 * MS, 0);
      },
    }));
    m.runFor(50 * MS);
    // The first slice is SCX_SLICE_DFL (20 ms, from the default enqueue); then 7 ms each: expiries
    // at 20, 27, 34, 41, 48 ms. Without the slice the core would keep it at 20 and 40 ms only.
    expect(dispatches).toBe(5);
    expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST ?? 0).toBe(0);
  });
});

describe("balance_one's prev, as a property", () => {
  const events = fc.array(fc.oneof(
    fc.integer({ min: 1, max: 3000 }).map((us): EventSpec => ({ kind: "run", us })),
    fc.integer({ min: 1, max: 3000 }).map((us): EventSpec => ({ kind: "sleep", us })),
  ), { minLength: 1, maxLength: 4 });
  const workload = fc.array(fc.record({ ev: events, loop: fc.constantFrom(-1, 1, 3), delayUs: fc.integer({ min: 0, max: 2000 }) }), { minLength: 1, maxLength: 5 });

  it("ops.dispatch's prev is always the ext task that last ran on that CPU (prev_on_scx); refilling one that is not queued never keeps it, and nothing is lost", () => {
    fc.assert(fc.property(workload, fc.integer({ min: 1, max: 3 }), (specs, cpus) => {
      const m = machine(plan(specs.map((s, i) => task(`t${i}`, s.ev, { loop: s.loop, delayUs: s.delayUs }))), { cpus });
      const lastOn = new Map<number, number>();
      const wrong: string[] = [];
      load(m, (scx) => ({
        name: "refill_all",
        init: () => scx.createDsq(asDsq(0), -1),
        enqueue: (p, f) => scx.dsqInsert(p, asDsq(0), 2 * MS, f),
        running: (p) => { lastOn.set(scx.taskCpu(p), p.pid); },
        dispatch: (cpu, prev) => {
          if (prev !== null && lastOn.get(cpu) !== prev.pid) wrong.push(`cpu ${cpu}: prev ${prev.pid}, last ran ${String(lastOn.get(cpu))}`);
          if (prev !== null && prev.dead && prev.queued) wrong.push(`pid ${prev.pid} dead and queued`);
          if (!scx.dsqMoveToLocal(asDsq(0)) && prev !== null) prev.slice = 2 * MS;
        },
      }));
      for (let i = 0; i < 20; i++) {
        m.runFor(MS);
        expect(placeViolations(m)).toEqual([]);
      }
      expect(wrong).toEqual([]);
      expect(m.scx.exitInfo).toBeNull();
      expect(m.invariants().lost).toBe(0);
    }), { numRuns: 40, seed: 16 });
  });
});
