/**
 * lavd — modelled on scx_lavd (sched-ext/scx scheds/rust/scx_lavd, Changwoo Min, Igalia/Valve):
 * latency-criticality-aware virtual deadline; reference/sched_ext.md §4.13.
 *
 * Each task gets a latency criticality from how it behaves: tasks that block often (wait
 * frequency), wake others often (wake frequency), run briefly and weigh more are critical:
 * lat_cri = (log2(wait_ft · wake_ft) + log2(runtime_ft · weight_ft))². Its virtual deadline is
 * the logical clock (which follows dispatched deadlines) plus a window that shrinks with lat_cri
 * and grows with the run time since wakeup and with a greedy penalty (×1 .. ×2 for tasks that got
 * more than the average weighted service). One deadline-ordered DSQ per LLC (compute domain),
 * plus per-CPU DSQs for pinned tasks; a CPU takes the earliest deadline of its two, and steals
 * from other domains when both are empty. Slices follow the load: an EWMA of 10 ms × CPUs /
 * queued tasks, kept within `slice_min_us`..`slice_max_us`. The most critical tasks (about the
 * top 1/2^`preempt_shift`) may preempt: of two random CPUs of their domain running something
 * less critical that will not stop soon, the better victim is kicked.
 * Simplified: no power modes, core compaction or cpufreq (the simulator has none); no slice
 * boost for long runners, no criticality inheritance and no wake frequency (the simulator does
 * not say who woke whom: wake_ft is 1); only the boosts the simulator can see (woken, affinity,
 * pinned) enter weight_ft, added to the weight; stealing happens on an empty dispatch instead of
 * by periodic migration; the victim is kicked with SCX_KICK_PREEMPT instead of cutting its
 * slice to 1 ns (the same effect, without waiting for a tick); the threshold
 * max - (max - avg) / 2^preempt_shift uses 10 ms EWMAs of lat_cri, as the original.
 */
import type { SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_WAKEUP, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_DEQ_SLEEP } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_min_us: { type: "number", default: 500, min: 1, doc: "shortest slice in µs (scx_lavd --slice-min-us)" },
  slice_max_us: { type: "number", default: 5_000, min: 1, doc: "longest slice in µs (scx_lavd --slice-max-us)" },
  preempt_shift: { type: "number", default: 6, min: 0, max: 10, integer: true, doc: "only the top 1/2^n latency-critical tasks may preempt (scx_lavd --preempt-shift)" },
  no_preemption: { type: "boolean", default: false, doc: "never preempt (scx_lavd --no-preemption)" },
});

const NS_PER_S = 1_000_000_000;
const TARGETED_LATENCY_NS = 10_000_000;
const STAT_INTERVAL_NS = 10_000_000;
const COMPETE_WINDOW_NS = 4_600;
const LAG_BOUND_NS = 500_000_000;
const BOOST_WOKEN = 128, BOOST_AFFINITY = 128, BOOST_PINNED = 256;

interface TaskCtx {
  waitFreq: number;
  lastQuiescentAt: number;
  avgRuntime: number;
  /** CPU time since the last wakeup. */
  accRuntime: number;
  /** Weighted service time. */
  svcTime: number;
  startedAt: number;
  latCri: number;
  deadline: number;
  woken: boolean;
}

function ewma(old: number, sample: number): number {
  return old * 0.75 + sample * 0.25;
}

export class LavdScheduler implements SchedExtOps {
  readonly name = "lavd";
  readonly timeout_ms = 5000;
  private readonly sliceMin: number;
  private readonly sliceMax: number;
  private readonly o: OptionValues<typeof options>;
  private readonly nrCpus: number;
  private readonly nrLlcs: number;
  private logicalClock = 0;
  private sysSlice: number;
  private svcSum = 0;
  private nrTasks = 0;
  /** EWMAs of each stat period's mean and maximum lat_cri of the tasks that ran. */
  private avgLatCri = 0;
  private maxLatCri = 0;
  private periodSumLatCri = 0;
  private periodNrSched = 0;
  private periodMaxLatCri = 0;
  private timer = -1;
  /** CPUs of each LLC, and the LLCs sorted nearest-first from each LLC. */
  private readonly llcMasks: Uint8Array[] = [];
  private readonly llcOrder: number[][] = [];
  private readonly scratch: Uint8Array;
  private readonly cpuLatCri: Float64Array;
  private readonly cpuStopAt: Float64Array;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.sliceMin = o.slice_min_us * 1000;
    this.sliceMax = Math.max(o.slice_max_us, o.slice_min_us) * 1000;
    this.sysSlice = this.sliceMax;
    this.nrCpus = scx.nrCpus();
    this.nrLlcs = scx.nrLlcs();
    this.scratch = new Uint8Array(this.nrCpus);
    this.cpuLatCri = new Float64Array(this.nrCpus);
    this.cpuStopAt = new Float64Array(this.nrCpus);
    this.tctx = scx.taskStorage<TaskCtx>(() => ({
      waitFreq: 0, lastQuiescentAt: this.scx.now(), avgRuntime: 0, accRuntime: 0, svcTime: this.avgSvc(),
      startedAt: 0, latCri: 0, deadline: this.logicalClock, woken: false,
    }));
  }

  private avgSvc(): number {
    return this.nrTasks > 0 ? this.svcSum / this.nrTasks : 0;
  }

  private pcpuDsq(cpu: number): number {
    return this.nrLlcs + cpu;
  }

  private latCri(p: ScxTask, t: TaskCtx): number {
    const waitFt = Math.min(t.waitFreq, 100_000) + 1;
    const wakeFt = 1;
    const runtimeFt = t.avgRuntime >= NS_PER_S ? 1 : (NS_PER_S - t.avgRuntime) / 500_000 + 1;
    let boost = t.woken ? BOOST_WOKEN : 0;
    if (p.nrCpusAllowed === 1) boost += BOOST_PINNED;
    else if (p.nrCpusAllowed < this.nrCpus) boost += BOOST_AFFINITY;
    const weightFt = p.weight + boost + 1;
    const x = Math.log2(waitFt * wakeFt) + Math.log2(runtimeFt * weightFt);
    return x * x;
  }

  /** ×1024: 1024 for a task owed service, up to 2048 for one served beyond the average. */
  private greedyPenalty(p: ScxTask, t: TaskCtx): number {
    const lagMax = (LAG_BOUND_NS * 100) / p.weight;
    const lag = Math.max(-lagMax, Math.min(lagMax, this.avgSvc() - t.svcTime));
    return 1024 + ((lagMax - lag) * 1024) / lagMax / 2;
  }

  private computeDeadline(p: ScxTask, t: TaskCtx): number {
    t.latCri = this.latCri(p, t);
    const window = ((5_000_000 + Math.min(t.accRuntime, 5_000_000)) * this.greedyPenalty(p, t)) / Math.max(t.latCri, 1) / 1024;
    t.deadline = this.logicalClock - COMPETE_WINDOW_NS + window;
    return t.deadline;
  }

  private domainMask(p: ScxTask, llc: number): Uint8Array {
    const m = this.llcMasks[llc], a = p.cpusAllowed;
    for (let c = 0; c < this.nrCpus; c++) this.scratch[c] = a === null ? m[c] : m[c] & a[c];
    return this.scratch;
  }

  select_cpu(p: ScxTask, prevCpu: number, wakeFlags: number): number {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      const t = this.tctx.get(p);
      t.woken = true;
      this.computeDeadline(p, t);
      this.scx.stat("direct");
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sysSlice, 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), cpu = p.cpu;
    t.woken = (enqFlags & SCX_ENQ_WAKEUP) !== 0;
    const dl = this.computeDeadline(p, t);
    if (p.nrCpusAllowed === 1) {
      scx.stat("pinned");
      scx.dsqInsertVtime(p, this.pcpuDsq(cpu), this.sysSlice, dl, enqFlags);
      scx.kickCpu(cpu, SCX_KICK_IDLE);
      return;
    }
    const llc = scx.cpuLlc(cpu);
    scx.dsqInsertVtime(p, llc, this.sysSlice, dl, enqFlags);
    const idle = scx.pickIdleCpu(this.domainMask(p, llc), 0);
    if (idle >= 0) { scx.kickCpu(idle, SCX_KICK_IDLE); return; }
    if (!this.o.no_preemption) this.tryPreempt(p, t, llc);
  }

  /** The most critical tasks pick the better of two random victims in their domain. */
  private tryPreempt(p: ScxTask, t: TaskCtx, llc: number): void {
    const threshold = this.maxLatCri - (this.maxLatCri - this.avgLatCri) / 2 ** this.o.preempt_shift;
    if (this.periodNrSched + this.maxLatCri === 0 || t.latCri < threshold) return;
    const scx = this.scx, now = scx.now(), mask = this.domainMask(p, llc);
    const myStop = now + Math.min(t.avgRuntime, this.sysSlice);
    let victim = -1;
    for (let i = 0; i < 2; i++) {
      const c = scx.randomU32() % this.nrCpus;
      if (mask[c] === 0 || scx.cpuCurr(c) === null) continue;
      if (this.cpuLatCri[c] >= t.latCri || this.cpuStopAt[c] <= myStop) continue;
      if (victim < 0 || this.cpuLatCri[c] < this.cpuLatCri[victim]) victim = c;
    }
    if (victim < 0) return;
    scx.stat("preempt");
    scx.kickCpu(victim, SCX_KICK_PREEMPT);
  }

  dispatch(cpu: number, prev: ScxTask | null): void {
    const scx = this.scx, llc = scx.cpuLlc(cpu), own = this.pcpuDsq(cpu);
    const a = scx.dsqPeek(own), b = scx.dsqPeek(llc);
    const ownFirst = a !== null && (b === null || a.dsqVtime <= b.dsqVtime);
    if (ownFirst ? scx.dsqMoveToLocal(own) || scx.dsqMoveToLocal(llc) : scx.dsqMoveToLocal(llc) || scx.dsqMoveToLocal(own)) return;
    for (const other of this.llcOrder[llc]) {
      if (scx.dsqMoveToLocal(other)) { scx.stat("steal"); return; }
    }
    if (prev !== null) prev.slice = this.sysSlice;
  }

  runnable(p: ScxTask, enqFlags: number): void {
    if (enqFlags & SCX_ENQ_WAKEUP) this.tctx.get(p).accRuntime = 0;
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.startedAt = now;
    if (t.deadline > this.logicalClock) this.logicalClock = t.deadline;
    this.cpuLatCri[p.cpu] = t.latCri;
    this.cpuStopAt[p.cpu] = now + Math.min(t.avgRuntime, this.sysSlice);
    this.periodSumLatCri += t.latCri;
    this.periodNrSched++;
    if (t.latCri > this.periodMaxLatCri) this.periodMaxLatCri = t.latCri;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p);
    const used = this.scx.now() - t.startedAt;
    const svc = (used * 100) / p.weight;
    t.accRuntime += used;
    t.svcTime += svc;
    this.svcSum += svc;
    t.avgRuntime = ewma(t.avgRuntime, used);
    this.cpuLatCri[p.cpu] = 0;
    this.cpuStopAt[p.cpu] = 0;
  }

  quiescent(p: ScxTask, deqFlags: number): void {
    if ((deqFlags & SCX_DEQ_SLEEP) === 0) return;
    const t = this.tctx.get(p), now = this.scx.now();
    t.waitFreq = ewma(t.waitFreq, NS_PER_S / Math.max(now - t.lastQuiescentAt, 1));
    t.lastQuiescentAt = now;
  }

  init_task(p: ScxTask): number {
    const t = this.tctx.get(p);
    this.svcSum += t.svcTime;
    this.nrTasks++;
    return 0;
  }

  exit_task(p: ScxTask): void {
    this.svcSum -= this.tctx.get(p).svcTime;
    this.nrTasks--;
  }

  /** Every 10 ms: the system slice follows the queue length; lat_cri statistics roll over. */
  private onStatTimer(): void {
    const scx = this.scx;
    let queued = 0;
    for (let l = 0; l < this.nrLlcs; l++) queued += scx.dsqNrQueued(l);
    for (let c = 0; c < this.nrCpus; c++) queued += scx.dsqNrQueued(this.pcpuDsq(c));
    const target = queued === 0 ? this.sliceMax
      : Math.max(this.sliceMin, Math.min(this.sliceMax, (TARGETED_LATENCY_NS * this.nrCpus) / queued));
    this.sysSlice = Math.round(ewma(this.sysSlice, target));
    if (this.periodNrSched > 0) {
      this.avgLatCri = ewma(this.avgLatCri, this.periodSumLatCri / this.periodNrSched);
      this.maxLatCri = ewma(this.maxLatCri, this.periodMaxLatCri);
    }
    this.periodSumLatCri = this.periodNrSched = this.periodMaxLatCri = 0;
    scx.timerStart(this.timer, STAT_INTERVAL_NS);
  }

  init(): number {
    const scx = this.scx;
    for (let l = 0; l < this.nrLlcs; l++) {
      const m = new Uint8Array(this.nrCpus);
      for (let c = 0; c < this.nrCpus; c++) if (scx.cpuLlc(c) === l) m[c] = 1;
      this.llcMasks.push(m);
      const r = scx.createDsq(l, -1);
      if (r !== 0) return r;
    }
    for (let l = 0; l < this.nrLlcs; l++) {
      const node = this.nodeOfLlc(l);
      const others = [...Array(this.nrLlcs).keys()].filter((x) => x !== l);
      others.sort((x, y) => Number(this.nodeOfLlc(x) !== node) - Number(this.nodeOfLlc(y) !== node) || x - y);
      this.llcOrder.push(others);
    }
    for (let c = 0; c < this.nrCpus; c++) {
      const r = scx.createDsq(this.pcpuDsq(c), scx.cpuNode(c));
      if (r !== 0) return r;
    }
    this.timer = scx.timerCreate(() => this.onStatTimer());
    scx.timerStart(this.timer, STAT_INTERVAL_NS);
    return 0;
  }

  private nodeOfLlc(l: number): number {
    return this.scx.cpuNode(this.llcMasks[l].indexOf(1));
  }
}
