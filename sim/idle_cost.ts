/**
 * What waking an idle CPU costs (overheads on): the exit latency of the idle state it reached,
 * plus the reschedule IPI when the wakeup comes from another CPU. A CPU goes one state deeper
 * each time its idle time passes the next state's target residency (a governor that guesses
 * idle lengths perfectly in hindsight, so a shade optimistic against menu/teo). A CPU woken by
 * its own timer (a sleeper's hrtimer armed there) needs no IPI, nor does one in a polling state.
 */
import type { CostModel } from "./costs.js";

export class IdleCost {
  /** Whether any idle state or IPI costs time (the ideal machine: none, and nothing is tracked). */
  readonly on: boolean;
  private readonly residency: Float64Array;
  private readonly exit: Float64Array;
  private readonly polls: Uint8Array;
  private readonly ipiNs: number;
  /** When each CPU went idle. */
  private readonly since: Float64Array;
  /** 1 while a CPU is idle (from going idle until it runs a task again). */
  readonly idle: Uint8Array;
  /** 1 when the pending wakeup of an idle CPU is its own timer's: no IPI. */
  private readonly local: Uint8Array;

  constructor(costs: CostModel, nrCpus: number) {
    const s = costs.idleStates;
    this.residency = Float64Array.from(s, (x) => x.residencyNs);
    this.exit = Float64Array.from(s, (x) => x.exitNs);
    this.polls = Uint8Array.from(s, (x) => (x.polls ? 1 : 0));
    this.ipiNs = costs.ipiNs;
    this.on = s.length > 0 || costs.ipiNs > 0;
    this.since = new Float64Array(nrCpus);
    this.idle = new Uint8Array(nrCpus).fill(1);
    this.local = new Uint8Array(nrCpus);
  }

  /** `cpu` stopped running tasks at `now`. */
  enter(cpu: number, now: number): void {
    if (this.idle[cpu] === 1) return;
    this.idle[cpu] = 1;
    this.since[cpu] = now;
    this.local[cpu] = 0;
  }

  /** A timer that fired on idle `cpu` woke a task placed there: the CPU woke itself. */
  wokeLocally(cpu: number): void {
    if (this.idle[cpu] === 1) this.local[cpu] = 1;
  }

  /** `cpu` runs a task again at `now`: the delay before it does (0 if it was not idle). */
  leave(cpu: number, now: number): number {
    if (this.idle[cpu] === 0) return 0;
    this.idle[cpu] = 0;
    const idleFor = now - this.since[cpu];
    let i = 0;
    while (i + 1 < this.residency.length && idleFor >= this.residency[i + 1]) i++;
    const polling = this.residency.length > 0 && this.polls[i] === 1;
    const exit = this.residency.length > 0 ? this.exit[i] : 0;
    const ipi = polling || this.local[cpu] === 1 ? 0 : this.ipiNs;
    this.local[cpu] = 0;
    return exit + ipi;
  }
}
