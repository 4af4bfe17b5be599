/**
 * srtf — shortest remaining time first (preemptive SJF): the runnable job with the least work
 * left runs; a newly woken job preempts the running one when it needs less than what remains.
 * Optimal for mean response time on one CPU when sizes are known (SRPT, Schrage–Miller).
 *
 * sched_ext mapping: one vtime-ordered DSQ keyed by remaining time; slices are SCX_SLICE_INF,
 * so a job runs until it blocks, exits or is preempted. Remaining time is the job's real
 * remaining size, `p.workLeftNs` (an oracle the simulator has and a kernel does not), so the
 * policy is the SRPT of the textbook. On wakeup, `enqueue` looks for the CPU whose running job
 * has the most left and, if the newcomer is shorter, inserts it at the head of that CPU's local
 * DSQ with SCX_ENQ_PREEMPT.
 * Where the work is not known (an rt-app `runtime` event, bounded by time), or with
 * `oracle=false`, the size is the one the workload declares per activation (`p.expectedRunNs`),
 * or else the textbook prediction, an exponential average of past activations,
 * τ ← α·t + (1−α)·τ (α = 1/2), starting at `default_run_us`, minus the CPU time used in this
 * activation. A job that outlives such an estimate is assumed to need as much again: the size
 * doubles each time the job reaches it, so an overrunning job stays preemptible by shorter work
 * instead of sitting at remaining time 0 (where nothing could preempt it).
 * Good: short jobs never wait behind long ones. Bad: long jobs starve under a steady stream of
 * short ones.
 * Simplified: the oracle's "job" is the task's current (or next) `run` event; an activation made
 * of several run events is seen one event at a time. CPU time used for estimates is measured by
 * the scheduler (running → stopping), not read from the task.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_PREEMPT, SCX_ENQ_WAKEUP, SCX_SLICE_INF, localOn, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  default_run_us: { type: "number", default: 10_000, min: 1, doc: "initial size estimate (µs) for tasks that declare none" },
  preempt: { type: "boolean", default: true, doc: "preempt a longer running job on wakeup (false: non-preemptive SJF)" },
  oracle: { type: "boolean", default: true, doc: "use each job's real remaining size (p.workLeftNs); false: declared or predicted sizes" },
});

const SRTF_DSQ = asDsq(0);

interface TaskCtx {
  /** activatedAtNs of the activation `usedNs` belongs to. */
  act: number;
  usedNs: number;
  /** When the task last started running, or -1 while off the CPU. */
  runStartNs: number;
  /** Predicted size for tasks without a declared one. */
  estNs: number;
}

export class SrtfScheduler implements SchedExtOps {
  readonly name = "srtf";
  private readonly ctx: TaskStorage<TaskCtx>;
  private readonly preempt: boolean;
  private readonly oracle: boolean;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    const est = Math.round(opts.default_run_us * 1000);
    this.preempt = opts.preempt;
    this.oracle = opts.oracle;
    this.ctx = scx.taskStorage((p) => ({ act: p.activatedAtNs, usedNs: 0, runStartNs: -1, estNs: est }));
  }

  /** Work left in the current job, ns: the real size, or an estimate (above 0: an overrun doubles it). */
  remaining(p: ScxTask): number {
    if (this.oracle) {
      const w = p.workLeftNs;
      if (w < Number.POSITIVE_INFINITY) return w;
    }
    const c = this.ctx.get(p);
    if (c.act !== p.activatedAtNs) {
      // A new activation: fold the last one into the estimate and start counting afresh.
      if (c.usedNs > 0) c.estNs = Math.round((c.usedNs + c.estNs) / 2);
      c.act = p.activatedAtNs;
      c.usedNs = 0;
    }
    const used = c.usedNs + (c.runStartNs >= 0 ? this.scx.now() - c.runStartNs : 0);
    let size = p.expectedRunNs > 0 ? p.expectedRunNs : c.estNs;
    while (size <= used) size *= 2;
    return size - used;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, SCX_SLICE_INF, 0);
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const left = this.remaining(p);
    if (this.preempt && (enqFlags & SCX_ENQ_WAKEUP) !== 0) {
      const victim = this.longestRunning(p, left);
      if (victim >= 0) {
        this.scx.stat("preempt");
        this.scx.dsqInsert(p, localOn(victim), SCX_SLICE_INF, SCX_ENQ_PREEMPT);
        return;
      }
    }
    this.scx.dsqInsertVtime(p, SRTF_DSQ, SCX_SLICE_INF, left, enqFlags);
  }

  /** The allowed CPU running the job with the most work left, if that is more than `left`. */
  private longestRunning(p: ScxTask, left: number): CpuId {
    let best = asCpu(-1), most = left;
    for (let cpu = asCpu(0); cpu < this.scx.nrCpus(); cpu++) {
      if (!this.scx.cpuAllowed(p, cpu) || this.scx.nrQueuedLocal(cpu) > 0) continue;
      const curr = this.scx.cpuCurr(cpu);
      if (curr === null) continue;
      const r = this.remaining(curr);
      if (r > most) { most = r; best = cpu; }
    }
    return best;
  }

  dispatch(_cpu: CpuId, prev: ScxTask | null): void {
    if (!this.scx.dsqMoveToLocal(SRTF_DSQ) && prev !== null && prev.queued) prev.slice = SCX_SLICE_INF;
  }

  running(p: ScxTask): void {
    this.remaining(p); // roll the activation over before the clock starts
    this.ctx.get(p).runStartNs = this.scx.now();
  }

  stopping(p: ScxTask): void {
    const c = this.ctx.get(p);
    if (c.runStartNs >= 0) c.usedNs += this.scx.now() - c.runStartNs;
    c.runStartNs = -1;
  }

  init(): number {
    return this.scx.createDsq(SRTF_DSQ, -1);
  }
}
