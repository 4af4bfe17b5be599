/**
 * bpfland — modelled on scx_bpfland (sched-ext/scx scheds/rust/scx_bpfland, Andrea Righi),
 * following upstream commit 7a58a3a1a857 (2026-08-07); reference/sched_ext.md §4.10.
 *
 * Vruntime plus burst credit, all in BPF, for interactive work next to CPU hogs. A task is
 * queued by deadline = vruntime + awake_vtime, where awake_vtime is the weighted CPU time used
 * since it last woke. As upstream, the vruntime is the task's own `dsqVtime`: inserting with a
 * deadline makes that deadline the new vruntime, and `stopping` adds the time just used on top,
 * so each enqueue folds the awake time into the vruntime and long runners fall behind fast. A
 * sleeper's vruntime may lag the global clock by `slice_lag` scaled by how often it wakes
 * (wakeup_freq, an EWMA capped at 64) while queues are short. Queues are per CPU and per NUMA
 * node, both deadline ordered; a CPU serves whichever head is earlier. Slices are `slice_max` ×
 * weight / queue length (never below `slice_min`). A waking task goes straight to an idle CPU's
 * queue; a task enqueued without select_cpu, or whose core is SMT-contended while other CPUs are
 * idle, asks the kernel's scx_bpf_select_cpu_and from its previous CPU with no wake flags, as
 * upstream's pick_idle_cpu does from enqueue (the kernel's search: prev, then its LLC, node and
 * the rest, each scan starting after the calling CPU's last find, as the kernel's
 * cpumask_any_and_distribute does). Sticky tasks (average run < 10 µs)
 * stay on their CPU's local DSQ.
 * A wakeup by a task running on a faster CPU than prev (hybrid capacities) moves toward the
 * waker's CPU unless prev is a free core in its LLC, and SCX_WAKE_SYNC reaches the default
 * selection (prev in the waker's LLC, else the waker's CPU) unless `no_wake_sync`.
 * Simplified: no primary domain (it is every CPU, as upstream's default on a machine of equal
 * cores), preferred-core scan, cpufreq, TIMELY or throttle modes; no kthread path (the simulator
 * has no kthreads).
 * `slice_min` is upstream's 0 (`-L 0`): with a long queue the slices shrink to microseconds, and
 * as on the kernel a spent slice is noticed only at the next tick (overheads on), so they do not
 * turn into microsecond context switches (with exact expiry an overloaded 4-CPU server at 10k
 * req/s served 188 req/s; tick-bound it serves ~9.6k).
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, DsqId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_CPU_SELECTED, SCX_KICK_IDLE, SCX_OPS_ENQ_EXITING, SCX_OPS_ENQ_LAST, SCX_WAKE_SYNC, SCX_WAKE_TTWU, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";
import { anyIdleIn, hasSmt } from "./lib/idle_near.js";
import { calcAvg } from "./lib/calc_avg.js";

export const options = defineOptions({
  slice_max_us: { type: "number", default: 1_000, min: 1, doc: "maximum time slice in µs (scx_bpfland -s)" },
  slice_min_us: { type: "number", default: 0, min: 0, doc: "minimum time slice in µs, 0 = none (scx_bpfland -L)" },
  slice_lag_us: { type: "number", default: 40_000, min: 0, doc: "vruntime credit a sleeper may bank, in µs (scx_bpfland -l)" },
  local_pcpu: { type: "boolean", default: false, doc: "queue tasks pinned to one CPU on its local DSQ (scx_bpfland -p)" },
  sticky_tasks: { type: "boolean", default: false, doc: "keep tasks averaging under 10 µs a run on their CPU (scx_bpfland -S)" },
  no_wake_sync: { type: "boolean", default: false, doc: "ignore SCX_WAKE_SYNC, so a pipe's reader is not pulled to the writer's CPU (scx_bpfland -w)" },
});

/** Watchdog and starvation window, ms (upstream STARVATION_MS). */
const STARVATION_MS = 5000;
/** Queue depth past which no extra lag is granted: 1/10 of the starvation window. */
const STARVATION_THRESH_NS = (STARVATION_MS * 1_000_000) / 10;
const MAX_WAKEUP_FREQ = 64;
const MS_100 = 100_000_000;
const STICKY_RUNTIME_NS = 10_000;

interface TaskCtx {
  /** Weighted CPU time since the last wakeup. */
  awakeVtime: number;
  wakeupFreq: number;
  lastWokeAt: number;
  avgRuntime: number;
  lastRunAt: number;
}

export class BpflandScheduler implements SchedExtOps {
  readonly name = "bpfland";
  readonly timeout_ms = STARVATION_MS;
  /**
   * As upstream's loader sets them (main.rs; its MIGRATION_DISABLED, ALLOW_QUEUED_WAKEUP and
   * BUILTIN_IDLE_PER_NODE are about what scxlab does not model). ENQ_LAST matters: a prev whose
   * slice ran out while dispatch left it unrefilled (its SMT core contended) goes back through
   * ops.enqueue, where it may move to an idle core, instead of the kernel keeping it running.
   */
  readonly flags = SCX_OPS_ENQ_LAST | SCX_OPS_ENQ_EXITING;
  private readonly o: OptionValues<typeof options>;
  private readonly sliceMax: number;
  private readonly sliceMin: number;
  private readonly sliceLag: number;
  private readonly nrCpus: number;
  private readonly smt: boolean;
  private vtimeNow = 0;
  private readonly tctx;
  /** Every CPU: enqueue's idle search passes it and the kernel narrows it to the task's CPUs (upstream passes p->cpus_ptr). */
  private readonly allCpus: Uint8Array;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.sliceMax = o.slice_max_us * 1000;
    this.sliceMin = o.slice_min_us * 1000;
    this.sliceLag = o.slice_lag_us * 1000;
    this.nrCpus = scx.nrCpus();
    this.smt = hasSmt(scx);
    this.allCpus = new Uint8Array(this.nrCpus).fill(1);
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ awakeVtime: 0, wakeupFreq: 0, lastWokeAt: this.scx.now(), avgRuntime: 0, lastRunAt: 0 }));
  }

  /** Each CPU has a DSQ numbered as the CPU; each node one after them. */
  private cpuDsq(cpu: CpuId): DsqId {
    return asDsq(cpu);
  }

  private nodeDsq(cpu: CpuId): DsqId {
    return asDsq(this.nrCpus + this.scx.cpuNode(cpu));
  }

  /** Tasks waiting for `cpu`: its own queue and its node's. */
  private queued(cpu: CpuId): number {
    return this.scx.dsqNrQueued(this.cpuDsq(cpu)) + this.scx.dsqNrQueued(this.nodeDsq(cpu));
  }

  /** upstream task_dl: clamps the vruntime lag and the awake time, returns their sum. */
  deadline(p: ScxTask, t: TaskCtx, cpu: CpuId): number {
    const q = this.queued(cpu);
    const qThresh = Math.max(Math.floor(STARVATION_THRESH_NS / this.sliceMax), 1);
    // Short queues: frequent wakers may lag further behind; long queues: everyone gets 1×.
    const lagScale = q * this.sliceMax >= STARVATION_THRESH_NS ? 1
      : Math.max(Math.floor((Math.max(t.wakeupFreq, 1) * qThresh) / (qThresh + q)), 1);
    const vmin = this.vtimeNow - Math.floor((this.sliceLag * lagScale * p.weight) / 100);
    if (p.dsqVtime < vmin) p.dsqVtime = vmin;
    const awakeMax = Math.floor((this.sliceLag * 100) / p.weight);
    if (t.awakeVtime > awakeMax) t.awakeVtime = awakeMax;
    return p.dsqVtime + t.awakeVtime;
  }

  slice(p: ScxTask, cpu: CpuId): number {
    return Math.max(Math.floor(Math.floor((this.sliceMax * p.weight) / 100) / Math.max(this.queued(cpu), 1)), this.sliceMin);
  }

  /** The sibling of `cpu` is busy while some CPU of its node is idle (upstream is_smt_contended). */
  smtContended(cpu: CpuId): boolean {
    if (!this.smt) return false;
    const s = this.scx.cpuSibling(cpu);
    return s >= 0 && !this.scx.isCpuIdle(s) && anyIdleIn(this.scx, this.scx.cpuNode(cpu));
  }

  /**
   * upstream pick_idle_cpu: a wakeup by a task on a faster CPU than prev (hybrid capacities)
   * moves toward the waker, unless prev is a free core in the waker's LLC; then the default
   * selection, SYNC included unless `no_wake_sync`. -1 when nothing is idle.
   */
  private pickIdle(p: ScxTask, prevCpu: CpuId, thisCpu: CpuId, wakeFlags: number): CpuId {
    const scx = this.scx;
    if (this.o.no_wake_sync) wakeFlags &= ~SCX_WAKE_SYNC;
    if ((wakeFlags & SCX_WAKE_TTWU) !== 0 && thisCpu >= 0 && thisCpu !== prevCpu && scx.cpuCapacity(thisCpu) > scx.cpuCapacity(prevCpu)) {
      if (scx.cpuLlc(thisCpu) === scx.cpuLlc(prevCpu) && !this.smtContended(prevCpu) && scx.testAndClearCpuIdle(prevCpu)) return prevCpu;
      scx.stat("waker_cpu_bias");
      prevCpu = thisCpu;
    }
    const r = scx.selectCpuDfl(p, prevCpu, wakeFlags);
    return r.isIdle ? r.cpu : asCpu(-1);
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    // A prev the task may no longer use becomes the waker's CPU if allowed, else its first allowed CPU.
    const cur = this.scx.currentCpu(), thisCpu = cur >= 0 && this.scx.cpuAllowed(p, cur) ? cur : asCpu(-1);
    if (!this.scx.cpuAllowed(p, prevCpu)) {
      if (thisCpu >= 0) prevCpu = thisCpu;
      else for (prevCpu = asCpu(0); prevCpu < this.nrCpus - 1 && !this.scx.cpuAllowed(p, prevCpu); prevCpu++);
    }
    const cpu = this.pickIdle(p, prevCpu, thisCpu, wakeFlags);
    if (cpu < 0) return prevCpu;
    this.scx.stat("direct");
    this.scx.dsqInsertVtime(p, this.cpuDsq(cpu), this.slice(p, cpu), this.deadline(p, this.tctx.get(p), cpu), 0);
    return cpu;
  }

  /** Try an idle CPU unless select_cpu already did (sticky: only for a task not running). */
  private shouldMigrate(p: ScxTask, enqFlags: number): boolean {
    return (enqFlags & SCX_ENQ_CPU_SELECTED) === 0 && (!this.o.sticky_tasks || !this.scx.taskRunning(p));
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), prev = scx.taskCpu(p);
    if (this.o.sticky_tasks && t.avgRuntime < STICKY_RUNTIME_NS) {
      scx.stat("direct");
      scx.dsqInsert(p, SCX_DSQ_LOCAL, this.slice(p, prev), enqFlags);
      return;
    }
    if (p.nrCpusAllowed === 1) {
      scx.stat("direct");
      if (this.o.local_pcpu) scx.dsqInsert(p, SCX_DSQ_LOCAL, this.slice(p, prev), enqFlags);
      else scx.dsqInsertVtime(p, this.cpuDsq(prev), this.slice(p, prev), this.deadline(p, t, prev), enqFlags);
      return;
    }
    const migrate = this.shouldMigrate(p, enqFlags);
    if (migrate || this.smtContended(prev)) {
      // upstream pick_idle_cpu(p, prev_cpu, -1, 0, true): no waker, no wake flags.
      const cpu = scx.selectCpuAnd(p, prev, 0, this.allCpus, 0);
      if (cpu >= 0) {
        scx.stat("direct");
        scx.dsqInsertVtime(p, this.cpuDsq(cpu), this.slice(p, cpu), this.deadline(p, t, cpu), enqFlags);
        if (cpu !== prev || !scx.taskRunning(p)) scx.kickCpu(cpu, SCX_KICK_IDLE);
        return;
      }
    }
    scx.stat("shared");
    scx.dsqInsertVtime(p, this.nodeDsq(prev), this.slice(p, prev), this.deadline(p, t, prev), enqFlags);
    if (migrate) scx.kickCpu(prev, SCX_KICK_IDLE);
  }

  dispatch(cpu: CpuId, prev: ScxTask | null): void {
    const scx = this.scx, own = this.cpuDsq(cpu), node = this.nodeDsq(cpu);
    const a = scx.dsqPeek(own), b = scx.dsqPeek(node);
    // The node head goes first only when strictly earlier.
    const nodeFirst = b !== null && (a === null || b.dsqVtime < a.dsqVtime);
    const moved = nodeFirst
      ? scx.dsqMoveToLocal(node) || (a !== null && scx.dsqMoveToLocal(own))
      : (a !== null && scx.dsqMoveToLocal(own)) || (b !== null && scx.dsqMoveToLocal(node));
    if (moved) return;
    // Nothing else wants the CPU: refill a still runnable prev (upstream keep_running) unless
    // its core is contended and it could move.
    if (prev !== null && prev.queued && (prev.nrCpusAllowed === 1 || !this.smtContended(cpu))) prev.slice = this.slice(prev, cpu);
  }

  runnable(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.awakeVtime = 0;
    const interval = Math.max(now - t.lastWokeAt, 1);
    t.wakeupFreq = Math.min(calcAvg(t.wakeupFreq, Math.floor(MS_100 / interval)), MAX_WAKEUP_FREQ);
    t.lastWokeAt = now;
  }

  running(p: ScxTask): void {
    this.tctx.get(p).lastRunAt = this.scx.now();
    if (p.dsqVtime > this.vtimeNow) this.vtimeNow = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p);
    const used = this.scx.now() - t.lastRunAt;
    t.avgRuntime = calcAvg(t.avgRuntime, used);
    const charge = Math.floor((used * 100) / p.weight);
    p.dsqVtime += charge;
    t.awakeVtime += charge;
  }

  enable(p: ScxTask): void {
    p.dsqVtime = this.vtimeNow;
  }

  init(): number {
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      const r = this.scx.createDsq(this.cpuDsq(c), this.scx.cpuNode(c));
      if (r !== 0) return r;
    }
    for (let n = 0; n < this.scx.nrNodes(); n++) {
      const r = this.scx.createDsq(asDsq(this.nrCpus + n), n);
      if (r !== 0) return r;
    }
    return 0;
  }
}
