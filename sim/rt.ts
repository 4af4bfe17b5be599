/**
 * The RT class (SCHED_FIFO, SCHED_RR), after kernel/sched/rt.c. Each CPU has a priority queue:
 * the highest priority (99) first, FIFO within a priority. A FIFO task runs until it blocks,
 * yields or a higher priority wakes on its CPU; an RR task also goes to the tail of its priority
 * after a 100 ms quantum (RR_TIMESLICE) when another task of its priority waits there.
 * A preempted task keeps its place at the head of its priority (rt.c never takes the running
 * task off its list). Balancing is kept simple: a waking or preempted task is pushed to the CPU
 * running the lowest-ranked work it may use (select_task_rq_rt / push_rt_task over cpupri),
 * and a CPU about to run something below a task queued elsewhere pulls the highest such task
 * (pull_rt_task). So the highest-priority runnable tasks run, one per CPU, as far as affinity
 * allows. Priority inheritance, RT group scheduling and the overload masks are not modelled.
 */
import { TaskHeap } from "./taskheap.js";
import { Cls, Place, type Task } from "./task.js";
import type { Topology } from "./topology.js";

/** SCHED_RR's quantum (RR_TIMESLICE = 100 ms). */
export const RR_TIMESLICE_NS = 100_000_000;

/** What the RT class needs from the kernel. */
export interface RtHost {
  readonly topo: Topology;
  readonly tasks: Task[];
  readonly curr: Int32Array;
  readonly currCls: Int8Array;
  cpuAllowed(t: Task, cpu: number): boolean;
}

const PRIO_BAND = 2 ** 43, MID = 2 ** 42;

/**
 * How much a CPU's current work is worth protecting, for push and pull (cpupri's levels):
 * idle 0, fair or ext 1, RT priority p 1 + p, deadline 101.
 */
export function cpuRank(h: RtHost, cpu: number): number {
  const c = h.curr[cpu];
  if (c < 0) return 0;
  const cls = h.currCls[cpu];
  return cls === Cls.Dl ? 101 : cls === Cls.Rt ? 1 + h.tasks[c].rtPriority : 1;
}

export class RtClass {
  readonly rq: TaskHeap[];
  /** RT tasks queued (not running) on all CPUs together: 0 keeps every RT check off the fair path. */
  queued = 0;
  private stampSeq = 1;
  private tailSeq = 0;
  private headSeq = 0;

  constructor(private readonly host: RtHost, nrCpus: number) {
    this.rq = Array.from({ length: nrCpus }, () => new TaskHeap());
  }

  nrQueued(cpu: number): number {
    return this.rq[cpu].live;
  }

  /** Queues `t` on `cpu`: at the tail of its priority, or at the head (a preempted task). */
  enqueue(t: Task, cpu: number, head: boolean): void {
    const base = (100 - t.rtPriority) * PRIO_BAND + MID;
    const key = head ? base - ++this.headSeq : base + ++this.tailSeq;
    t.cpu = cpu;
    t.place = Place.RtRq;
    t.fairStamp = this.stampSeq++;
    this.rq[cpu].push(key, t.slot, t.fairStamp);
    this.queued++;
  }

  /** Takes a queued task off its queue (a change of its attributes); its heap entry goes stale. */
  remove(t: Task): void {
    if (t.place !== Place.RtRq) return;
    t.fairStamp = 0;
    this.rq[t.cpu].live--;
    this.queued--;
    t.place = Place.Sleeping;
  }

  /** The highest queued priority on `cpu`, or 0. */
  topPriority(cpu: number): number {
    const t = this.peek(cpu);
    return t === null ? 0 : t.rtPriority;
  }

  /**
   * The next RT task for `cpu`: `prev` (the RT task that ran, still runnable) unless a queued
   * task outranks it; a queued one; or null. Pulls first when a task waiting elsewhere would
   * outrank what this CPU has.
   */
  pick(cpu: number, prev: Task | null, prevYielded: boolean): Task | null {
    if (this.queued > this.rq[cpu].live) this.pull(cpu, prev === null ? 0 : prev.rtPriority);
    const top = this.peek(cpu);
    if (prev !== null && !prevYielded && (top === null || top.rtPriority <= prev.rtPriority)) return prev;
    if (top === null) return prev;
    this.rq[cpu].popTop();
    this.rq[cpu].live--;
    this.queued--;
    top.fairStamp = 0;
    return top;
  }

  /**
   * put_prev_task_rt + push_rt_task: a preempted task goes to the CPU whose current work ranks
   * lowest and below it, if any (at the tail there), else back to the head of its priority here.
   * Returns the CPU it was queued on.
   */
  putPrev(t: Task, cpu: number): number {
    const h = this.host, rank = 1 + t.rtPriority, n = h.topo.nrCpus;
    let best = -1, bestRank = rank;
    for (let i = 1; i < n; i++) {
      const c = (cpu + i) % n;
      if (!h.cpuAllowed(t, c) || this.rq[c].live > 0) continue;
      const r = cpuRank(h, c);
      if (r < bestRank) { best = c; bestRank = r; }
    }
    if (best < 0 && h.cpuAllowed(t, cpu)) { this.enqueue(t, cpu, true); return cpu; }
    if (best < 0) best = firstAllowed(h, t);
    this.enqueue(t, best, false);
    return best;
  }

  /** Whether `woken`, queued on the CPU running `curr` (an RT task), preempts it: a strictly higher priority. */
  wakeupPreempts(woken: Task, curr: Task): boolean {
    return woken.rtPriority > curr.rtPriority;
  }

  /**
   * select_task_rq_rt: `prev` when the task would run there at once (its current work ranks
   * below the task), else the allowed CPU whose current work ranks lowest and below the task,
   * nearest first (prev's LLC, then any); prev when there is none.
   */
  selectCpu(t: Task, prev: number): number {
    const h = this.host, topo = h.topo, rank = 1 + t.rtPriority;
    if (!h.cpuAllowed(t, prev)) prev = firstAllowed(h, t);
    if (cpuRank(h, prev) < rank && this.rq[prev].live === 0) return prev;
    let best = prev, bestRank = cpuRank(h, prev) + (this.rq[prev].live > 0 ? 0.5 : 0);
    const llc = topo.llcOf[prev], n = topo.nrCpus;
    for (let i = 1; i < n; i++) {
      const c = (prev + i) % n;
      if (!h.cpuAllowed(t, c)) continue;
      const r = cpuRank(h, c) + (topo.llcOf[c] === llc ? 0 : 0.25) + (this.rq[c].live > 0 ? 0.5 : 0);
      if (r < bestRank) { best = c; bestRank = r; }
    }
    return bestRank < rank ? best : prev;
  }

  /** pull_rt_task: the highest-priority task queued elsewhere that outranks `floor` and may run here. */
  private pull(cpu: number, floor: number): void {
    const h = this.host, n = h.topo.nrCpus;
    let best: Task | null = null, bestPrio = Math.max(floor, this.topPriority(cpu));
    for (let c = 0; c < n; c++) {
      if (c === cpu || this.rq[c].live === 0) continue;
      const t = this.highestAllowed(c, cpu);
      if (t !== null && t.rtPriority > bestPrio) { best = t; bestPrio = t.rtPriority; }
    }
    if (best === null) return;
    this.remove(best);
    this.enqueue(best, cpu, true);
  }

  /** The highest-priority task queued on `from` that may run on `to`. */
  private highestAllowed(from: number, to: number): Task | null {
    const heap = this.rq[from], h = this.host;
    let best: Task | null = null, bestKey = Number.POSITIVE_INFINITY;
    for (let i = 0; i < heap.n; i++) {
      const t = h.tasks[heap.slot[i]];
      if (t.fairStamp !== heap.stamp[i] || t.place !== Place.RtRq || !h.cpuAllowed(t, to)) continue;
      if (heap.key[i] < bestKey) { best = t; bestKey = heap.key[i]; }
    }
    return best;
  }

  private peek(cpu: number): Task | null {
    const heap = this.rq[cpu];
    while (heap.n > 0) {
      const t = this.host.tasks[heap.slot[0]];
      if (t.fairStamp === heap.stamp[0] && t.place === Place.RtRq) return t;
      heap.popTop();
    }
    return null;
  }
}

/** The first CPU `t` may use. */
export function firstAllowed(h: RtHost, t: Task): number {
  for (let c = 0; c < h.topo.nrCpus; c++) if (h.cpuAllowed(t, c)) return c;
  return 0;
}
