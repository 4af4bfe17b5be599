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
 * while its vtime is strictly the lowest.
 * Balance is by weighted load, like the kernel's migrate_load (and the fair class here): a CPU's
 * load is the weight of the task running there plus the weights queued on its DSQ (sums kept by
 * the policy). Every `dispatch` (each slice end, or going idle) may pull the head of another
 * CPU's DSQ: from the most loaded CPU whose head may run here and is lighter than the load gap,
 * so the gap shrinks (loads L_b − w and L_here + w, with 0 < w < L_b − L_here), and a task
 * whose weight is the whole gap or more stays. So 3 hogs of weight 305:100:100 on 2 CPUs settle
 * as 305 | 100 + 100 and get 100 %, 50 %, 50 %, where balancing task counts would leave one
 * 100-hog with the heavy one. A CPU going idle steals any task it may run from the most loaded
 * CPU, and a task re-queued (not waking) while an allowed CPU idles kicks that CPU so it steals.
 * Simplified: no EEVDF lag/eligibility, no cgroup hierarchy, no SMT/LLC/NUMA-aware balancing, no
 * PELT (the load is the instantaneous runnable weight); a pull can take only a DSQ's head (the
 * sched_ext API moves the first task of a DSQ), so it is the greedy form of migrate_load rather
 * than the pick of the task that best halves the gap; fixed slices instead of latency-derived ones.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask, TaskStorage, DsqId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_WAKEUP, SCX_KICK_IDLE, SCX_KICK_PREEMPT, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 3_000, min: 1, doc: "time slice in µs" },
  wakeup_gran_us: { type: "number", default: 1_000, min: 0, doc: "vtime lead (µs) a waking task needs to preempt the running one" },
});

interface TaskCtx {
  /** CPU whose vtime clock `p.dsqVtime` is relative to. */
  cpu: CpuId;
  runStartNs: number;
  /** CPU whose DSQ the task was inserted in (-1 when not queued) and the weight counted there. */
  queuedOn: CpuId;
  queuedWeight: number;
}

/** Each CPU has a user DSQ of its own, numbered as the CPU. */
function cpuDsq(cpu: CpuId): DsqId {
  return asDsq(cpu);
}

export class CfsLikeScheduler implements SchedExtOps {
  /** The ops name: a BPF object name has no "-" (bpf_obj_name_cpy), so not the registry name. */
  readonly name = "cfs_like";
  private readonly sliceNs: number;
  private readonly granNs: number;
  private readonly vtimeNow: Float64Array;
  /** Per CPU: weight of the tasks queued on its DSQ, and of our task running there (0 if none). */
  private readonly queuedWeight: Float64Array;
  private readonly runningWeight: Float64Array;
  private readonly ctx: TaskStorage<TaskCtx>;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.sliceNs = Math.round(opts.slice_us * 1000);
    this.granNs = Math.round(opts.wakeup_gran_us * 1000);
    this.vtimeNow = new Float64Array(scx.nrCpus());
    this.queuedWeight = new Float64Array(scx.nrCpus());
    this.runningWeight = new Float64Array(scx.nrCpus());
    this.ctx = scx.taskStorage((p) => ({ cpu: p.cpu, runStartNs: -1, queuedOn: asCpu(-1), queuedWeight: 0 }));
  }

  /** Weighted load of a CPU: its running task plus its queued ones. */
  load(cpu: CpuId): number {
    return this.queuedWeight[cpu] + this.runningWeight[cpu];
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
    this.unqueue(p);
    this.scx.dsqInsertVtime(p, cpuDsq(cpu), this.sliceNs, p.dsqVtime, enqFlags);
    const c = this.ctx.get(p);
    c.queuedOn = cpu;
    c.queuedWeight = p.weight;
    this.queuedWeight[cpu] += p.weight;
    if (wakeup) {
      this.wakeupPreempt(p, cpu);
    } else {
      // Re-queued behind a lower vtime: a CPU idling meanwhile comes and steals it. (A waking
      // task already had select_cpu look for an idle CPU.)
      const idle = this.scx.pickIdleCpu(p.cpusAllowed, 0);
      if (idle >= 0) this.scx.kickCpu(idle, SCX_KICK_IDLE);
    }
  }

  /** The task left its DSQ (to run, or dequeued): its weight no longer counts there. */
  private unqueue(p: ScxTask): void {
    const c = this.ctx.get(p);
    if (c.queuedOn < 0) return;
    this.queuedWeight[c.queuedOn] -= c.queuedWeight;
    c.queuedOn = asCpu(-1);
  }

  dequeue(p: ScxTask): void {
    this.unqueue(p);
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

  dispatch(cpu: CpuId, last: ScxTask | null): void {
    // ops.dispatch also gets a prev that blocked or exited: only a runnable one (SCX_TASK_QUEUED) may keep the CPU.
    const prev = last !== null && last.queued ? last : null;
    if (prev !== null) this.charge(prev, true);
    if (prev === null && this.scx.dsqNrQueued(cpuDsq(cpu)) === 0) {
      if (this.steal(cpu)) return;
    } else if (this.pull(cpu)) {
      return;
    }
    if (prev !== null) {
      const head = this.scx.dsqPeek(cpuDsq(cpu));
      if (head === null || prev.dsqVtime < head.dsqVtime) { prev.slice = this.sliceNs; return; }
    }
    if (!this.scx.dsqMoveToLocal(cpuDsq(cpu)) && prev !== null) prev.slice = this.sliceNs;
  }

  /**
   * migrate_load, pulled: from the most loaded other CPU whose DSQ head may run here and weighs
   * less than the gap between its load and ours, move that head here (the gap shrinks).
   */
  private pull(cpu: CpuId): boolean {
    const own = this.load(cpu);
    let from = asCpu(-1), fromLoad = own;
    for (let c = asCpu(0); c < this.scx.nrCpus(); c++) {
      if (c === cpu) continue;
      const l = this.load(c);
      if (l <= fromLoad) continue;
      const head = this.scx.dsqPeek(cpuDsq(c));
      if (head === null || head.weight >= l - own || !this.scx.cpuAllowed(head, cpu)) continue;
      from = c;
      fromLoad = l;
    }
    if (from < 0 || !this.scx.dsqMoveToLocal(cpuDsq(from))) return false;
    this.scx.stat("pull");
    return true;
  }

  /** Idle with nothing queued: take any task that may run here, most loaded CPU first. */
  private steal(cpu: CpuId): boolean {
    const n = this.scx.nrCpus();
    let from = asCpu(-1), most = 0;
    for (let c = asCpu(0); c < n; c++) {
      if (c === cpu || this.scx.dsqNrQueued(cpuDsq(c)) === 0) continue;
      const l = this.load(c);
      if (from < 0 || l > most) { from = c; most = l; }
    }
    if (from < 0) return false;
    let ok = this.scx.dsqMoveToLocal(cpuDsq(from));
    for (let c = asCpu(0); !ok && c < n; c++) {
      if (c !== cpu && c !== from && this.scx.dsqNrQueued(cpuDsq(c)) > 0) ok = this.scx.dsqMoveToLocal(cpuDsq(c));
    }
    if (ok) this.scx.stat("steal");
    return ok;
  }

  running(p: ScxTask): void {
    const cpu = this.scx.taskCpu(p);
    this.unqueue(p);
    this.runningWeight[cpu] = p.weight;
    this.rebase(p, cpu);
    this.ctx.get(p).runStartNs = this.scx.now();
    if (p.dsqVtime > this.vtimeNow[cpu]) this.vtimeNow[cpu] = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    this.runningWeight[this.scx.taskCpu(p)] = 0;
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
    for (let cpu = asCpu(0); cpu < this.scx.nrCpus(); cpu++) {
      const r = this.scx.createDsq(cpuDsq(cpu), -1);
      if (r !== 0) return r;
    }
    return 0;
  }
}
