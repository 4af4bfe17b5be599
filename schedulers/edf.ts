/**
 * edf — earliest deadline first: the runnable job whose absolute deadline is earliest runs; a
 * newly released job preempts the running one when its deadline is earlier. On one CPU with
 * preemption and implicit deadlines, EDF meets every deadline iff utilisation U = Σ Cᵢ/Tᵢ ≤ 1
 * (Liu & Layland); above that it misses some, and overload spreads (the domino effect).
 *
 * sched_ext mapping: vtime-ordered DSQs keyed by absolute deadline = start of the current
 * activation (`p.activatedAtNs`: the wakeup or arrival) + relative deadline, which is the task's
 * SCHED_DEADLINE deadline (`p.dlDeadlineNs`), else its period (`p.dlPeriodNs`), else the
 * `default_deadline_us` option. On wakeup, `enqueue` finds the CPU running the job with the
 * latest deadline and, if the newcomer's is earlier, inserts it at the head of that CPU's local
 * DSQ with SCX_ENQ_PREEMPT. Jobs run with a finite slice only so that equal deadlines take turns;
 * at slice end the running job keeps the CPU while its deadline is still the earliest of the jobs
 * that may run on this CPU.
 * Affinity: one DSQ per distinct CPU mask (DSQ 0 for jobs that may run anywhere; the others are
 * created at init_task), so each DSQ's head is the earliest deadline a CPU can take from it, and
 * a CPU compares the heads of the DSQs it serves. (Against the head of one shared DSQ, a job
 * pinned to another CPU would make a CPU give up its running job for a later deadline.)
 * Budget: a task that declares no deadline or period runs as the constant-bandwidth server
 * (Abeni & Buttazzo 1998) with budget = one slice and period = `default_deadline_us`: each
 * slice of CPU time it uses without sleeping postpones its deadline by one period. A task
 * that never sleeps (its activation never moves) thus does not keep the earliest deadline
 * forever; its deadline advances as it runs, at bandwidth slice / period.
 * Simplified: tasks with a declared SCHED_DEADLINE deadline or period keep their deadline
 * however long they run (their budget would be the declared runtime, which the task view does
 * not carry); no admission control; global EDF on N CPUs is not optimal (Dhall's effect), it is
 * what a shared queue gives.
 */
import type { CpuId, InitTaskArgs, SchedExtOps, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_PREEMPT, SCX_ENQ_WAKEUP, localOn, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";
import { AffinityDsqs } from "./lib/affinity_dsqs.js";

export const options = defineOptions({
  default_deadline_us: { type: "number", default: 100_000, min: 1, doc: "relative deadline (µs) of tasks that declare neither deadline nor period" },
  slice_us: { type: "number", default: 20_000, min: 1, doc: "slice (µs) after which jobs with equal deadlines take turns; also each job's budget per deadline" },
});

interface TaskCtx {
  /** activatedAtNs of the activation `dl` belongs to. */
  act: number;
  /** Absolute deadline, postponed by one relative deadline per budget used up. */
  dl: number;
  /** CPU time used against the current budget, and when the task last started running (-1: off CPU). */
  usedNs: number;
  runStartNs: number;
}

/** DSQ of the jobs that may run on every CPU; other CPU masks get ids from 1 up. */
const ANY_CPU_DSQ = asDsq(0);

export class EdfScheduler implements SchedExtOps {
  readonly name = "edf";
  private readonly defaultNs: number;
  private readonly sliceNs: number;
  /** DSQ id by CPU mask ("0,2,3"), and the DSQs each CPU serves (ANY_CPU_DSQ first). */
  private readonly dsqs: AffinityDsqs;
  private readonly ctx: TaskStorage<TaskCtx>;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.defaultNs = Math.round(opts.default_deadline_us * 1000);
    this.sliceNs = Math.round(opts.slice_us * 1000);
    this.dsqs = new AffinityDsqs(scx, ANY_CPU_DSQ);
    this.ctx = scx.taskStorage((p) => ({ act: -1, dl: p.activatedAtNs, usedNs: 0, runStartNs: -1 }));
  }

  private relative(p: ScxTask): number {
    return p.dlDeadlineNs > 0 ? p.dlDeadlineNs : p.dlPeriodNs > 0 ? p.dlPeriodNs : this.defaultNs;
  }

  /** Absolute deadline of the task's current job, ns: activation + relative deadline (plus one period per budget used, for undeclared tasks). */
  deadline(p: ScxTask): number {
    const c = this.ctx.get(p);
    if (c.act !== p.activatedAtNs) {
      c.act = p.activatedAtNs;
      c.dl = c.act + this.relative(p);
      c.usedNs = 0;
    }
    if (c.runStartNs >= 0) {
      const now = this.scx.now();
      c.usedNs += now - c.runStartNs;
      c.runStartNs = now;
    }
    if (p.dlDeadlineNs > 0 || p.dlPeriodNs > 0) return c.dl;
    for (; c.usedNs >= this.sliceNs; c.usedNs -= this.sliceNs) {
      c.dl += this.relative(p);
      this.scx.stat("postpone");
    }
    return c.dl;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, 0);
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const dl = this.deadline(p);
    if ((enqFlags & SCX_ENQ_WAKEUP) !== 0) {
      const victim = this.latestRunning(p, dl);
      if (victim >= 0) {
        this.scx.stat("preempt");
        this.scx.dsqInsert(p, localOn(victim), this.sliceNs, SCX_ENQ_PREEMPT);
        return;
      }
    }
    this.scx.dsqInsertVtime(p, this.dsqs.dsqOf(p), this.sliceNs, dl, enqFlags);
  }

  /** The allowed CPU running the job with the latest deadline, if that is later than `dl`. */
  private latestRunning(p: ScxTask, dl: number): CpuId {
    let best = asCpu(-1), latest = dl;
    for (let cpu = asCpu(0); cpu < this.scx.nrCpus(); cpu++) {
      if (!this.scx.cpuAllowed(p, cpu) || this.scx.nrQueuedLocal(cpu) > 0) continue;
      const curr = this.scx.cpuCurr(cpu);
      if (curr === null) continue;
      const d = this.deadline(curr);
      if (d > latest) { latest = d; best = cpu; }
    }
    return best;
  }

  dispatch(cpu: CpuId, last: ScxTask | null): void {
    // ops.dispatch also gets a prev that blocked or exited: only a runnable one (SCX_TASK_QUEUED) may keep the CPU.
    const prev = last !== null && last.queued ? last : null;
    // The earliest deadline among the jobs that may run here: the earliest head of this CPU's
    // DSQs. prev's slice ended: it keeps the CPU unless that deadline is as early or earlier.
    let best = asDsq(-1), bestDl = Number.POSITIVE_INFINITY;
    for (const dsq of this.dsqs.cpuDsqs[cpu]) {
      const head = this.scx.dsqPeek(dsq);
      if (head !== null && head.dsqVtime < bestDl) { best = dsq; bestDl = head.dsqVtime; }
    }
    if (prev !== null && this.deadline(prev) < bestDl) { prev.slice = this.sliceNs; return; }
    if ((best < 0 || !this.scx.dsqMoveToLocal(best)) && prev !== null) prev.slice = this.sliceNs;
  }

  running(p: ScxTask): void {
    this.deadline(p); // roll the activation over before the clock starts
    this.ctx.get(p).runStartNs = this.scx.now();
  }

  stopping(p: ScxTask): void {
    this.deadline(p);
    this.ctx.get(p).runStartNs = -1;
  }

  /** Creates the task's DSQ here (init_task may sleep, as scx_bpf_create_dsq needs). */
  init_task(p: ScxTask, _args: InitTaskArgs): number {
    this.dsqs.dsqOf(p);
    return 0;
  }

  init(): number {
    return this.dsqs.init();
  }
}

