/**
 * p2dq — modelled on scx_p2dq (sched-ext/scx scheds/rust/scx_p2dq, Meta, D. Hodges);
 * reference/sched_ext.md §4.15.
 *
 * Per LLC: a vtime-ordered LLC DSQ and a migration DSQ, plus a DSQ per CPU for pinned tasks.
 * Tasks live in slice classes (0.5 / 2.5 / 5 ms by default, scaled by weight, never under
 * `min_slice_us`): a run that uses ≥ 90 % of its slice (95 % if affinitized) moves the task up
 * a class (only at weight ≥ 100), one that uses < 50 % (25 %) moves it down; class 0 is
 * "interactive" and tasks under weight 100 stay in class 0 or 1. A CPU takes the lowest vtime
 * among its own CPU, LLC and migration DSQs. Only a task that has run at least log2(#LLCs)
 * times in its LLC, may use every CPU and is not interactive is queued as migratable; an idle
 * CPU whose LLC is under 75 % busy picks two random other LLCs and pulls from the migration DSQ
 * of the busier one if its load exceeds the local LLC's by more than `lb_slack_pct` %, then from
 * the other (power of two choices). LLC loads are measured over `lb_interval_us` periods.
 * Simplified: no autoslice, deadline mode, keep-running, arena queues or saturation-mode
 * stealing; load is CPU time per LLC per period.
 */
import type { SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_KICK_IDLE } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  dsq_slice0_us: { type: "number", default: 500, min: 1, doc: "slice of class 0, the interactive class, in µs" },
  dsq_slice1_us: { type: "number", default: 2_500, min: 1, doc: "slice of class 1 in µs" },
  dsq_slice2_us: { type: "number", default: 5_000, min: 1, doc: "slice of class 2 in µs" },
  min_slice_us: { type: "number", default: 100, min: 1, doc: "no slice is shorter, whatever the weight (scx_p2dq --min-slice-us)" },
  lb_slack_pct: { type: "number", default: 5, min: 0, doc: "pull only from an LLC this % busier than the local one (scx_p2dq --lb-slack-factor)" },
  lb_interval_us: { type: "number", default: 250_000, min: 1_000, doc: "load measurement period (scx_p2dq load-balance timer)" },
});

const NR_CLASSES = 3;
/** Pick-two pulls only while the local LLC is less busy than this. */
const PICK2_UTIL_MAX = 0.75;

interface TaskCtx {
  cls: number;
  llc: number;
  runsInLlc: number;
  vtime: number;
  startedAt: number;
}

export class P2dqScheduler implements SchedExtOps {
  readonly name = "p2dq";
  readonly timeout_ms = 5000;
  private readonly o: OptionValues<typeof options>;
  private readonly classSlices: number[];
  private readonly nrCpus: number;
  private readonly nrLlcs: number;
  private readonly migrateRuns: number;
  private readonly llcMasks: Uint8Array[] = [];
  private readonly llcNrCpus: number[] = [];
  private readonly llcVtime: Float64Array;
  /** CPU time per LLC in the current period, and the load and utilisation of the last one. */
  private readonly llcRun: Float64Array;
  private readonly llcLoad: Float64Array;
  private readonly llcUtil: Float64Array;
  private readonly scratch: Uint8Array;
  private timer = -1;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.classSlices = [o.dsq_slice0_us * 1000, o.dsq_slice1_us * 1000, o.dsq_slice2_us * 1000];
    this.nrCpus = scx.nrCpus();
    this.nrLlcs = scx.nrLlcs();
    this.migrateRuns = Math.ceil(Math.log2(this.nrLlcs));
    this.llcVtime = new Float64Array(this.nrLlcs);
    this.llcRun = new Float64Array(this.nrLlcs);
    this.llcLoad = new Float64Array(this.nrLlcs);
    this.llcUtil = new Float64Array(this.nrLlcs);
    this.scratch = new Uint8Array(this.nrCpus);
    for (let l = 0; l < this.nrLlcs; l++) this.llcMasks.push(new Uint8Array(this.nrCpus));
    for (let c = 0; c < this.nrCpus; c++) this.llcMasks[scx.cpuLlc(c)][c] = 1;
    for (const m of this.llcMasks) this.llcNrCpus.push(m.reduce((a, b) => a + b, 0));
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ cls: 1, llc: -1, runsInLlc: 0, vtime: 0, startedAt: 0 }));
  }

  private migDsq(llc: number): number { return this.nrLlcs + llc; }
  private cpuDsq(cpu: number): number { return 2 * this.nrLlcs + cpu; }

  private slice(p: ScxTask, t: TaskCtx): number {
    return Math.max((this.classSlices[t.cls] * p.weight) / 100, this.o.min_slice_us * 1000);
  }

  private llcAllowed(p: ScxTask, llc: number): Uint8Array {
    const m = this.llcMasks[llc], a = p.cpusAllowed;
    for (let c = 0; c < this.nrCpus; c++) this.scratch[c] = a === null ? m[c] : m[c] & a[c];
    return this.scratch;
  }

  private migratable(p: ScxTask, t: TaskCtx): boolean {
    return this.nrLlcs > 1 && t.cls > 0 && p.nrCpusAllowed === this.nrCpus && t.runsInLlc >= this.migrateRuns;
  }

  select_cpu(p: ScxTask, prevCpu: number): number {
    const scx = this.scx, t = this.tctx.get(p);
    let cpu = scx.cpuAllowed(p, prevCpu) && scx.testAndClearCpuIdle(prevCpu) ? prevCpu : -1;
    if (cpu < 0) cpu = scx.pickIdleCpu(this.llcAllowed(p, scx.cpuLlc(prevCpu)), 0);
    // Leave the LLC only for a task that would be allowed to migrate anyway.
    if (cpu < 0 && this.migratable(p, t)) cpu = scx.pickIdleCpu(p.cpusAllowed, 0);
    if (cpu < 0) return prevCpu;
    scx.stat("direct");
    scx.dsqInsert(p, SCX_DSQ_LOCAL, this.slice(p, t), 0);
    return cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), cpu = p.cpu, llc = scx.cpuLlc(cpu);
    const slice = this.slice(p, t);
    t.vtime = Math.max(t.vtime, this.llcVtime[llc] - slice);
    if (p.nrCpusAllowed === 1) {
      scx.stat("pinned");
      scx.dsqInsertVtime(p, this.cpuDsq(cpu), slice, t.vtime, enqFlags);
      scx.kickCpu(cpu, SCX_KICK_IDLE);
      return;
    }
    const mig = this.migratable(p, t);
    scx.stat(mig ? "migratable" : "llc");
    scx.dsqInsertVtime(p, mig ? this.migDsq(llc) : llc, slice, t.vtime, enqFlags);
    let idle = scx.pickIdleCpu(this.llcAllowed(p, llc), 0);
    if (idle < 0 && mig) idle = scx.pickIdleCpu(p.cpusAllowed, 0);
    if (idle >= 0) scx.kickCpu(idle, SCX_KICK_IDLE);
  }

  /** Moves from the DSQ among `ids` whose head has the lowest vtime. */
  private consumeLowest(a: number, b: number, c: number): boolean {
    const scx = this.scx;
    let best = -1, bestV = Infinity;
    for (const id of [a, b, c]) {
      const h = scx.dsqPeek(id);
      if (h !== null && h.dsqVtime < bestV) { best = id; bestV = h.dsqVtime; }
    }
    if (best >= 0 && scx.dsqMoveToLocal(best)) return true;
    return scx.dsqMoveToLocal(a) || scx.dsqMoveToLocal(b) || scx.dsqMoveToLocal(c);
  }

  /** Power of two choices over the other LLCs' migration DSQs. */
  private pickTwo(llc: number): boolean {
    const scx = this.scx, n = this.nrLlcs;
    if (n < 2 || this.llcUtil[llc] >= PICK2_UTIL_MAX) return false;
    let a = (llc + 1 + (scx.randomU32() % (n - 1))) % n;
    let b = (llc + 1 + (scx.randomU32() % (n - 1))) % n;
    if (this.llcLoad[b] > this.llcLoad[a]) [a, b] = [b, a];
    if (this.llcLoad[a] <= this.llcLoad[llc] * (1 + this.o.lb_slack_pct / 100)) return false;
    for (const l of a === b ? [a] : [a, b]) {
      if (scx.dsqMoveToLocal(this.migDsq(l))) { scx.stat("pick2_pull"); return true; }
    }
    return false;
  }

  dispatch(cpu: number, prev: ScxTask | null): void {
    const llc = this.scx.cpuLlc(cpu);
    if (this.consumeLowest(this.cpuDsq(cpu), llc, this.migDsq(llc))) return;
    if (this.pickTwo(llc)) return;
    if (prev !== null) prev.slice = this.slice(prev, this.tctx.get(prev));
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p), llc = this.scx.cpuLlc(p.cpu);
    t.startedAt = this.scx.now();
    if (t.llc !== llc) { t.llc = llc; t.runsInLlc = 0; }
    if (t.vtime > this.llcVtime[llc]) this.llcVtime[llc] = t.vtime;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p);
    const used = this.scx.now() - t.startedAt;
    const slice = this.slice(p, t);
    t.vtime += (used * 100) / p.weight;
    t.runsInLlc++;
    this.llcRun[t.llc] += used;
    // Slice classes: long runs climb, short runs sink.
    const affinitized = p.nrCpusAllowed < this.nrCpus;
    if (used >= slice * (affinitized ? 0.95 : 0.9)) {
      if (p.weight >= 100 && t.cls < NR_CLASSES - 1) t.cls++;
    } else if (used < slice * (affinitized ? 0.25 : 0.5) && t.cls > 0) t.cls--;
    if (p.weight < 100 && t.cls > 1) t.cls = 1;
  }

  enable(p: ScxTask): void {
    this.tctx.get(p).vtime = this.llcVtime[this.scx.cpuLlc(p.cpu)];
  }

  private onTimer(): void {
    const span = this.o.lb_interval_us * 1000;
    for (let l = 0; l < this.nrLlcs; l++) {
      this.llcLoad[l] = this.llcRun[l];
      this.llcUtil[l] = this.llcRun[l] / (span * this.llcNrCpus[l]);
      this.llcRun[l] = 0;
    }
    this.scx.timerStart(this.timer, span);
  }

  init(): number {
    const scx = this.scx;
    for (let l = 0; l < this.nrLlcs; l++) {
      const r = scx.createDsq(l, -1) || scx.createDsq(this.migDsq(l), -1);
      if (r !== 0) return r;
    }
    for (let c = 0; c < this.nrCpus; c++) {
      const r = scx.createDsq(this.cpuDsq(c), scx.cpuNode(c));
      if (r !== 0) return r;
    }
    this.timer = scx.timerCreate(() => this.onTimer());
    scx.timerStart(this.timer, this.o.lb_interval_us * 1000);
    return 0;
  }
}
