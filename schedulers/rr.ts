/**
 * rr — textbook round robin: a FIFO ready queue and a fixed time quantum; a task whose quantum
 * runs out goes to the tail of the queue, a waking task joins the tail.
 *
 * sched_ext mapping: one shared FIFO DSQ; every insert carries the quantum as its slice; when the
 * slice runs out the core sends the task back through `enqueue`, which appends it. `dispatch`
 * pulls the head; if the queue is empty the expired task simply gets a fresh quantum.
 * Good: bounded waiting — with N runnable tasks each waits at most (N−1)·q between its quanta;
 * with q → 0 (and free switches) it approaches processor sharing. Bad: every quantum costs a
 * switch; short interactive tasks wait behind a whole round of hogs.
 * Simplified: none (this is scx_simple -f with a configurable slice).
 */
import type { CpuId, SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 10_000, min: 1, doc: "the time quantum q in µs" },
});

const RR_DSQ = asDsq(0);

export class RrScheduler implements SchedExtOps {
  readonly name = "rr";
  private readonly quantumNs: number;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.quantumNs = Math.round(opts.slice_us * 1000);
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.quantumNs, 0);
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    this.scx.dsqInsert(p, RR_DSQ, this.quantumNs, enqFlags);
  }

  dispatch(_cpu: CpuId, prev: ScxTask | null): void {
    // The head of the queue gets the CPU; a lone task whose quantum ended gets another one.
    if (!this.scx.dsqMoveToLocal(RR_DSQ) && prev !== null && prev.queued) prev.slice = this.quantumNs;
  }

  init(): number {
    return this.scx.createDsq(RR_DSQ, -1);
  }
}
