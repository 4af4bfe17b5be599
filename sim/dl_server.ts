/**
 * The fair and ext deadline servers (dl_server), as Linux has them since 6.12 (fair_server) and
 * 6.19 (ext_server), which replaced RT throttling when RT group scheduling is off: each CPU
 * reserves 50 ms in every 1 s for its fair and ext tasks, as a deferred server, that is, one
 * that steps in only when those tasks have been kept off the CPU by RT and deadline work.
 *
 * Modelled per CPU over aligned 1 s periods: RT and deadline running time is counted; once it
 * reaches period - runtime (950 ms) the server is active, and fair and ext tasks rank above RT
 * and deadline ones on that CPU until the period ends. So an RT hog leaves fair/ext 50 ms at the
 * end of every second, as the zero-laxity start of the deferred server does. Simplified: the
 * server outranks deadline tasks too rather than competing with them by EDF, and periods are
 * aligned to the clock rather than started at the first enqueue (dl_server_start).
 */

/** The server's runtime and period (fair_server and ext_server defaults). */
export const DL_SERVER_RUNTIME_NS = 50_000_000;
export const DL_SERVER_PERIOD_NS = 1_000_000_000;

const HIGH_MAX = DL_SERVER_PERIOD_NS - DL_SERVER_RUNTIME_NS;

export class DlServer {
  /** RT + deadline running time in the CPU's current period. */
  private readonly highNs: Float64Array;
  /** Index of that period. */
  private readonly period: Float64Array;

  constructor(nrCpus: number) {
    this.highNs = new Float64Array(nrCpus);
    this.period = new Float64Array(nrCpus);
  }

  /** Counts `delta` ns of RT or deadline time ending at `now` (only the part in the current period). */
  chargeHigh(cpu: number, now: number, delta: number): void {
    this.roll(cpu, now);
    const into = now - this.period[cpu] * DL_SERVER_PERIOD_NS;
    this.highNs[cpu] += delta < into ? delta : into;
  }

  /** Whether fair/ext tasks outrank RT and deadline ones on `cpu` now. */
  active(cpu: number, now: number): boolean {
    this.roll(cpu, now);
    return this.highNs[cpu] >= HIGH_MAX;
  }

  /**
   * When the server will become active if RT/deadline work runs on from `from` without a break:
   * the end of the period when it is active already (nothing new happens before then).
   */
  activationAt(cpu: number, from: number): number {
    this.roll(cpu, from);
    const end = this.periodEnd(from);
    if (this.highNs[cpu] >= HIGH_MAX) return end;
    const at = from + (HIGH_MAX - this.highNs[cpu]);
    return at < end ? at : end;
  }

  /** The end of the period that holds `now`. */
  periodEnd(now: number): number {
    return (Math.floor(now / DL_SERVER_PERIOD_NS) + 1) * DL_SERVER_PERIOD_NS;
  }

  private roll(cpu: number, now: number): void {
    const p = Math.floor(now / DL_SERVER_PERIOD_NS);
    if (p !== this.period[cpu]) {
      this.period[cpu] = p;
      this.highNs[cpu] = 0;
    }
  }
}
