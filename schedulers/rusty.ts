/**
 * rusty — modelled on scx_rusty (sched-ext/scx scheds/rust/scx_rusty, Meta);
 * reference/sched_ext.md §4.14.
 *
 * One scheduling domain per LLC, each with its own vtime-ordered DSQ. Every task belongs to a
 * domain (new tasks are dealt out round-robin) and is queued there, ordered by a deadline of
 * vtime + average run time. A waking task takes its previous CPU if idle, else an idle core or
 * CPU of its domain; failing that, "direct greedy" sends it to an idle CPU of another domain
 * whose utilisation is under `direct_greedy_under`. A CPU serves its own domain first and
 * steals from another domain of its node only when that one holds at least
 * `greedy_threshold` tasks. Periodically the load balancer (domain load = Σ duty cycle ×
 * weight) moves tasks from the busiest to the idlest domain while they differ by more than 5 %
 * of the average (17 % across NUMA nodes), each time the task that leaves the smallest
 * imbalance; the tuner shortens the slice from `slice_us` to `slice_us_overutil` while the
 * machine is fully busy.
 * Simplified: the tuner and the load balancer run as BPF timers instead of in the user-space
 * half (no user space in the simulator); one balancing pass per period over all domains; load
 * is a two-period average instead of a 1 s half-life; the deadline uses weight for lat_scale
 * (the original's latency priority needs waker frequencies, which the simulator does not report).
 */
import type { SchedExtOps, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_KICK_IDLE, SCX_PICK_IDLE_CORE } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 20_000, min: 1, doc: "slice while the machine is not saturated (scx_rusty -u)" },
  slice_us_overutil: { type: "number", default: 1_000, min: 1, doc: "slice while it is (scx_rusty -o)" },
  greedy_threshold: { type: "number", default: 1, min: 0, integer: true, doc: "steal from a domain of the node holding this many tasks (0 = never; scx_rusty -g)" },
  greedy_threshold_x_numa: { type: "number", default: 0, min: 0, integer: true, doc: "the same across NUMA nodes (0 = never; scx_rusty -G)" },
  direct_greedy_under: { type: "number", default: 90, min: 0, max: 100, doc: "wake onto idle CPUs of domains below this utilisation % (scx_rusty -D)" },
  interval_us: { type: "number", default: 2_000_000, min: 1_000, doc: "load-balancing period (scx_rusty -i)" },
  tune_interval_us: { type: "number", default: 100_000, min: 1_000, doc: "tuner period (scx_rusty -I)" },
});

/** Tasks one balancing pass may move. */
const MAX_LB_MOVES = 16;

interface TaskCtx {
  dom: number;
  vtime: number;
  avgRuntime: number;
  startedAt: number;
  /** CPU time in the current balancing period, and the smoothed duty cycle × weight. */
  runNs: number;
  load: number;
}

export class RustyScheduler implements SchedExtOps {
  readonly name = "rusty";
  readonly timeout_ms = 5000;
  private readonly o: OptionValues<typeof options>;
  private readonly nrCpus: number;
  private readonly nrDoms: number;
  private sliceNs: number;
  private readonly domMasks: Uint8Array[] = [];
  private readonly domNode: number[] = [];
  private readonly domVtime: Float64Array;
  private readonly domUtil: Float64Array;
  private readonly scratch: Uint8Array;
  private nextDom = 0;
  /** Per-CPU start of the current run (-1 when idle) and busy time since the last tune. */
  private readonly runStart: Float64Array;
  private readonly busyNs: Float64Array;
  private lastTune = 0;
  private lastLb = 0;
  private readonly live = new Set<ScxTask>();
  private tuneTimer = -1;
  private lbTimer = -1;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.nrCpus = scx.nrCpus();
    this.nrDoms = scx.nrLlcs();
    this.sliceNs = o.slice_us * 1000;
    this.domVtime = new Float64Array(this.nrDoms);
    this.domUtil = new Float64Array(this.nrDoms);
    this.scratch = new Uint8Array(this.nrCpus);
    this.runStart = new Float64Array(this.nrCpus).fill(-1);
    this.busyNs = new Float64Array(this.nrCpus);
    for (let d = 0; d < this.nrDoms; d++) this.domMasks.push(new Uint8Array(this.nrCpus));
    for (let c = 0; c < this.nrCpus; c++) this.domMasks[scx.cpuLlc(c)][c] = 1;
    for (let d = 0; d < this.nrDoms; d++) this.domNode.push(scx.cpuNode(this.domMasks[d].indexOf(1)));
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ dom: 0, vtime: 0, avgRuntime: 0, startedAt: 0, runNs: 0, load: 0 }));
  }

  /** Domain CPUs the task may use (into a scratch mask), or null if there are none. */
  private allowedIn(p: ScxTask, dom: number): Uint8Array | null {
    const m = this.domMasks[dom], a = p.cpusAllowed;
    let any = 0;
    for (let c = 0; c < this.nrCpus; c++) any |= this.scratch[c] = a === null ? m[c] : m[c] & a[c];
    return any ? this.scratch : null;
  }

  /** Round-robin over the domains the task can run in. */
  private pickDomain(p: ScxTask): number {
    for (let i = 0; i < this.nrDoms; i++) {
      const d = (this.nextDom + i) % this.nrDoms;
      if (this.allowedIn(p, d) !== null) { this.nextDom = d + 1; return d; }
    }
    return 0;
  }

  private coreIdle(cpu: number): boolean {
    const s = this.scx.cpuSibling(cpu);
    return s < 0 || this.scx.isCpuIdle(s);
  }

  private direct(p: ScxTask, cpu: number, what: string): number {
    this.scx.stat(what);
    this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, 0);
    return cpu;
  }

  select_cpu(p: ScxTask, prevCpu: number): number {
    const scx = this.scx, t = this.tctx.get(p);
    const prevOk = scx.cpuAllowed(p, prevCpu);
    if (prevOk && this.coreIdle(prevCpu) && scx.testAndClearCpuIdle(prevCpu)) return this.direct(p, prevCpu, "prev_idle");
    const mask = this.allowedIn(p, t.dom);
    if (mask !== null) {
      let cpu = scx.pickIdleCpu(mask, SCX_PICK_IDLE_CORE);
      if (cpu < 0) cpu = scx.pickIdleCpu(mask, 0);
      if (cpu >= 0) return this.direct(p, cpu, "dom_idle");
    }
    if (prevOk && scx.testAndClearCpuIdle(prevCpu)) return this.direct(p, prevCpu, "prev_idle");
    // Direct greedy: an idle CPU of a lightly used domain of the same node.
    for (let d = 0; d < this.nrDoms; d++) {
      if (d === t.dom || this.domNode[d] !== this.domNode[t.dom]) continue;
      if (this.domUtil[d] * 100 >= this.o.direct_greedy_under) continue;
      const m = this.allowedIn(p, d);
      const cpu = m === null ? -1 : scx.pickIdleCpu(m, 0);
      if (cpu >= 0) return this.direct(p, cpu, "direct_greedy");
    }
    return prevCpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p);
    // A sleeper banks at most one slice below its domain's clock.
    t.vtime = Math.max(t.vtime, this.domVtime[t.dom] - this.sliceNs);
    const deadline = t.vtime + (t.avgRuntime * 100) / p.weight;
    scx.dsqInsertVtime(p, t.dom, this.sliceNs, deadline, enqFlags);
    scx.stat("dom_queued");
    const mask = this.allowedIn(p, t.dom);
    if (mask === null) return;
    const idle = scx.pickIdleCpu(mask, 0);
    if (idle >= 0) scx.kickCpu(idle, SCX_KICK_IDLE);
  }

  dispatch(cpu: number, prev: ScxTask | null): void {
    const scx = this.scx, dom = scx.cpuLlc(cpu);
    if (scx.dsqMoveToLocal(dom)) return;
    for (let i = 1; i < this.nrDoms; i++) {
      const d = (dom + i) % this.nrDoms;
      const sameNode = this.domNode[d] === this.domNode[dom];
      const threshold = sameNode ? this.o.greedy_threshold : this.o.greedy_threshold_x_numa;
      if (threshold === 0 || scx.dsqNrQueued(d) < threshold) continue;
      if (scx.dsqMoveToLocal(d)) { scx.stat(sameNode ? "greedy" : "greedy_x_numa"); return; }
    }
    if (prev !== null) prev.slice = this.sliceNs;
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.startedAt = now;
    this.runStart[p.cpu] = now;
    if (t.vtime > this.domVtime[t.dom]) this.domVtime[t.dom] = t.vtime;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    const used = now - t.startedAt;
    t.vtime += (used * 100) / p.weight;
    t.avgRuntime = t.avgRuntime * 0.75 + used * 0.25;
    t.runNs += used;
    this.busyNs[p.cpu] += now - Math.max(this.runStart[p.cpu], this.lastTune);
    this.runStart[p.cpu] = -1;
  }

  init_task(p: ScxTask): number {
    const t = this.tctx.get(p);
    t.dom = this.pickDomain(p);
    t.vtime = this.domVtime[t.dom];
    this.live.add(p);
    return 0;
  }

  exit_task(p: ScxTask): void {
    this.live.delete(p);
  }

  /** Tuner: per-domain utilisation since the last run, and the slice that follows from it. */
  private tune(): void {
    const now = this.scx.now(), span = Math.max(now - this.lastTune, 1);
    const domBusy = new Float64Array(this.nrDoms), domCpus = new Float64Array(this.nrDoms);
    let total = 0;
    for (let c = 0; c < this.nrCpus; c++) {
      let busy = this.busyNs[c];
      if (this.runStart[c] >= 0) busy += now - Math.max(this.runStart[c], this.lastTune);
      this.busyNs[c] = 0;
      const d = this.scx.cpuLlc(c);
      domBusy[d] += busy; domCpus[d]++; total += busy;
    }
    for (let d = 0; d < this.nrDoms; d++) this.domUtil[d] = domBusy[d] / (span * domCpus[d]);
    const util = total / (span * this.nrCpus);
    this.sliceNs = (util >= 0.99 ? this.o.slice_us_overutil : this.o.slice_us) * 1000;
    this.lastTune = now;
    this.scx.timerStart(this.tuneTimer, this.o.tune_interval_us * 1000);
  }

  /** Load balancer: move about half the imbalance from the busiest domain to the idlest. */
  private balance(): void {
    const now = this.scx.now(), span = Math.max(now - this.lastLb, 1);
    const load = new Float64Array(this.nrDoms);
    for (const p of this.live) {
      const t = this.tctx.get(p);
      t.load = (t.load + (t.runNs / span) * p.weight) / 2;
      t.runNs = 0;
      load[t.dom] += t.load;
    }
    this.lastLb = now;
    this.scx.timerStart(this.lbTimer, this.o.interval_us * 1000);
    if (this.nrDoms < 2) return;
    let hi = 0, lo = 0, sum = 0;
    for (let d = 0; d < this.nrDoms; d++) {
      sum += load[d];
      if (load[d] > load[hi]) hi = d;
      if (load[d] < load[lo]) lo = d;
    }
    const avg = sum / this.nrDoms;
    const threshold = this.domNode[hi] === this.domNode[lo] ? 0.05 : 0.17;
    if (hi === lo || load[hi] - load[lo] <= threshold * avg) return;
    // Move the task that leaves the smallest imbalance, while that keeps improving it.
    const candidates = [...this.live].filter((p) => this.tctx.get(p).dom === hi && p.nrCpusAllowed > 1 && this.allowedIn(p, lo) !== null);
    for (let moves = 0; moves < MAX_LB_MOVES; moves++) {
      const imbalance = load[hi] - load[lo];
      if (imbalance <= threshold * avg) break;
      let best: ScxTask | null = null, bestLeft = imbalance;
      for (const p of candidates) {
        const l = this.tctx.get(p).load, left = Math.abs(imbalance - 2 * l);
        if (this.tctx.get(p).dom === hi && l > 0 && left < bestLeft) { best = p; bestLeft = left; }
      }
      if (best === null) break;
      const t = this.tctx.get(best);
      t.dom = lo;
      t.vtime = Math.max(t.vtime, this.domVtime[lo] - this.sliceNs);
      load[hi] -= t.load;
      load[lo] += t.load;
      this.scx.stat("lb_moved");
    }
  }

  init(): number {
    const scx = this.scx;
    for (let d = 0; d < this.nrDoms; d++) {
      const r = scx.createDsq(d, this.domNode[d]);
      if (r !== 0) return r;
    }
    this.tuneTimer = scx.timerCreate(() => this.tune());
    this.lbTimer = scx.timerCreate(() => this.balance());
    this.lastTune = this.lastLb = scx.now();
    scx.timerStart(this.tuneTimer, this.o.tune_interval_us * 1000);
    scx.timerStart(this.lbTimer, this.o.interval_us * 1000);
    return 0;
  }
}
