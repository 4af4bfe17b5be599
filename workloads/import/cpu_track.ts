/**
 * Who is on each CPU, as `perf script` proves it. Every record's header names the task current
 * on its CPU (for a sched_switch, the one switching out), so each record either confirms what we
 * believe runs there or shows that switches were lost. CPU time is billed per CPU, only from one
 * proof to the next, to one task at a time: an instant of a CPU is never billed twice, so the
 * total never exceeds span × CPUs. What the trace does not prove is counted, not guessed:
 * `inferredNs` is time billed without a record behind it (a task running when the trace starts
 * or still running at its end), `unbilledNs` the gaps where lost switches hide who ran.
 */

/** What the tracker needs from the tasks: start and stop billing a task on a CPU. */
export interface CpuHost {
  /** `tid` ran on the CPU from `from` to `to`. */
  bill(tid: number, from: number, to: number): void;
  /** `tid` is no longer on `cpu` since `at`, for reasons the trace did not record. */
  lostTrack(tid: number, at: number): void;
  /** `tid` is found running on `cpu` at `at`, though no switch-in was recorded. */
  foundRunning(tid: number, cpu: number, at: number): void;
}

const UNKNOWN = -2;

export class CpuTrack {
  /** Per CPU: the task believed current (0 idle, UNKNOWN after its task moved away) and billed up to when. */
  private readonly cur = new Map<number, { tid: number; billedTo: number }>();
  inferredNs = 0;
  unbilledNs = 0;
  /** Records that contradicted what we believed ran on their CPU. */
  resyncs = 0;

  constructor(private readonly h: CpuHost, private readonly startNs: number) {}

  /**
   * A record on `cpu` at `t` says `tid` is current there; bills it up to `t`. A header perf
   * could not resolve (tid -1, ":-1") proves nothing.
   */
  prove(cpu: number, tid: number, t: number): void {
    if (tid < 0) return;
    const c = this.cur.get(cpu);
    if (c === undefined) { // first record of this CPU: nothing switched here since the trace began
      if (tid !== 0) {
        this.inferredNs += t - this.startNs;
        this.h.foundRunning(tid, cpu, this.startNs);
      }
      this.cur.set(cpu, { tid, billedTo: this.startNs });
    } else if (c.tid !== tid) {
      if (c.tid !== UNKNOWN) this.resyncs++;
      if (c.tid > 0) this.h.lostTrack(c.tid, c.billedTo);
      if (c.tid !== 0) this.unbilledNs += t - c.billedTo;
      c.tid = tid;
      c.billedTo = t;
      if (tid !== 0) this.h.foundRunning(tid, cpu, t);
    }
    this.billTo(cpu, t);
  }

  /** A sched_switch on `cpu` at `t` put `next` on it (the caller proved prev first). */
  switchIn(cpu: number, next: number, t: number): void {
    this.cur.set(cpu, { tid: next, billedTo: t });
  }

  /**
   * The task current on `cpu` was seen on another CPU: it left this one at some time the trace
   * does not show, so nothing more is billed here until the CPU's next record says who runs.
   */
  forget(cpu: number): void {
    const c = this.cur.get(cpu);
    if (c !== undefined && c.tid > 0) c.tid = UNKNOWN;
  }

  /** At the trace's end, bills what still runs on each CPU up to `end` (inferred: no record proves it). */
  finish(end: number): void {
    for (const [cpu, c] of this.cur) {
      if (c.tid > 0) this.inferredNs += Math.max(0, end - c.billedTo);
      else if (c.tid === UNKNOWN) this.unbilledNs += Math.max(0, end - c.billedTo);
      this.billTo(cpu, end);
    }
  }

  private billTo(cpu: number, t: number): void {
    const c = this.cur.get(cpu)!;
    if (t <= c.billedTo) return;
    if (c.tid > 0) this.h.bill(c.tid, c.billedTo, t);
    c.billedTo = t;
  }
}
