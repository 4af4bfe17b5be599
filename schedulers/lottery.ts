/**
 * lottery — lottery scheduling (Waldspurger & Weihl, 1994): each task holds tickets; at every
 * scheduling decision a random ticket is drawn and its holder runs for one quantum. Shares are
 * proportional to tickets in expectation; the error over n draws shrinks like 1/√n.
 *
 * sched_ext mapping: runnable tasks are held by the scheduler in a pool (BPF custody between
 * `enqueue` and `dispatch`, as scx_qmap holds tasks in its queue maps). `dispatch` draws
 * `scx.randomU32() % total` over the tickets of the pool's tasks allowed on this CPU — plus the
 * task whose quantum just ended, which stays in the draw — and inserts the winner into the local
 * DSQ with the quantum as slice. Draws come from the run's seeded stream, so runs repeat.
 * Tickets come from the task's weight (nice 0 = 100, nice 5 = 33 ...) unless the `tickets`
 * option maps its nice value, e.g. "0:300,1:100".
 * Simplified: no compensation tickets (a task that blocks early is not inflated), no ticket
 * transfers or currencies; a draw is a linear walk over the pool.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL } from "../sim/ext/consts.js";
import { defineOptions, OptionError, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 10_000, min: 1, doc: "the quantum in µs" },
  tickets: { type: "string", default: "", doc: "tickets by nice, \"nice:tickets,...\" (unlisted nice values use the weight)" },
});

/** Parses "nice:tickets,..." into a map; throws OptionError on anything else. */
function parseTickets(s: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const part of s.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
    const [nice, tickets] = part.split(":").map((x) => Number(x.trim()));
    if (!Number.isInteger(nice) || nice < -20 || nice > 19 || !Number.isInteger(tickets) || tickets < 1) {
      throw new OptionError(`scheduler lottery: option tickets: expected nice:tickets pairs like "0:300,5:100", got ${JSON.stringify(s)}`);
    }
    m.set(nice, tickets);
  }
  return m;
}

export class LotteryScheduler implements SchedExtOps {
  readonly name = "lottery";
  private readonly quantumNs: number;
  private readonly ticketsByNice: Map<number, number>;
  /** Runnable tasks waiting for a draw (order does not matter: removal swaps in the last). */
  private readonly pool: ScxTask[] = [];

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.quantumNs = Math.round(opts.slice_us * 1000);
    this.ticketsByNice = parseTickets(opts.tickets);
  }

  tickets(p: ScxTask): number {
    return this.ticketsByNice.get(p.nice) ?? p.weight;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.quantumNs, 0);
    return r.cpu;
  }

  enqueue(p: ScxTask): void {
    this.pool.push(p);
  }

  dispatch(cpu: CpuId, last: ScxTask | null): void {
    // ops.dispatch also gets a prev that blocked or exited: only a runnable one (SCX_TASK_QUEUED) may keep the CPU.
    const prev = last !== null && last.queued ? last : null;
    let total = prev !== null ? this.tickets(prev) : 0;
    for (const p of this.pool) if (this.scx.cpuAllowed(p, cpu)) total += this.tickets(p);
    if (total === 0) return;
    let ticket = this.scx.randomU32() % total;
    this.scx.stat("draws");
    if (prev !== null) {
      ticket -= this.tickets(prev);
      if (ticket < 0) { prev.slice = this.quantumNs; return; }
    }
    for (let i = 0; i < this.pool.length; i++) {
      const p = this.pool[i];
      if (!this.scx.cpuAllowed(p, cpu)) continue;
      ticket -= this.tickets(p);
      if (ticket >= 0) continue;
      this.pool[i] = this.pool[this.pool.length - 1];
      this.pool.pop();
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.quantumNs, 0);
      return;
    }
  }
}
