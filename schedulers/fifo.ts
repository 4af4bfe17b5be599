/**
 * fifo — the textbook first-come, first-served policy (FCFS): jobs run in arrival order, each to
 * completion (or until it blocks), never preempted.
 *
 * sched_ext mapping: one shared FIFO DSQ; every task is inserted with SCX_SLICE_INF, so the core
 * never takes the CPU away; a CPU whose task blocks or exits pulls the head of the DSQ in
 * `dispatch`. A waking task goes straight to an idle CPU when the default selection finds one.
 * Good: no switches beyond the necessary, the M/G/1-FCFS formulas hold exactly on the ideal
 * machine. Bad: head-of-line blocking; a CPU hog starves everything queued behind it (only the
 * watchdog ends that).
 * Simplified: a yield sends the task to the tail, as SCHED_FIFO's sched_yield does.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_SLICE_INF, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({});

const FIFO_DSQ = asDsq(0);

export class FifoScheduler implements SchedExtOps {
  readonly name = "fifo";

  constructor(private readonly scx: Scx, _opts: OptionValues<typeof options>) {}

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, SCX_SLICE_INF, 0);
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    this.scx.dsqInsert(p, FIFO_DSQ, SCX_SLICE_INF, enqFlags);
  }

  dispatch(_cpu: CpuId, prev: ScxTask | null): void {
    // A runnable prev gets here only after a yield: the next job if any, else prev again.
    if (!this.scx.dsqMoveToLocal(FIFO_DSQ) && prev !== null && prev.queued) prev.slice = SCX_SLICE_INF;
  }

  init(): number {
    return this.scx.createDsq(FIFO_DSQ, -1);
  }
}
