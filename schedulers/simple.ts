/**
 * simple — modelled on the kernel's tools/sched_ext/scx_simple.bpf.c, following its copy in
 * sched-ext/scx scheds/c/scx_simple.bpf.c at 0f379644a (2026-02-10, the last tree with scheds/c).
 *
 * One shared DSQ for the whole machine. By default tasks are ordered by weighted virtual time
 * (a sleeper may bank at most one slice of credit); with `fifo=true` it is a global FIFO.
 * A waking task goes straight to an idle CPU's local DSQ when the default CPU selection finds
 * one. Good on single-socket, single-LLC machines; FIFO mode lets CPU hogs starve sleepers.
 * Simplified: none (the per-CPU stats counters become scheduler stats "local"/"global").
 */
import type { SchedExtOps, Scx, ScxTask, CpuId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  fifo: { type: "boolean", default: false, doc: "global FIFO instead of weighted vtime (scx_simple -f)" },
  slice_us: { type: "number", default: 20_000, min: 1, doc: "time slice in µs" },
});

const SHARED_DSQ = asDsq(0);

export class SimpleScheduler implements SchedExtOps {
  readonly name = "simple";
  private vtimeNow = 0;
  private readonly sliceNs: number;
  private readonly fifo: boolean;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.fifo = opts.fifo;
    this.sliceNs = opts.slice_us * 1000;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      this.scx.stat("local");
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    this.scx.stat("global");
    if (this.fifo) {
      this.scx.dsqInsert(p, SHARED_DSQ, this.sliceNs, enqFlags);
      return;
    }
    // A sleeper may not bank more than one slice of budget.
    const vtime = Math.max(p.dsqVtime, this.vtimeNow - this.sliceNs);
    this.scx.dsqInsertVtime(p, SHARED_DSQ, this.sliceNs, vtime, enqFlags);
  }

  dispatch(): void {
    this.scx.dsqMoveToLocal(SHARED_DSQ);
  }

  running(p: ScxTask): void {
    if (this.fifo) return;
    // Global vtime advances to the start of whichever task runs next.
    if (p.dsqVtime > this.vtimeNow) this.vtimeNow = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    if (this.fifo) return;
    // Charge the slice used, scaled by the inverse of the weight.
    const used = this.sliceNs - Math.max(0, p.slice);
    p.dsqVtime += (used * 100) / p.weight;
  }

  enable(p: ScxTask): void {
    p.dsqVtime = this.vtimeNow;
  }

  init(): number {
    return this.scx.createDsq(SHARED_DSQ, -1);
  }
}

