/**
 * cfs-like — what a sched_ext port of Linux's fair class looks like: weighted virtual time on
 * per-CPU runqueues. Each task's vtime grows by used · 100 / weight; each CPU runs the lowest
 * vtime of its own queue; always-runnable tasks on one CPU get time in proportion to weight
 * (nice 0 : nice 5 = 1024 : 335, to the sched_ext weights' rounding, 100 : 33).
 *
 * sched_ext mapping: one vtime DSQ per CPU (id = CPU number) and a vtime clock per CPU (the
 * largest vtime started there, like min_vruntime). A waking task goes to an idle CPU if the
 * default selection finds one, else to the queue of the CPU it selected, placed no lower than
 * that clock minus one slice (sleepers bank at most one slice of credit), and preempts the
 * running task when it is more than `wakeup_gran_us` of vtime behind it. A vtime moving between
 * CPUs is rebased from one clock to the other. At slice end `dispatch` keeps the running task
 * while its vtime is strictly the lowest; a CPU with nothing queued steals from the longest
 * other queue, and any CPU pulls from a queue at least two tasks longer than its own.
 * Simplified: no EEVDF lag/eligibility, no cgroup hierarchy, no SMT/LLC/NUMA-aware balancing
 * (the balance is the pull at dispatch time), fixed slices instead of latency-derived ones.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_WAKEUP, SCX_KICK_PREEMPT } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 3_000, min: 1, doc: "time slice in µs" },
  wakeup_gran_us: { type: "number", default: 1_000, min: 0, doc: "vtime lead (µs) a waking task needs to preempt the running one" },
});

interface TaskCtx {
  /** CPU whose vtime clock `p.dsqVtime` is relative to. */
  cpu: CpuId;
  runStartNs: number;
}

export class CfsLikeScheduler implements SchedExtOps {
  readonly name = "cfs-like";
  private readonly sliceNs: number;
  private readonly granNs: number;
  private readonly vtimeNow: Float64Array;
  private readonly ctx: TaskStorage<TaskCtx>;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.sliceNs = Math.round(opts.slice_us * 1000);
    this.granNs = Math.round(opts.wakeup_gran_us * 1000);
    this.vtimeNow = new Float64Array(scx.nrCpus());
    this.ctx = scx.taskStorage((p) => ({ cpu: p.cpu, runStartNs: -1 }));
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      this.placeWaking(p, r.cpu);
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const cpu = this.scx.taskCpu(p);
    const wakeup = (enqFlags & SCX_ENQ_WAKEUP) !== 0;
    if (wakeup) this.placeWaking(p, cpu);
    else this.rebase(p, cpu);
    this.scx.dsqInsertVtime(p, cpu, this.sliceNs, p.dsqVtime, enqFlags);
    if (wakeup) this.wakeupPreempt(p, cpu);
  }

  /** A waking task joins `cpu`'s clock no more than one slice behind it. */
  private placeWaking(p: ScxTask, cpu: CpuId): void {
    this.rebase(p, cpu);
    p.dsqVtime = Math.max(p.dsqVtime, this.vtimeNow[cpu] - this.sliceNs);
  }

  /** CFS's check_preempt_wakeup: preempt when the running task is `wakeup_gran` of vtime ahead. */
  private wakeupPreempt(p: ScxTask, cpu: CpuId): void {
    const curr = this.scx.cpuCurr(cpu);
    if (curr === null || curr === p) return;
    const c = this.ctx.get(curr);
    const ran = c.runStartNs >= 0 ? this.scx.now() - c.runStartNs : 0;
    const currVtime = curr.dsqVtime + (ran * 100) / curr.weight;
    if (currVtime - p.dsqVtime > (this.granNs * 100) / p.weight) {
      this.scx.stat("wakeup_preempt");
      this.scx.kickCpu(cpu, SCX_KICK_PREEMPT);
    }
  }

  dispatch(cpu: CpuId, prev: ScxTask | null): void {
    if (prev !== null) this.charge(prev, true);
    const own = this.scx.dsqNrQueued(cpu);
    const busiest = this.busiestOther(cpu);
    const nr = busiest >= 0 ? this.scx.dsqNrQueued(busiest) : 0;
    // Steal when idle; pull when another queue is two or more tasks longer.
    if ((own === 0 && prev === null && nr > 0) || nr >= own + 2) {
      if (this.scx.dsqMoveToLocal(busiest)) { this.scx.stat("pull"); return; }
    }
    if (prev !== null) {
      const head = this.scx.dsqPeek(cpu);
      if (head === null || prev.dsqVtime < head.dsqVtime) { prev.slice = this.sliceNs; return; }
    }
    if (!this.scx.dsqMoveToLocal(cpu) && prev !== null) prev.slice = this.sliceNs;
  }

  private busiestOther(cpu: CpuId): CpuId {
    let best = -1, most = 0;
    for (let c = 0; c < this.scx.nrCpus(); c++) {
      if (c === cpu) continue;
      const n = this.scx.dsqNrQueued(c);
      if (n > most) { most = n; best = c; }
    }
    return best;
  }

  running(p: ScxTask): void {
    const cpu = this.scx.taskCpu(p);
    this.rebase(p, cpu);
    this.ctx.get(p).runStartNs = this.scx.now();
    if (p.dsqVtime > this.vtimeNow[cpu]) this.vtimeNow[cpu] = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    this.charge(p, false);
  }

  /** vtime += used · 100 / weight for the time run since `running` (or the last charge). */
  private charge(p: ScxTask, stillRunning: boolean): void {
    const c = this.ctx.get(p);
    if (c.runStartNs < 0) return;
    const now = this.scx.now();
    p.dsqVtime += ((now - c.runStartNs) * 100) / p.weight;
    c.runStartNs = stillRunning ? now : -1;
  }

  /** Moves the task's vtime from its old CPU's clock to `cpu`'s, keeping its lag. */
  private rebase(p: ScxTask, cpu: CpuId): void {
    const c = this.ctx.get(p);
    if (c.cpu === cpu) return;
    p.dsqVtime += this.vtimeNow[cpu] - this.vtimeNow[c.cpu];
    c.cpu = cpu;
  }

  enable(p: ScxTask): void {
    const c = this.ctx.get(p);
    c.cpu = p.cpu;
    p.dsqVtime = this.vtimeNow[p.cpu];
  }

  init(): number {
    for (let cpu = 0; cpu < this.scx.nrCpus(); cpu++) {
      const r = this.scx.createDsq(cpu, -1);
      if (r !== 0) return r;
    }
    return 0;
  }
}
