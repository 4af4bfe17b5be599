/**
 * Tick-bound slice expiry (issue 15.1), after kernel/sched/ext.c task_tick_scx: the kernel
 * charges the running task's slice (update_curr_scx) and reschedules when it is spent only at
 * the periodic tick (and at the next schedule), so a slice shorter than 1/HZ lasts until the
 * next tick. A kick, an ENQ_PREEMPT insert or a block still reschedule at once. The ideal
 * machine (overheads off) keeps exact expiry for the queueing formulas.
 */
import { describe, expect, it } from "vitest";
import { SCX_DSQ_LOCAL, SCX_ENQ_PREEMPT, SCX_ENQ_WAKEUP, asDsq } from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { Lat } from "../../sim/group_stats.js";

const US = 1_000, MS = 1_000_000, S = 1_000_000_000;

/** FIFO on user DSQ 0 with a fixed slice; wakeups go to the local DSQ with `wakeFlags`. */
function fifo(scx: Scx, sliceNs: number, wakeFlags = -1, extra: Partial<SchedExtOps> = {}): SchedExtOps {
  return {
    name: "fifo_slice",
    init: () => scx.createDsq(asDsq(0), -1),
    enqueue: (p, f) => {
      if (wakeFlags >= 0 && (f & SCX_ENQ_WAKEUP) !== 0) scx.dsqInsert(p, SCX_DSQ_LOCAL, sliceNs, wakeFlags);
      else scx.dsqInsert(p, asDsq(0), sliceNs, f);
    },
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    ...extra,
  };
}

/** Involuntary switches of two hogs on one CPU in one simulated second. */
function hogSwitches(o: { overheads: boolean; hz?: number }): number {
  const m = machine(plan([hog("a"), hog("b")]), { cpus: 1, overheads: o.overheads, hz: o.hz });
  attach(m, (scx) => fifo(scx, 500 * US));
  m.runFor(S);
  return m.kernel.rec.involuntary;
}

describe("task_tick_scx: a spent slice is noticed at the tick", () => {
  it("two hogs on one CPU with a 500 µs slice switch once per tick: HZ times a second (250, 1000)", () => {
    // Ticks fall at the multiples of 1/HZ; each one finds the running hog's slice spent, so the
    // switches in (0, 1 s] are one per tick: HZ of them.
    expect(hogSwitches({ overheads: true })).toBe(250);
    expect(hogSwitches({ overheads: true, hz: 1000 })).toBe(1000);
  });

  it("p->scx.slice saturates at 0 (update_curr_scx): a hog that ran past its 500 µs slice to the tick stops with slice 0, not below", () => {
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 1, overheads: true });
    const seen: number[] = [];
    attach(m, (scx) => fifo(scx, 500 * US, -1, { stopping: (p) => { seen.push(p.slice); } }));
    m.runFor(100 * MS);
    expect(seen.length).toBeGreaterThan(10);
    for (const s of seen) expect(s).toBe(0);
  });

  it("the ideal machine (overheads off) ends slices exactly: 1 s / 500 µs switches", () => {
    expect(hogSwitches({ overheads: false })).toBe(S / (500 * US));
  });

  it("a slice longer than the tick ends at the first tick after it runs out (6 ms slice at HZ 250 → every 8 ms)", () => {
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 1, overheads: true });
    const starts: number[] = [];
    attach(m, (scx) => fifo(scx, 6 * MS, -1, { running: () => { starts.push(scx.now()); } }));
    m.runFor(100 * MS);
    // From the second run on, each starts on a tick and runs 6 ms + the switch cost, spent before
    // the tick after next: runs begin every 8 ms, on the tick grid.
    const later = starts.slice(2);
    expect(later.length).toBeGreaterThan(5);
    for (const t of later) expect(t % (4 * MS)).toBe(0);
    for (let i = 1; i < later.length; i++) expect(later[i] - later[i - 1]).toBe(8 * MS);
  });

  it("ops.tick runs on one grid for every CPU: the multiples of 1/HZ", () => {
    const m = machine(plan([hog("a"), hog("b"), hog("c")]), { cpus: 2, overheads: true });
    const ticks: number[] = [];
    attach(m, (scx) => fifo(scx, 20 * MS, -1, { tick: () => { ticks.push(scx.now()); } }));
    m.runFor(50 * MS);
    expect(ticks.length).toBeGreaterThanOrEqual(2 * 12);
    for (const t of ticks) expect(t % (4 * MS)).toBe(0);
  });

  it("an ENQ_PREEMPT insert reschedules at once: the woken task runs at its wakeup, not at the tick", () => {
    const wakeupMax = (flags: number): number => {
      const m = machine(plan([hog("h"), task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 1_700 }])]), { cpus: 1, overheads: true });
      attach(m, (scx) => fifo(scx, 20 * MS, flags));
      m.runFor(200 * MS);
      const g = m.kernel.plan.groups.indexOf("s");
      return m.kernel.rec.groups.latency(g, Lat.Wakeup).max;
    };
    expect(wakeupMax(SCX_ENQ_PREEMPT)).toBe(0);
    // Without PREEMPT the sleeper waits for the hog's slice (20 ms) to end, at a tick.
    expect(wakeupMax(0)).toBeGreaterThan(MS);
  });

  it("a block reschedules at once: a task sleeping mid-tick hands the CPU over at that instant", () => {
    const m = machine(plan([task("s", [{ kind: "run", us: 1_300 }, { kind: "sleep", us: 10_000 }]), hog("h")]), { cpus: 1, overheads: true });
    const starts: { pid: number; at: number }[] = [];
    attach(m, (scx) => fifo(scx, 500 * US, -1, { running: (p) => { starts.push({ pid: p.pid, at: scx.now() }); } }));
    m.runFor(3 * MS);
    // s runs first and, its 500 µs slice notwithstanding, keeps the CPU until the tick at 4 ms
    // or its block, whichever comes first: it blocks after 1.3 ms of work (started after the
    // switch and callback costs), and h starts then, well before the tick.
    expect(starts[0].pid).not.toBe(starts[1].pid);
    const sCpu = m.kernel.tasks.find((t) => t.pid === starts[0].pid)!.cpuNs;
    expect(sCpu).toBe(1_300 * US);
    expect(starts[1].at).toBeGreaterThan(1_300 * US);
    expect(starts[1].at).toBeLessThan(1_310 * US);
  });
});
