/**
 * randq — a validation-harness policy, not a product scheduler: c separate FIFO queues, one per
 * CPU (its local DSQ), and a uniformly random queue for every arriving job. A Poisson stream
 * split at random gives c independent M/M/1 queues, E[T] = 1/(μ − λ/c): the contrast to one
 * shared queue (M/M/c). Jobs run to completion (SCX_SLICE_INF) and never migrate.
 * Not in the registry: `scxlab validate` attaches it directly (its random-split case).
 */
import type { CpuId, SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_SLICE_INF, localOn, asCpu } from "../sim/ext/consts.js";

export class RandomQueues implements SchedExtOps {
  readonly name = "randq";

  constructor(private readonly scx: Scx) {}

  private pick(): CpuId {
    return asCpu(this.scx.randomU32() % this.scx.nrCpus());
  }

  select_cpu(p: ScxTask): CpuId {
    const cpu = this.pick();
    this.scx.dsqInsert(p, localOn(cpu), SCX_SLICE_INF, 0);
    return cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    this.scx.dsqInsert(p, localOn(this.pick()), SCX_SLICE_INF, enqFlags);
  }

  dispatch(_cpu: CpuId, prev: ScxTask | null): void {
    if (prev !== null && prev.queued) prev.slice = SCX_SLICE_INF;
  }
}
