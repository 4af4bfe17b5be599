/**
 * How a CPU finds its next sched_ext task (balance + pick_task, reference/sched_ext.md §2.7):
 * keep `prev` while it has slice, else the local DSQ, the global DSQ, then rounds of
 * ops.dispatch until one yields a task or does nothing.
 */
import { Place, type Task } from "../task.js";
import { asCpu } from "./ids.js";
import { SCX_DSP_MAX_LOOPS, SCX_ENQ_LAST, SCX_SLICE_DFL } from "./consts.js";
import { Cb } from "./callbacks.js";
import { ScxAbort } from "./exit.js";
import type { ExtCore } from "./core.js";

/**
 * The next ext task for `cpu` (balance_one, then pick_task_scx). `prev` is the ext task that
 * last ran here, whether still runnable or just blocked or exited, or null: ops.dispatch gets it
 * either way, as the kernel passes any prev of the ext class, but only a prev still on the CPU
 * (SCX_TASK_QUEUED) with slice left is kept. Returns prev to keep it, another task, or null.
 */
export function pickNext(core: ExtCore, cpu: number, prev: Task | null): Task | null {
  core.dsqs.balancing = cpu;
  core.idleKickAfterPick = -1;
  try {
    return balanceAndPick(core, cpu, prev);
  } finally {
    core.dsqs.balancing = -1;
  }
}

function balanceAndPick(core: ExtCore, cpu: number, prev: Task | null): Task | null {
  const onRq = prev !== null && prev.place === Place.Running;
  if (onRq && prev.slice > 0 && !core.aborting) return prev;
  const dsqs = core.dsqs, local = dsqs.local[cpu];
  let t = dsqs.take(local, -1) ?? dsqs.take(dsqs.global, cpu);
  if (t !== null) return refill(core, t);
  if (core.cb.hasDispatch && !core.aborting) {
    const buf = core.buf;
    for (let round = 0; round < SCX_DSP_MAX_LOOPS; round++) {
      buf.roundWork = 0;
      const cb = core.cb;
      let r: unknown;
      if (cb.enter(Cb.Dispatch, prev, cpu)) {
        try { r = cb.dispatch!.call(cb.self, asCpu(cpu), prev === null ? null : prev.view); } catch (e) { cb.fail(e); }
      }
      cb.leave(r);
      if (cb.threw) buf.n = 0;
      else flush(core, cpu);
      if (core.aborting) break;
      if (onRq && prev.slice > 0) return prev;
      t = dsqs.take(local, -1) ?? dsqs.take(dsqs.global, cpu);
      if (t !== null) return refill(core, t);
      if (buf.roundWork === 0) break;
    }
  }
  if (onRq) {
    if (core.enqLast && !core.aborting) {
      // prev leaves the CPU through ops.enqueue (the caller must not put it back again);
      // if that queued it here, it is picked again as a new task.
      core.putPrev(prev, cpu, SCX_ENQ_LAST);
      t = dsqs.take(local, -1) ?? dsqs.take(dsqs.global, cpu);
      return t === null ? null : refill(core, t);
    }
    prev.slice = SCX_SLICE_DFL;
    core.count("SCX_EV_DISPATCH_KEEP_LAST");
    return prev;
  }
  return null;
}

/** Commits what ops.dispatch buffered; a bad insert has claimed the exit and drops the rest. */
function flush(core: ExtCore, cpu: number): void {
  try {
    core.buf.flush(core.host.tasks, cpu);
  } catch (e) {
    if (!(e instanceof ScxAbort)) throw e;
    core.buf.n = 0;
  }
}

/**
 * pick_task: a task about to run with no slice left (a scheduler inserted it with slice 0,
 * which keeps the spent one) gets the default slice, as the kernel does, counting
 * SCX_EV_REFILL_SLICE_DFL. Without it such a task would expire at once, forever, at one instant.
 */
function refill(core: ExtCore, t: Task): Task {
  if (!(t.slice > 0)) {
    t.slice = SCX_SLICE_DFL;
    core.count("SCX_EV_REFILL_SLICE_DFL");
  }
  return t;
}
