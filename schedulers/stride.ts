/**
 * stride — stride scheduling (Waldspurger & Weihl, 1995): each task holds tickets; its stride is
 * STRIDE1 / tickets; the task with the lowest pass runs for one quantum and its pass grows by its
 * stride. The deterministic twin of lottery scheduling: over any interval, each task's share is
 * within one quantum of tickets / total tickets.
 *
 * sched_ext mapping: the pass is `p.dsqVtime`, the key of vtime DSQs; slices are the quantum.
 * Time actually used is charged in proportion (pass += stride · used / quantum), so a task that
 * blocks early pays for what it used. At slice end `dispatch` charges the running task and keeps
 * it on the CPU if its pass is still strictly the lowest of the tasks that may run on this CPU.
 * A task that joins or wakes starts no lower than the global pass (the pass of the last task
 * started), so sleeping banks no credit.
 * Affinity: one DSQ per distinct CPU mask (DSQ 0 for tasks that may run anywhere; the others are
 * created at init_task), so every task in a DSQ may run on the same CPUs and each DSQ's head is
 * the lowest pass a CPU can take from it. A CPU compares the heads of the DSQs it serves: the
 * head of one shared DSQ may be a task pinned elsewhere, and comparing with it would let a pinned
 * task's low pass evict the running task in favour of a higher pass.
 * Tickets come from the task's weight (nice 0 = 100, nice 5 = 33 ...) unless the `tickets`
 * option maps its nice value, e.g. "0:300,1:200,2:100".
 * Simplified: Waldspurger's "remain" (keeping a leaver's lag for its return) is not kept.
 */
import type { CpuId, InitTaskArgs, SchedExtOps, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_WAKEUP, asDsq } from "../sim/ext/consts.js";
import { defineOptions, OptionError, type OptionValues } from "./options.js";
import { AffinityDsqs } from "./lib/affinity_dsqs.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 10_000, min: 1, doc: "the quantum in µs" },
  tickets: { type: "string", default: "", doc: "tickets by nice, \"nice:tickets,...\" (unlisted nice values use the weight)" },
});

/** DSQ of the tasks that may run on every CPU; other CPU masks get ids from 1 up. */
const ANY_CPU_DSQ = asDsq(0);
const STRIDE1 = 1 << 20;

/** Parses "nice:tickets,..." into a map; throws OptionError on anything else. */
export function parseTickets(scheduler: string, s: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const part of s.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
    const [nice, tickets] = part.split(":").map((x) => Number(x.trim()));
    if (!Number.isInteger(nice) || nice < -20 || nice > 19 || !Number.isInteger(tickets) || tickets < 1) {
      throw new OptionError(`scheduler ${scheduler}: option tickets: expected nice:tickets pairs like "0:300,5:100", got ${JSON.stringify(s)}`);
    }
    m.set(nice, tickets);
  }
  return m;
}

interface TaskCtx {
  /** Start of the current run (or of the last charge), -1 when not running. */
  ns: number;
}

export class StrideScheduler implements SchedExtOps {
  readonly name = "stride";
  private readonly quantumNs: number;
  private readonly ticketsByNice: Map<number, number>;
  private readonly ctx: TaskStorage<TaskCtx>;
  private globalPass = 0;
  /** DSQ id by CPU mask ("0,2,3"), and the DSQs each CPU serves (ANY_CPU_DSQ first). */
  private readonly dsqs: AffinityDsqs;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.quantumNs = Math.round(opts.slice_us * 1000);
    this.ticketsByNice = parseTickets("stride", opts.tickets);
    this.ctx = scx.taskStorage(() => ({ ns: -1 }));
    this.dsqs = new AffinityDsqs(scx, ANY_CPU_DSQ);
  }

  tickets(p: ScxTask): number {
    return this.ticketsByNice.get(p.nice) ?? p.weight;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      p.dsqVtime = Math.max(p.dsqVtime, this.globalPass);
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.quantumNs, 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const pass = (enqFlags & SCX_ENQ_WAKEUP) !== 0 ? Math.max(p.dsqVtime, this.globalPass) : p.dsqVtime;
    this.scx.dsqInsertVtime(p, this.dsqs.dsqOf(p), this.quantumNs, pass, enqFlags);
  }

  dispatch(cpu: CpuId, last: ScxTask | null): void {
    // ops.dispatch also gets a prev that blocked or exited: only a runnable one (SCX_TASK_QUEUED) may keep the CPU.
    const prev = last !== null && last.queued ? last : null;
    if (prev !== null) this.charge(prev, true);
    // The lowest pass among the tasks that may run here: the lowest head of this CPU's DSQs.
    let best = asDsq(-1), bestPass = Number.POSITIVE_INFINITY;
    for (const dsq of this.dsqs.cpuDsqs[cpu]) {
      const head = this.scx.dsqPeek(dsq);
      if (head !== null && head.dsqVtime < bestPass) { best = dsq; bestPass = head.dsqVtime; }
    }
    if (prev !== null && prev.dsqVtime < bestPass) { prev.slice = this.quantumNs; return; }
    if ((best < 0 || !this.scx.dsqMoveToLocal(best)) && prev !== null) prev.slice = this.quantumNs;
  }

  running(p: ScxTask): void {
    this.ctx.get(p).ns = this.scx.now();
    if (p.dsqVtime > this.globalPass) this.globalPass = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    this.charge(p, false);
  }

  /** pass += stride · used / quantum for the time run since `running` (or the last charge). */
  private charge(p: ScxTask, stillRunning: boolean): void {
    const s = this.ctx.get(p);
    if (s.ns < 0) return;
    const now = this.scx.now();
    p.dsqVtime += ((STRIDE1 / this.tickets(p)) * (now - s.ns)) / this.quantumNs;
    s.ns = stillRunning ? now : -1;
  }

  /** Creates the task's DSQ here (init_task may sleep, as scx_bpf_create_dsq needs). */
  init_task(p: ScxTask, _args: InitTaskArgs): number {
    this.dsqs.dsqOf(p);
    return 0;
  }

  enable(p: ScxTask): void {
    p.dsqVtime = this.globalPass;
  }

  init(): number {
    return this.dsqs.init();
  }
}

