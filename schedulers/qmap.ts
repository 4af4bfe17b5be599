/**
 * qmap — modelled on the kernel's tools/sched_ext/scx_qmap.bpf.c, following its copy in
 * sched-ext/scx scheds/c/scx_qmap.bpf.c at 0f379644a (2026-02-10, the last tree with scheds/c).
 *
 * Five FIFO queues held by the scheduler itself (BPF queue maps of pids in the original). A task
 * goes to queue 0..4 by weight (≤ 25, ≤ 50, < 200, < 400, else). Each CPU's dispatch cursor walks
 * the queues round-robin and, landing on queue i, may take up to 2^i tasks (1, 2, 4, 8, 16)
 * before moving on, so heavier queues get proportionally more turns. Popped tasks go through a
 * shared FIFO DSQ, `dsp_batch` per dispatch call. A waking task that finds an idle CPU is
 * queued straight onto it. qmap is the kernel's feature test bed; we keep its fault-injection
 * knobs: every `stall_user_nth`-th enqueue is dropped (the watchdog then fires,
 * SCX_EXIT_ERROR_STALL) and `test_error_cnt` calls scx_bpf_error() after that many enqueues.
 * When an RT or deadline task (or, under SWITCH_PARTIAL, a fair one) takes a CPU, cpu_release
 * sends that CPU's local DSQ back through enqueue (SCX_ENQ_REENQ), which puts those tasks on
 * the shared DSQ and kicks an idle CPU, so they need not wait for the CPU to come back.
 * Each tick asks for a CPU performance level from a running average of the weights run there
 * (a cpuperf demonstration), and a 1 s timer samples the levels asked for.
 * Simplified: no core-sched ordering, infinite-dispatch knob or dump callbacks (the simulator
 * has no SMT core scheduling); high-priority boosting inserts straight into its DSQ instead of
 * moving tasks over from the shared DSQ (so the timer expedites nothing);
 * `stall_kernel_nth` exists but never fires, as the simulated workloads have no kernel threads.
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, Pid } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_CPU_SELECTED, SCX_ENQ_REENQ, SCX_KICK_IDLE, localOn, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";
import { PidQueue } from "./lib/pid_queue.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 20_000, min: 1, doc: "time slice in µs (scx_qmap -s)" },
  dsp_batch: { type: "number", default: 1, min: 1, max: 32, integer: true, doc: "tasks moved per dispatch call (scx_qmap -b)" },
  stall_user_nth: { type: "number", default: 0, min: 0, integer: true, doc: "drop every nth user-task enqueue to stall it (0 = off; scx_qmap -t)" },
  stall_kernel_nth: { type: "number", default: 0, min: 0, integer: true, doc: "the same for kernel threads (scx_qmap -T; none exist here)" },
  test_error_cnt: { type: "number", default: 0, min: 0, integer: true, doc: "call scx_bpf_error() at this enqueue (0 = off; scx_qmap -e)" },
  highpri_boosting: { type: "boolean", default: false, doc: "nice -20 tasks jump every queue through a high-priority DSQ (scx_qmap -P)" },
});

const SHARED_DSQ = asDsq(0);
const HIGHPRI_DSQ = asDsq(1);
const NR_QUEUES = 5;
/** Entries per queue, as the original's queue maps. */
const QUEUE_CAP = 4096;
/** scx weight of nice -20. */
const HIGHPRI_WEIGHT = 8668;

interface TaskCtx {
  /** select_cpu found an idle CPU: enqueue inserts locally. */
  forceLocal: boolean;
  /** Bumped at every enqueue; a queue entry is live only if its seq still matches. */
  seq: number;
}

interface CpuCtx {
  dspIdx: number;
  dspCnt: number;
  /** Running average of the weights seen at the tick (u32, as the C). */
  avgWeight: number;
  cpuperfTarget: number;
}

const ONE_SEC_NS = 1_000_000_000;
/** The performance level asked for by queue index: 0, 1/4, 1/2, 3/4, 1 of SCX_CPUPERF_ONE. */
const QUEUE_TO_CPUPERF = [0, 256, 512, 768, 1024];


function weightToQueue(w: number): number {
  if (w <= 25) return 0;
  if (w <= 50) return 1;
  if (w < 200) return 2;
  if (w < 400) return 3;
  return 4;
}

export class QmapScheduler implements SchedExtOps {
  readonly name = "qmap";
  readonly timeout_ms = 5000;
  private readonly sliceNs: number;
  private readonly queues = Array.from({ length: NR_QUEUES }, () => new PidQueue(QUEUE_CAP));
  private readonly cpus: CpuCtx[];
  private readonly tctx;
  private userCnt = 0;
  private errorCountdown: number;
  private timer = -1;
  private readonly live = (p: ScxTask, pid: Pid, seq: number): boolean => p.pid === pid && this.tctx.get(p).seq === seq;

  constructor(private readonly scx: Scx, private readonly o: OptionValues<typeof options>) {
    this.sliceNs = o.slice_us * 1000;
    this.errorCountdown = o.test_error_cnt;
    this.cpus = Array.from({ length: scx.nrCpus() }, () => ({ dspIdx: 0, dspCnt: 0, avgWeight: 0, cpuperfTarget: 0 }));
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ forceLocal: false, seq: 0 }));
  }

  /** prev if idle (or the task can run nowhere else), else any idle CPU, else -1. */
  private pickDirectDispatchCpu(p: ScxTask, prevCpu: CpuId): CpuId {
    if (p.nrCpusAllowed === 1 || this.scx.testAndClearCpuIdle(prevCpu)) return prevCpu;
    return this.scx.pickIdleCpu(p.cpusAllowed, 0);
  }

  select_cpu(p: ScxTask, prevCpu: CpuId): CpuId {
    const cpu = this.pickDirectDispatchCpu(p, prevCpu);
    if (cpu < 0) return prevCpu;
    this.tctx.get(p).forceLocal = true;
    return cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const o = this.o, scx = this.scx;
    // Fault injection: leave the task in nobody's hands; the watchdog will notice.
    if (o.stall_user_nth > 0 && ++this.userCnt % o.stall_user_nth === 0) {
      scx.stat("stalled");
      return;
    }
    if (this.errorCountdown > 0 && --this.errorCountdown === 0) scx.error("test triggering error");
    const tctx = this.tctx.get(p);
    tctx.seq++;
    if (tctx.forceLocal) {
      tctx.forceLocal = false;
      scx.stat("local");
      scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, enqFlags);
      return;
    }
    // select_cpu did not run (e.g. a slice expiry): still try an idle CPU first.
    if ((enqFlags & SCX_ENQ_CPU_SELECTED) === 0) {
      const cpu = this.pickDirectDispatchCpu(p, p.cpu);
      if (cpu >= 0) {
        scx.stat("ddsp_from_enq");
        scx.dsqInsert(p, localOn(cpu), this.sliceNs, enqFlags);
        return;
      }
    }
    if (enqFlags & SCX_ENQ_REENQ) {
      scx.dsqInsert(p, SHARED_DSQ, 0, enqFlags);
      const cpu = scx.pickIdleCpu(p.cpusAllowed, 0);
      if (cpu >= 0) scx.kickCpu(cpu, SCX_KICK_IDLE);
      return;
    }
    if (o.highpri_boosting && p.weight >= HIGHPRI_WEIGHT) {
      scx.stat("highpri");
      scx.dsqInsert(p, HIGHPRI_DSQ, this.sliceNs, enqFlags);
      return;
    }
    if (!this.queues[weightToQueue(p.weight)].push(p, tctx.seq)) {
      scx.stat("overflow");
      scx.dsqInsert(p, SHARED_DSQ, this.sliceNs, enqFlags);
      return;
    }
    scx.stat("enqueued");
  }

  dispatch(cpu: number): void {
    const scx = this.scx;
    if (scx.dsqMoveToLocal(HIGHPRI_DSQ) || scx.dsqMoveToLocal(SHARED_DSQ)) return;
    const c = this.cpus[cpu];
    let batch = this.o.dsp_batch;
    for (let i = 0; i < NR_QUEUES; i++) {
      // Advance the cursor when the current queue's allowance is used up.
      if (c.dspCnt === 0) {
        c.dspIdx = (c.dspIdx + 1) % NR_QUEUES;
        c.dspCnt = 1 << c.dspIdx;
      }
      const q = this.queues[c.dspIdx];
      for (;;) {
        const p = q.pop(this.live);
        if (p === null) break;
        scx.stat("dispatched");
        scx.dsqInsert(p, SHARED_DSQ, this.sliceNs, 0);
        batch--;
        c.dspCnt--;
        if (batch === 0 || scx.dispatchNrSlots() === 0) {
          scx.dsqMoveToLocal(SHARED_DSQ);
          return;
        }
        if (c.dspCnt === 0) break;
      }
      c.dspCnt = 0;
    }
    // Nothing queued anywhere: prev (if any) keeps running.
  }

  /** qmap_tick: the CPU's performance target follows the running average of weights run there. */
  tick(p: ScxTask): void {
    const c = this.cpus[p.cpu];
    c.avgWeight = Math.floor((c.avgWeight * 3) / 4) + Math.floor(p.weight / 4);
    c.cpuperfTarget = QUEUE_TO_CPUPERF[weightToQueue(c.avgWeight)];
    this.scx.cpuperfSet(p.cpu, c.cpuperfTarget);
  }

  /** Counted only, as qmap_dequeue. */
  dequeue(_p: ScxTask, _deqFlags: number): void {
    this.scx.stat("dequeued");
  }

  /** monitor_timerfn: samples the lowest and highest performance level asked for, each second. */
  private monitor(): void {
    let min = QUEUE_TO_CPUPERF[4], max = 0;
    for (const c of this.cpus) {
      min = Math.min(min, c.cpuperfTarget);
      max = Math.max(max, c.cpuperfTarget);
    }
    this.scx.stat("cpuperf_target_min_sum", min);
    this.scx.stat("cpuperf_target_max_sum", max);
    this.scx.timerStart(this.timer, ONE_SEC_NS);
  }

  /** A higher class took `cpu`: what waits on its local DSQ goes back through enqueue (qmap_cpu_release). */
  cpu_release(_cpu: number): void {
    const n = this.scx.reenqueueLocal();
    if (n > 0) this.scx.stat("reenqueued", n);
  }

  init(): number {
    const r = this.scx.createDsq(SHARED_DSQ, -1) || this.scx.createDsq(HIGHPRI_DSQ, -1);
    if (r !== 0) return r;
    this.timer = this.scx.timerCreate(() => this.monitor());
    this.scx.timerStart(this.timer, ONE_SEC_NS);
    return 0;
  }
}
