/**
 * The deadline class (SCHED_DEADLINE), after kernel/sched/deadline.c: each task has a runtime,
 * a relative deadline and a period; each CPU runs its queued task with the earliest absolute
 * deadline (EDF). The constant bandwidth server (CBS) keeps a task within runtime/period:
 *  - at wakeup (update_dl_entity), a task whose deadline has passed, or whose remaining runtime
 *    over the time to its deadline exceeds runtime/period (dl_entity_overflow), gets a fresh
 *    deadline (now + deadline) and a full runtime;
 *  - while it runs its runtime is charged; at zero it is throttled until its next period
 *    (start_dl_timer at deadline - dl_deadline + dl_period), where replenish_dl_entity adds
 *    periods (deadline += period, runtime += budget) until the runtime is positive again;
 *  - sched_yield gives up the rest of the runtime (the task waits for its next period).
 * Admission (sched_dl_overflow): the bandwidths of all deadline tasks, plus those of the fair
 * and (while a BPF scheduler is loaded) ext servers, may not exceed 950000/1000000 of each CPU
 * (sched_rt_runtime_us / sched_rt_period_us) times the CPUs; a request beyond that fails with
 * -EBUSY. Balancing is kept simple: a waking task goes to prev
 * unless that CPU runs an earlier deadline, then to the allowed CPU with the latest (or no)
 * deadline; a CPU that runs no deadline task pulls the earliest one queued elsewhere.
 * Not modelled: GRUB reclaiming, the revised wakeup rule of constrained deadlines
 * (update_dl_revised_wakeup), frequency scaling of the runtime, the 0-lag inactive timer (a
 * task's bandwidth is released when it leaves the class or exits).
 */
import { TaskHeap } from "./taskheap.js";
import { Cls, Place, type Task } from "./task.js";
import type { Topology } from "./topology.js";
import { firstAllowed } from "./rt.js";

/** sched_rt_runtime_us / sched_rt_period_us: the share of each CPU deadline tasks may reserve. */
export const DL_BW_LIMIT = 950_000 / 1_000_000;

/** What the deadline class needs from the kernel. */
export interface DlHost {
  readonly now: number;
  readonly topo: Topology;
  readonly tasks: Task[];
  readonly curr: Int32Array;
  readonly currCls: Int8Array;
  cpuAllowed(t: Task, cpu: number): boolean;
  /** Wakes the throttled task `t` at `at` (its replenishment timer). */
  pushReplenish(at: number, t: Task): void;
  /** Bandwidth per CPU the deadline servers hold (dl_server_apply_params adds it to total_bw). */
  serverBandwidth(): number;
}

export class DlClass {
  readonly rq: TaskHeap[];
  /** Deadline tasks queued (not running) on all CPUs together. */
  queued = 0;
  /** Sum of runtime/period of the admitted tasks (the root domain's total_bw). */
  totalBw = 0;
  private stampSeq = 1;

  constructor(private readonly host: DlHost, nrCpus: number) {
    this.rq = Array.from({ length: nrCpus }, () => new TaskHeap());
  }

  nrQueued(cpu: number): number {
    return this.rq[cpu].live;
  }

  /**
   * sched_dl_overflow: whether a task of bandwidth `newBw` may replace one of `oldBw` (0 when
   * the task was not a deadline task) without exceeding the limit; admits it when it may.
   */
  admit(newBw: number, oldBw: number): boolean {
    const cap = (DL_BW_LIMIT - this.host.serverBandwidth()) * this.host.topo.nrCpus;
    if (newBw > oldBw && this.totalBw - oldBw + newBw > cap + 1e-12) return false;
    this.totalBw += newBw - oldBw;
    return true;
  }

  /** A deadline task leaves the class (exit or policy change): its bandwidth is freed. */
  release(bw: number): void {
    this.totalBw = Math.max(0, this.totalBw - bw);
  }

  /** update_dl_entity: the CBS wakeup rule; then the task is queued on `cpu`. */
  wakeup(t: Task, cpu: number): void {
    const now = this.host.now;
    if (t.dlDeadline <= now || overflows(t, now)) {
      t.dlDeadline = now + t.dlDeadlineNs;
      t.budgetNs = t.dlRuntimeNs;
    }
    this.enqueue(t, cpu);
  }

  /** A task that was never a deadline task (or changed its parameters) starts a fresh period. */
  start(t: Task): void {
    t.dlDeadline = this.host.now + t.dlDeadlineNs;
    t.budgetNs = t.dlRuntimeNs;
  }

  enqueue(t: Task, cpu: number): void {
    t.cpu = cpu;
    t.place = Place.DlRq;
    t.fairStamp = this.stampSeq++;
    this.rq[cpu].push(t.dlDeadline, t.slot, t.fairStamp);
    this.queued++;
  }

  remove(t: Task): void {
    if (t.place !== Place.DlRq) return;
    t.fairStamp = 0;
    this.rq[t.cpu].live--;
    this.queued--;
    t.place = Place.Sleeping;
  }

  /**
   * The running task used up its runtime (or yielded it): throttled until its next period
   * (start_dl_timer). The caller takes it off the CPU.
   */
  throttle(t: Task): void {
    t.place = Place.Throttled;
    this.host.pushReplenish(Math.max(this.host.now, t.dlDeadline - t.dlDeadlineNs + t.dlPeriodNs), t);
  }

  /** replenish_dl_entity at the timer: periods are added until the runtime is positive again. */
  replenish(t: Task): void {
    do {
      t.dlDeadline += t.dlPeriodNs;
      t.budgetNs += t.dlRuntimeNs;
    } while (t.budgetNs <= 0);
    // A timer that fired late (the task was held off long) starts over from now, as the kernel
    // does when the replenished deadline is still in the past.
    if (t.dlDeadline < this.host.now) this.start(t);
  }

  /** The next deadline task for `cpu`: the earliest deadline among the queue and `prev`. */
  pick(cpu: number, prev: Task | null): Task | null {
    if (this.queued > this.rq[cpu].live) this.pull(cpu, prev === null ? Number.POSITIVE_INFINITY : prev.dlDeadline);
    const top = this.peek(cpu);
    if (prev !== null && (top === null || prev.dlDeadline <= top.dlDeadline)) return prev;
    if (top === null) return null;
    this.rq[cpu].popTop();
    this.rq[cpu].live--;
    this.queued--;
    top.fairStamp = 0;
    return top;
  }

  /** Whether `woken` preempts the running deadline task `curr`: an earlier deadline. */
  wakeupPreempts(woken: Task, curr: Task): boolean {
    return woken.dlDeadline < curr.dlDeadline;
  }

  /** select_task_rq_dl, simplified: prev unless it runs an earlier deadline; then the latest (or no) deadline. */
  selectCpu(t: Task, prev: number): number {
    const h = this.host, n = h.topo.nrCpus;
    if (!h.cpuAllowed(t, prev)) prev = firstAllowed(h, t);
    if (this.later(prev, t.dlDeadline)) return prev;
    let best = prev, bestKey = this.key(prev);
    for (let i = 1; i < n; i++) {
      const c = (prev + i) % n;
      if (!h.cpuAllowed(t, c)) continue;
      const k = this.key(c);
      if (k > bestKey) { best = c; bestKey = k; }
    }
    return best;
  }

  /** The CPU runs no deadline task, or one with a later deadline than `d`. */
  private later(cpu: number, d: number): boolean {
    return this.key(cpu) > d;
  }

  /** The deadline the CPU's current work holds it to (Infinity when it runs no deadline task). */
  private key(cpu: number): number {
    const h = this.host, c = h.curr[cpu];
    return c >= 0 && h.currCls[cpu] === Cls.Dl ? h.tasks[c].dlDeadline : Number.POSITIVE_INFINITY;
  }

  /** pull_dl_task: the earliest deadline queued elsewhere, before `floor`, that may run here. */
  private pull(cpu: number, floor: number): void {
    const h = this.host, n = h.topo.nrCpus;
    const own = this.peek(cpu);
    let best: Task | null = null, bestD = Math.min(floor, own === null ? Number.POSITIVE_INFINITY : own.dlDeadline);
    for (let c = 0; c < n; c++) {
      if (c === cpu) continue;
      const heap = this.rq[c];
      for (let i = 0; i < heap.n; i++) {
        const t = h.tasks[heap.slot[i]];
        if (t.fairStamp !== heap.stamp[i] || t.place !== Place.DlRq || !h.cpuAllowed(t, cpu)) continue;
        if (t.dlDeadline < bestD) { best = t; bestD = t.dlDeadline; }
      }
    }
    if (best === null) return;
    this.remove(best);
    this.enqueue(best, cpu);
  }

  private peek(cpu: number): Task | null {
    const heap = this.rq[cpu];
    while (heap.n > 0) {
      const t = this.host.tasks[heap.slot[0]];
      if (t.fairStamp === heap.stamp[0] && t.place === Place.DlRq) return t;
      heap.popTop();
    }
    return null;
  }
}

/** A task's bandwidth, runtime / period. */
export function dlBandwidth(t: { readonly dlRuntimeNs: number; readonly dlPeriodNs: number }): number {
  return t.dlPeriodNs > 0 ? t.dlRuntimeNs / t.dlPeriodNs : 0;
}

/**
 * dl_entity_overflow: keeping the current deadline would let the task run faster than its
 * runtime over its relative deadline, i.e. runtime_left / (deadline - now) > dl_runtime / dl_deadline.
 */
function overflows(t: Task, now: number): boolean {
  return t.budgetNs * t.dlDeadlineNs > (t.dlDeadline - now) * t.dlRuntimeNs;
}
