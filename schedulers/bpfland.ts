/**
 * bpfland — modelled on scx_bpfland (sched-ext/scx scheds/rust/scx_bpfland, Andrea Righi), the
 * 2026 version described in reference/sched_ext.md §4.10.
 *
 * Vruntime plus burst credit, all in BPF, for interactive work next to CPU hogs. Each task is
 * ordered by a deadline = vtime + awake_vtime, where awake_vtime is the weighted CPU time it has
 * used since it last woke. A sleeper's vtime may lag the global clock by `slice_lag` scaled by
 * how often it wakes (wakeup_freq, an EWMA capped at 64) while queues are short, so frequent
 * short runners jump ahead of hogs. Queues are per CPU and per NUMA node, both deadline ordered;
 * a CPU serves whichever head is earlier. Slices are `slice_max` × weight / queue length (never
 * below `slice_min`). A waking task goes straight to an idle CPU's queue when one is found.
 * Simplified: no primary domain, cpufreq, TIMELY or throttle modes, no waker-CPU capacity pull
 * (the simulator reports no waker); "task is running" at enqueue is read from the enqueue flags
 * (a non-wakeup enqueue is a slice expiry); the task's vtime lives in task storage and the DSQ
 * key is its deadline. `slice_min` defaults to 100 µs, not 0: the kernel notices a spent slice
 * only at the next tick, so upstream's tiny slices under long queues still run about a tick,
 * while this simulator ends slices exactly; with 0, an overloaded machine would spend itself on
 * microsecond slices and context switches that the real scheduler never makes.
 */
import type { SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_CPU_SELECTED, SCX_ENQ_WAKEUP, SCX_KICK_IDLE, SCX_PICK_IDLE_CORE } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_max_us: { type: "number", default: 1_000, min: 1, doc: "maximum time slice in µs (scx_bpfland -s)" },
  slice_min_us: { type: "number", default: 100, min: 0, doc: "minimum time slice in µs (scx_bpfland -S; 0 upstream, see header)" },
  slice_lag_us: { type: "number", default: 40_000, min: 0, doc: "vtime credit a sleeper may bank, in µs (scx_bpfland -l)" },
  local_pcpu: { type: "boolean", default: false, doc: "queue tasks pinned to one CPU on its local DSQ (scx_bpfland -p)" },
});

/** Queue length × slice beyond which no extra lag is granted (500 ms). */
const LAG_QUEUE_NS = 500_000_000;
const MAX_WAKEUP_FREQ = 64;
const MS_100 = 100_000_000;

interface TaskCtx {
  vtime: number;
  /** Weighted CPU time since the last wakeup. */
  awakeVtime: number;
  wakeupFreq: number;
  lastWokeAt: number;
  avgRuntime: number;
  startedAt: number;
}

/** new = 3/4 old + 1/4 sample, as the original's calc_avg. */
function ewma(old: number, sample: number): number {
  return old * 0.75 + sample * 0.25;
}

export class BpflandScheduler implements SchedExtOps {
  readonly name = "bpfland";
  readonly timeout_ms = 5000;
  private readonly sliceMax: number;
  private readonly sliceMin: number;
  private readonly sliceLag: number;
  private readonly localPcpu: boolean;
  private readonly nrCpus: number;
  private vtimeNow = 0;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.sliceMax = o.slice_max_us * 1000;
    this.sliceMin = o.slice_min_us * 1000;
    this.sliceLag = o.slice_lag_us * 1000;
    this.localPcpu = o.local_pcpu;
    this.nrCpus = scx.nrCpus();
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ vtime: this.vtimeNow, awakeVtime: 0, wakeupFreq: 0, lastWokeAt: this.scx.now(), avgRuntime: 0, startedAt: 0 }));
  }

  private nodeDsq(cpu: number): number {
    return this.nrCpus + this.scx.cpuNode(cpu);
  }

  /** Tasks waiting for `cpu`: its own queue and its node's. */
  private queued(cpu: number): number {
    return this.scx.dsqNrQueued(cpu) + this.scx.dsqNrQueued(this.nodeDsq(cpu));
  }

  private deadline(p: ScxTask, t: TaskCtx, cpu: number): number {
    const q = this.queued(cpu);
    const qThresh = Math.max(Math.floor(LAG_QUEUE_NS / this.sliceMax), 1);
    // Short queues: frequent wakers may lag further behind; long queues: everyone gets 1×.
    const lagScale = q * this.sliceMax >= LAG_QUEUE_NS ? 1
      : Math.max(Math.floor((Math.max(t.wakeupFreq, 1) * qThresh) / (qThresh + q)), 1);
    const vmin = this.vtimeNow - (this.sliceLag * lagScale * p.weight) / 100;
    if (t.vtime < vmin) t.vtime = vmin;
    const awakeMax = (this.sliceLag * 100) / p.weight;
    if (t.awakeVtime > awakeMax) t.awakeVtime = awakeMax;
    return t.vtime + t.awakeVtime;
  }

  private slice(p: ScxTask, cpu: number): number {
    return Math.max((this.sliceMax * p.weight) / 100 / Math.max(this.queued(cpu), 1), this.sliceMin);
  }

  /** The other hardware thread of `cpu`'s core is busy. */
  private smtContended(cpu: number): boolean {
    const s = this.scx.cpuSibling(cpu);
    return s >= 0 && !this.scx.isCpuIdle(s);
  }

  select_cpu(p: ScxTask, prevCpu: number, wakeFlags: number): number {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      const t = this.tctx.get(p);
      this.scx.stat("direct");
      this.scx.dsqInsertVtime(p, r.cpu, this.slice(p, r.cpu), this.deadline(p, t, r.cpu), 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), prev = p.cpu;
    if (p.nrCpusAllowed === 1) {
      scx.stat("pcpu");
      if (this.localPcpu) scx.dsqInsert(p, SCX_DSQ_LOCAL, this.slice(p, prev), enqFlags);
      else {
        scx.dsqInsertVtime(p, prev, this.slice(p, prev), this.deadline(p, t, prev), enqFlags);
        scx.kickCpu(prev, SCX_KICK_IDLE);
      }
      return;
    }
    const selectSkipped = (enqFlags & SCX_ENQ_CPU_SELECTED) === 0;
    const wasRunning = (enqFlags & SCX_ENQ_WAKEUP) === 0;
    if ((selectSkipped && !wasRunning) || this.smtContended(prev)) {
      let cpu = scx.pickIdleCpu(p.cpusAllowed, SCX_PICK_IDLE_CORE);
      if (cpu < 0) cpu = scx.pickIdleCpu(p.cpusAllowed, 0);
      if (cpu >= 0) {
        scx.stat("direct");
        scx.dsqInsertVtime(p, cpu, this.slice(p, cpu), this.deadline(p, t, cpu), enqFlags);
        scx.kickCpu(cpu, SCX_KICK_IDLE);
        return;
      }
    }
    scx.stat("shared");
    scx.dsqInsertVtime(p, this.nodeDsq(prev), this.slice(p, prev), this.deadline(p, t, prev), enqFlags);
    if (selectSkipped) scx.kickCpu(prev, SCX_KICK_IDLE);
  }

  dispatch(cpu: number, prev: ScxTask | null): void {
    const scx = this.scx, node = this.nodeDsq(cpu);
    const a = scx.dsqPeek(cpu), b = scx.dsqPeek(node);
    // Serve the earlier deadline first, then the other queue.
    const cpuFirst = a !== null && (b === null || a.dsqVtime <= b.dsqVtime);
    if (cpuFirst ? scx.dsqMoveToLocal(cpu) || scx.dsqMoveToLocal(node) : scx.dsqMoveToLocal(node) || scx.dsqMoveToLocal(cpu)) return;
    if (prev !== null && (prev.nrCpusAllowed === 1 || !this.smtContended(cpu))) prev.slice = this.slice(prev, cpu);
  }

  runnable(p: ScxTask, enqFlags: number): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.awakeVtime = 0;
    if ((enqFlags & SCX_ENQ_WAKEUP) === 0) return;
    const interval = Math.max(now - t.lastWokeAt, 1);
    t.wakeupFreq = Math.min(ewma(t.wakeupFreq, MS_100 / interval), MAX_WAKEUP_FREQ);
    t.lastWokeAt = now;
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p);
    t.startedAt = this.scx.now();
    if (t.vtime > this.vtimeNow) this.vtimeNow = t.vtime;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p);
    const used = this.scx.now() - t.startedAt;
    const charge = (used * 100) / p.weight;
    t.vtime += charge;
    t.awakeVtime += charge;
    t.avgRuntime = ewma(t.avgRuntime, used);
  }

  enable(p: ScxTask): void {
    this.tctx.get(p).vtime = this.vtimeNow;
  }

  init(): number {
    for (let c = 0; c < this.nrCpus; c++) {
      const r = this.scx.createDsq(c, this.scx.cpuNode(c));
      if (r !== 0) return r;
    }
    for (let n = 0; n < this.scx.nrNodes(); n++) {
      const r = this.scx.createDsq(this.nrCpus + n, n);
      if (r !== 0) return r;
    }
    return 0;
  }
}
