/**
 * The default class: weighted fair sharing in the manner of CFS/EEVDF. Each CPU has a runqueue
 * ordered by virtual runtime (vruntime advances by runtime × 1024 / weight); the task with the
 * least vruntime runs for a base slice; a waking task preempts when it is behind by more than
 * the wakeup granularity; idle CPUs pull work and a periodic balancer evens out queue lengths.
 */
import { TaskHeap } from "./taskheap.js";
import { Cls, Place, type Task } from "./task.js";
import type { Topology } from "./topology.js";

/** What the fair class needs from the kernel. */
export interface FairHost {
  readonly now: number;
  readonly topo: Topology;
  readonly tasks: Task[];
  currOf(cpu: number): Task | null;
  isIdle(cpu: number): boolean;
  cpuAllowed(t: Task, cpu: number): boolean;
}

export class FairClass {
  readonly rq: TaskHeap[];
  /** Per-CPU floor of vruntime, so sleepers and migrants are placed relative to the queue. */
  readonly minVruntime: Float64Array;
  /** Sum of the weights of the tasks queued (not running) on each CPU. */
  readonly queuedWeight: Float64Array;
  /** Base slice and wakeup granularity, scaled like the kernel's by 1 + log2(min(ncpu, 8)). */
  readonly baseSliceNs: number;
  readonly wakeupGranNs: number;
  readonly sleeperCreditNs: number;
  private stampSeq = 1;
  /** Tasks queued on all runqueues together (the sum of their `live`). */
  private queued = 0;

  constructor(private readonly host: FairHost, nrCpus: number) {
    this.rq = Array.from({ length: nrCpus }, () => new TaskHeap());
    this.minVruntime = new Float64Array(nrCpus);
    this.queuedWeight = new Float64Array(nrCpus);
    const factor = 1 + Math.floor(Math.log2(Math.min(nrCpus, 8)));
    this.baseSliceNs = 750_000 * factor;
    this.wakeupGranNs = 1_000_000 * factor;
    this.sleeperCreditNs = 3_000_000 * factor;
  }

  /** Tasks queued (not running) on a CPU. */
  nrQueued(cpu: number): number {
    return this.rq[cpu].live;
  }

  /** Wakeup placement (select_task_rq_fair, simplified): prev if idle, else an idle CPU near it. */
  selectCpu(t: Task, prev: number): number {
    const h = this.host, topo = h.topo;
    if (!h.cpuAllowed(t, prev)) prev = this.firstAllowed(t);
    if (h.isIdle(prev)) return prev;
    const llc = topo.llcCpus[topo.llcOf[prev]];
    for (let i = 0; i < llc.length; i++) {
      const c = llc[(i + prev) % llc.length];
      if (h.isIdle(c) && h.cpuAllowed(t, c)) return c;
    }
    const n = topo.nrCpus;
    for (let i = 1; i < n; i++) {
      const c = (prev + i) % n;
      if (h.isIdle(c) && h.cpuAllowed(t, c)) return c;
    }
    return prev;
  }

  /** Queues a runnable task on `cpu`. `wakeup` places a sleeper with bounded credit. */
  enqueue(t: Task, cpu: number, wakeup: boolean, lag: number): void {
    const minV = this.minVruntime[cpu];
    t.vruntime = minV + (wakeup ? Math.max(lag, -this.sleeperCreditNs) : lag);
    this.insert(t, cpu);
  }

  /** Puts the task that was running back on its queue (preempted or its slice ended). */
  putPrev(t: Task, cpu: number): void {
    this.insert(t, cpu);
  }

  /** vruntime relative to the queue, kept while a task sleeps or migrates. */
  lagOf(t: Task, cpu: number): number {
    return t.vruntime - this.minVruntime[cpu];
  }

  /** Removes a queued task (class switch); its heap entry goes stale. */
  remove(t: Task): void {
    if (t.place !== Place.FairRq) return;
    t.fairStamp = 0;
    this.rq[t.cpu].live--;
    this.queued--;
    this.queuedWeight[t.cpu] -= t.fairWeight;
    t.place = Place.Sleeping;
  }

  /**
   * The next fair task for `cpu`: the least vruntime among the queue and `prev` (the fair task
   * that was running, still runnable). Pulls from a busier CPU when the queue is empty.
   */
  pick(cpu: number, prev: Task | null, prevYielded: boolean): Task | null {
    let top = this.peek(cpu);
    if (top === null && prev === null) {
      if (this.pull(cpu)) top = this.peek(cpu);
    }
    if (prev !== null && (top === null || (!prevYielded && prev.vruntime <= top.vruntime))) {
      this.updateMin(cpu, prev.vruntime, top);
      return prev;
    }
    if (top === null) return null;
    this.rq[cpu].popTop();
    this.rq[cpu].live--;
    this.queued--;
    this.queuedWeight[cpu] -= top.fairWeight;
    top.fairStamp = 0;
    this.updateMin(cpu, top.vruntime, this.peek(cpu));
    return top;
  }

  /** Whether a waking task should preempt the running fair task. */
  wakeupPreempts(woken: Task, curr: Task): boolean {
    // CFS scales the granularity into the waking task's virtual time (wakeup_gran of the wakee).
    return woken.vruntime + (this.wakeupGranNs * 1024) / woken.fairWeight < curr.vruntime;
  }

  /** Whether the running task should give way when its slice ends. */
  sliceExpiredResched(cpu: number, curr: Task): boolean {
    const top = this.peek(cpu);
    return top !== null && top.vruntime < curr.vruntime;
  }

  /** Weighted load of a CPU: its queued fair tasks plus its running fair task. */
  load(cpu: number): number {
    const curr = this.host.currOf(cpu);
    return this.queuedWeight[cpu] + (curr !== null && curr.cls === Cls.Fair ? curr.fairWeight : 0);
  }

  /**
   * Periodic balance by weighted load, as the kernel's migrate_load: from the most loaded CPU
   * that has a queued task to the least loaded one, move the queued task whose weight best
   * halves the gap, as long as the gap shrinks. Each move lowers the spread, so it ends.
   */
  balance(): void {
    const n = this.host.topo.nrCpus;
    for (let moves = 0; moves < n; moves++) {
      let maxC = -1, maxL = 0, minC = -1, minL = Number.POSITIVE_INFINITY;
      for (let c = 0; c < n; c++) {
        const load = this.load(c);
        if (this.rq[c].live > 0 && load > maxL) { maxL = load; maxC = c; }
        if (load < minL) { minL = load; minC = c; }
      }
      if (maxC < 0 || maxC === minC || maxL <= minL) return;
      if (!this.migrateBest(maxC, minC, maxL - minL)) return;
    }
  }

  /** Idle pull: take one queued task from the busiest CPU, preferring this CPU's LLC. */
  private pull(cpu: number): boolean {
    if (this.queued === 0) return false; // nothing anywhere (the common case under sched_ext)
    const topo = this.host.topo, n = topo.nrCpus;
    let best = -1, bestLoad = 0, bestNear = false;
    for (let c = 0; c < n; c++) {
      const load = this.rq[c].live;
      if (c === cpu || load === 0) continue;
      const near = topo.llcOf[c] === topo.llcOf[cpu];
      if ((near && !bestNear) || (near === bestNear && load > bestLoad)) { best = c; bestLoad = load; bestNear = near; }
    }
    return best >= 0 && this.migrateOne(best, cpu);
  }

  /** Idle pull: any queued task of `from` that may run on `to`. */
  private migrateOne(from: number, to: number): boolean {
    return this.migrateBest(from, to, Number.POSITIVE_INFINITY);
  }

  /** Moves the queued task of `from` allowed on `to` whose weight is nearest half of `gap` (and below it). */
  private migrateBest(from: number, to: number, gap: number): boolean {
    const h = this.rq[from];
    let best: Task | null = null, bestErr = Number.POSITIVE_INFINITY;
    for (let i = 0; i < h.n; i++) {
      const t = this.host.tasks[h.slot[i]];
      if (t.fairStamp !== h.stamp[i] || t.place !== Place.FairRq || !this.host.cpuAllowed(t, to)) continue;
      if (gap !== Number.POSITIVE_INFINITY && t.fairWeight >= gap) continue;
      const err = Math.abs(gap - 2 * t.fairWeight);
      if (err < bestErr) { best = t; bestErr = err; }
      if (gap === Number.POSITIVE_INFINITY) break;
    }
    if (best === null) return false;
    const lag = this.lagOf(best, from);
    this.remove(best);
    best.cpu = to;
    best.vruntime = this.minVruntime[to] + lag;
    this.insert(best, to);
    return true;
  }

  private peek(cpu: number): Task | null {
    const h = this.rq[cpu];
    while (h.n > 0) {
      const t = this.host.tasks[h.slot[0]];
      if (t.fairStamp === h.stamp[0] && t.place === Place.FairRq) return t;
      h.popTop();
    }
    return null;
  }

  private insert(t: Task, cpu: number): void {
    t.cpu = cpu;
    t.place = Place.FairRq;
    t.fairStamp = this.stampSeq++;
    this.queuedWeight[cpu] += t.fairWeight;
    this.rq[cpu].push(t.vruntime, t.slot, t.fairStamp);
    this.queued++;
  }

  private updateMin(cpu: number, v: number, top: Task | null): void {
    const m = top !== null && top.vruntime < v ? top.vruntime : v;
    if (m > this.minVruntime[cpu]) this.minVruntime[cpu] = m;
  }

  private firstAllowed(t: Task): number {
    const n = this.host.topo.nrCpus;
    for (let c = 0; c < n; c++) if (this.host.cpuAllowed(t, c)) return c;
    return 0;
  }
}
