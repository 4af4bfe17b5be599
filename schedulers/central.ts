/**
 * central — modelled on the kernel's tools/sched_ext/scx_central.bpf.c, following its copy in
 * sched-ext/scx scheds/c/scx_central.bpf.c at 0f379644a (2026-02-10, the last tree with scheds/c).
 *
 * One CPU (`central_cpu`) makes every scheduling decision. Every wakeup is steered to it and
 * every runnable task goes into one scheduler-held FIFO of pids; the central CPU is kicked to
 * run its dispatch, which hands tasks to the other CPUs that asked for work ("gimme") by
 * inserting them into their local DSQs with an infinite slice, then serves itself. A CPU that
 * runs dry sets its gimme flag and kicks the central CPU. Since slices never expire, a 1 ms
 * timer preempts any CPU whose task has run for at least `slice_us` while work is waiting.
 * Good for tickless workers (VM hosts); no priorities, and the central CPU is a bottleneck.
 * Simplified: no per-CPU kthread fast path (no kernel threads here) and the timer is not pinned
 * to the central CPU (simulated timers run on no CPU); queue entries carry the task's enqueue
 * count and stale ones are skipped (the original stops at a vanished pid), which also keeps a
 * task the engine enqueues twice from being handed out twice.
 * Watchdog: no timeout_ms, as upstream (scx_central.bpf.c's central_ops sets none), so the
 * kernel's default of 30 s applies.
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, Pid } from "../sim/ext/ops.js";
import { SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_OPS_ENQ_LAST, SCX_SLICE_INF, localOn, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, OptionError, type OptionValues } from "./options.js";
import { PidQueue } from "./lib/pid_queue.js";

export const options = defineOptions({
  central_cpu: { type: "number", default: 0, min: 0, integer: true, doc: "the CPU that makes all decisions (scx_central -c)" },
  slice_us: { type: "number", default: 20_000, min: 1, doc: "run time before the timer preempts a task that has waiters (scx_central -s)" },
});

const FALLBACK_DSQ = asDsq(0);
const TIMER_INTERVAL_NS = 1_000_000;
const QUEUE_CAP = 4096;


export class CentralScheduler implements SchedExtOps {
  readonly name = "central";
  readonly flags = SCX_OPS_ENQ_LAST;
  private readonly central: CpuId;
  private readonly sliceNs: number;
  private readonly nrCpus: number;
  private readonly queue = new PidQueue(QUEUE_CAP);
  private readonly gimme: Uint8Array;
  /** When each CPU's current task started, 0 when idle. */
  private readonly startedAt: Float64Array;
  private timer = -1;
  private nrTimers = 0;
  private readonly enqSeq;
  /** Whether a queue entry still stands for the task's latest enqueue (else it is a stale pid). */
  private readonly live = (p: ScxTask, pid: Pid, seq: number): boolean => {
    const ok = p.pid === pid && this.enqSeq.get(p).n === seq;
    if (!ok) this.scx.stat("stale_pids");
    return ok;
  };

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.nrCpus = scx.nrCpus();
    // scx_central refuses a central CPU the machine does not have; clamping would hide the typo.
    if (o.central_cpu >= this.nrCpus) {
      throw new OptionError(`scheduler central: option central_cpu: expected a CPU from 0 to ${this.nrCpus - 1}, got ${o.central_cpu}`);
    }
    this.central = asCpu(o.central_cpu);
    this.sliceNs = o.slice_us * 1000;
    this.gimme = new Uint8Array(this.nrCpus);
    this.startedAt = new Float64Array(this.nrCpus);
    this.enqSeq = scx.taskStorage(() => ({ n: 0 }));
  }

  select_cpu(): CpuId {
    // Wake everyone up on the central CPU: that is where decisions are made.
    return this.central;
  }

  enqueue(p: ScxTask): void {
    const scx = this.scx;
    scx.stat("total");
    if (!this.queue.push(p, ++this.enqSeq.get(p).n)) {
      scx.stat("overflow");
      scx.dsqInsert(p, FALLBACK_DSQ, SCX_SLICE_INF, 0);
      return;
    }
    scx.stat("queued");
    if (!scx.taskRunning(p)) scx.kickCpu(this.central, SCX_KICK_PREEMPT);
  }

  /** Pops tasks until one may run on `cpu` and hands it over; misfits go to the fallback DSQ. */
  private dispatchToCpu(cpu: CpuId): boolean {
    const scx = this.scx;
    for (let p = this.queue.pop(this.live); p !== null; p = this.queue.pop(this.live)) {
      if (!scx.cpuAllowed(p, cpu)) {
        scx.stat("mismatches");
        scx.dsqInsert(p, FALLBACK_DSQ, SCX_SLICE_INF, 0);
        if (scx.dispatchNrSlots() === 0) break;
        continue;
      }
      scx.dsqInsert(p, localOn(cpu), SCX_SLICE_INF, 0);
      if (cpu !== this.central) scx.kickCpu(cpu, SCX_KICK_IDLE);
      return true;
    }
    return false;
  }

  dispatch(cpu: CpuId): void {
    const scx = this.scx;
    if (cpu !== this.central) {
      if (scx.dsqMoveToLocal(FALLBACK_DSQ)) return;
      // Ask the central CPU for work.
      this.gimme[cpu] = 1;
      scx.kickCpu(this.central, SCX_KICK_PREEMPT);
      return;
    }
    scx.stat("dispatches");
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      if (scx.dispatchNrSlots() === 0) break;
      if (this.gimme[c] === 0) continue;
      if (this.dispatchToCpu(c)) this.gimme[c] = 0;
    }
    // Out of buffer slots: some CPUs may have been skipped, so come back here at once.
    if (scx.dispatchNrSlots() === 0) {
      scx.stat("retries");
      scx.kickCpu(this.central, SCX_KICK_PREEMPT);
      return;
    }
    if (scx.dsqMoveToLocal(FALLBACK_DSQ)) return;
    this.dispatchToCpu(this.central);
  }

  running(p: ScxTask): void {
    this.startedAt[p.cpu] = this.scx.now() || 1;
  }

  stopping(p: ScxTask): void {
    this.startedAt[p.cpu] = 0;
  }

  /** Every 1 ms: preempt CPUs whose task has used its slice, if anything is waiting. */
  private onTimer(): void {
    const scx = this.scx, now = scx.now();
    let toKick = this.queue.n;
    for (let i = 0; i < this.nrCpus; i++) {
      const cpu = asCpu((this.nrTimers + i) % this.nrCpus);
      if (cpu === this.central) continue;
      const at = this.startedAt[cpu];
      if (at !== 0 && now < at + this.sliceNs) continue;
      if (scx.dsqNrQueued(FALLBACK_DSQ) > 0 || scx.dsqNrQueued(localOn(cpu)) > 0) {
        // something is waiting where this CPU can take it
      } else if (toKick > 0) toKick--;
      else continue;
      scx.kickCpu(cpu, SCX_KICK_PREEMPT);
    }
    scx.timerStart(this.timer, TIMER_INTERVAL_NS);
    this.nrTimers++;
    scx.stat("timers");
  }

  init(): number {
    const r = this.scx.createDsq(FALLBACK_DSQ, -1);
    if (r !== 0) return r;
    this.timer = this.scx.timerCreate(() => this.onTimer());
    this.scx.timerStart(this.timer, TIMER_INTERVAL_NS);
    return 0;
  }
}
