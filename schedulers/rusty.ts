/**
 * rusty — modelled on scx_rusty (sched-ext/scx scheds/rust/scx_rusty, Meta), following upstream
 * commit 7a58a3a1a857 (2026-08-07); reference/sched_ext.md §4.14.
 *
 * One scheduling domain per LLC, each with its own vtime-ordered DSQ. Every task belongs to a
 * domain (new tasks are dealt out round-robin from a cursor per CPU) and is queued there by deadline = vruntime + its
 * request length, avg_runtime × 100 / lat_scale, where avg_runtime averages the runtime since
 * the last wakeup and lat_scale comes from the latency priority (`latencyScale`). As upstream,
 * the vruntime is the task's own `dsqVtime`: inserting with the deadline makes the deadline the
 * new vruntime and `stopping` adds the runtime on top, so every enqueue charges the request
 * length again. A waking task takes its previous CPU if its whole core is idle, else an idle core
 * or CPU of its domain; failing that, "direct greedy" sends it to an idle CPU of a domain whose
 * utilisation is under `direct_greedy_under`. A queued task may kick an idle CPU of a domain under
 * `kick_greedy_under` to steal it. A CPU serves its own domain first, then steals round-robin
 * from the other domains of its node. Periodically the load balancer (domain load = Σ duty cycle
 * × weight) asks tasks of the busiest domain to move to the idlest (they move at their next
 * enqueue) while the two differ by more than 5 % of the average (17 % across NUMA nodes); the
 * tuner measures each CPU's utilisation from its busy time (what /proc/stat gives upstream's
 * user space), switches to `slice_us_overutil` while the average is at least 0.99999 and picks
 * the greedy domains; its output is taken in at the next select_cpu (refresh_tune_params), so
 * hogs that never wake keep the slice they had. The direct- and kick-greedy paths are only for
 * tasks marked as allowed everywhere by ops.set_cpumask (upstream's all_cpus), which the kernel
 * does not call for tasks forked under the scheduler: as upstream, those never take them.
 * Simplified: the tuner and load balancer run as BPF timers (no user space in the simulator);
 * one balancing pass per period over two domains; load is a two-period average instead of a
 * 1 s half-life. The latency priority multiplies the task's blocked frequency by the square of
 * its waker frequency (how often it wakes others, counted in `runnable` from the current task);
 * a SCX_WAKE_SYNC wakeup first tries prev in the waker's domain, then the waker's CPU
 * (try_sync_wakeup). As upstream, a sleep's timer wakeup counts one for whatever task the
 * interrupt found running on that CPU (none when it was idle). No kthread, FIFO or mempolicy
 * modes.
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, DsqId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_KICK_IDLE, SCX_PICK_IDLE_CORE, SCX_WAKE_SYNC, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";
import { coreIdle } from "./lib/idle_near.js";
import { calcAvg } from "./lib/calc_avg.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 20_000, min: 1, doc: "slice while the machine is not saturated (scx_rusty -u)" },
  slice_us_overutil: { type: "number", default: 1_000, min: 1, doc: "slice while it is (scx_rusty -o)" },
  greedy_threshold: { type: "number", default: 1, min: 0, integer: true, doc: "non-zero: idle CPUs steal from other domains of their node (scx_rusty -g)" },
  greedy_threshold_x_numa: { type: "number", default: 0, min: 0, integer: true, doc: "non-zero: also across NUMA nodes, from domains queueing fewer than this (scx_rusty --greedy-threshold-x-numa)" },
  direct_greedy_under: { type: "number", default: 90, min: 0, max: 100, doc: "wake onto idle CPUs of domains below this utilisation % (scx_rusty -D)" },
  kick_greedy_under: { type: "number", default: 100, min: 0, max: 100, doc: "kick idle CPUs of domains below this utilisation % to steal (scx_rusty -K)" },
  direct_greedy_numa: { type: "boolean", default: false, doc: "direct greedy may cross NUMA nodes (scx_rusty -r)" },
  interval_us: { type: "number", default: 2_000_000, min: 1_000, doc: "load-balancing period (scx_rusty -i, 2.0 s)" },
  tune_interval_us: { type: "number", default: 100_000, min: 1_000, doc: "tuner period (scx_rusty -I, 0.1 s)" },
});

/** Tasks one balancing pass may move. */
const MAX_LB_MOVES = 16;
/** Request-length inputs are clamped as upstream (DL_RUNTIME_SCALE, DL_MAX_LATENCY_NS, DL_MAX_LAT_PRIO). */
const DL_RUNTIME_SCALE = 2;
const DL_MAX_LATENCY_NS = 50_000_000;
const DL_MAX_LAT_PRIO = 39;
const LB_MAX_WEIGHT = 10_000;
/** The kernel's nice-to-weight table, nice -20 .. 19, read backwards as latency weights. */
const PRIO_TO_WEIGHT = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
  110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];
/** Utilisation at which the tuner calls the machine fully used. */
const FULLY_UTILIZED = 0.99999;
/** Cap on the waker and blocked frequencies (DL_FREQ_FT_MAX). */
const DL_FREQ_FT_MAX = 100_000;

/**
 * upstream task_compute_dl's lat_scale: latency priority = log2(freq_factor × weight/100 + 1)
 * less log2(avg_runtime/2 (≤ 50 ms) × 100/weight + 1), floored at 0, mapped through the weight
 * table read from the low end (priority 0 → 18, 38 → 88761), capped at 10 000.
 */
export function latencyScale(freqFactor: number, avgRuntimeNs: number, weight: number): number {
  let latPrio = Math.min(Math.floor(Math.log2(Math.floor((freqFactor * weight) / 100) + 1)), DL_MAX_LAT_PRIO - 1);
  const avgRunRaw = Math.floor((Math.min(Math.floor(avgRuntimeNs / DL_RUNTIME_SCALE), DL_MAX_LATENCY_NS) * 100) / weight);
  const avgRun = Math.floor(Math.log2(avgRunRaw + 1));
  latPrio = avgRun < latPrio ? latPrio - avgRun : 0;
  return Math.min(PRIO_TO_WEIGHT[DL_MAX_LAT_PRIO - latPrio - 1], LB_MAX_WEIGHT);
}

interface TaskCtx {
  dom: number;
  /** Domain the load balancer asked for; the task moves at its next enqueue. */
  targetDom: number;
  deadline: number;
  /** Runtime since the last wakeup, and its EWMA over stops. */
  sumRuntime: number;
  avgRuntime: number;
  lastRunAt: number;
  /** select_cpu found an idle CPU: enqueue puts the task on that CPU's local DSQ. */
  dispatchLocal: boolean;
  /** CPU time in the current balancing period, and the smoothed duty cycle × weight. */
  runNs: number;
  load: number;
  /** How often (per 100 ms, averaged) it wakes others and blocks, and when it last did. */
  wakerFreq: number;
  lastWokeAt: number;
  blockedFreq: number;
  lastBlockedAt: number;
  /**
   * May run on every CPU, as upstream's taskc->all_cpus: set only by ops.set_cpumask, which the
   * kernel calls on an affinity change or when a task switches in, not for a task forked into
   * sched_ext, so such a task never takes the direct- or kick-greedy paths.
   */
  allCpus: boolean;
}

/** upstream update_freq: events per 100 ms from one interval, averaged (a zero interval counts 0, as BPF's division). */
function updateFreq(freq: number, intervalNs: number): number {
  return calcAvg(freq, intervalNs > 0 ? Math.floor(100_000_000 / intervalNs) : 0);
}

/** A domain's DSQ is numbered as the domain (its LLC id). */
function domDsq(dom: number): DsqId {
  return asDsq(dom);
}

export class RustyScheduler implements SchedExtOps {
  readonly name = "rusty";
  readonly timeout_ms = 10_000;
  private readonly o: OptionValues<typeof options>;
  private readonly nrCpus: number;
  private readonly nrDoms: number;
  private sliceNs: number;
  private readonly domMasks: Uint8Array[] = [];
  private readonly domNode: number[] = [];
  /** Per domain: the largest vruntime that started running (upstream dom min_vruntime). */
  private readonly domVtime: Float64Array;
  /** Per domain: direct-greedy wakeups onto it / kicks of its idle CPUs allowed (none before the tuner's first output is taken). */
  readonly directGreedy: Uint8Array;
  readonly kickGreedy: Uint8Array;
  /** The tuner's last output (upstream tune_input) and its generation; taken in at select_cpu. */
  private readonly tuneDirect: Uint8Array;
  private readonly tuneKick: Uint8Array;
  private tuneSlice: number;
  private tuneGen = 0;
  private appliedGen = 0;
  private readonly scratch: Uint8Array;
  /** An empty CPU mask (a domain that is not direct-greedy). */
  private readonly noCpus: Uint8Array;
  private readonly domRr: Uint32Array;
  /** Each CPU's busy time (scx.cpuBusyNs, /proc/stat) at the tuner's last step, and when that was. */
  private readonly busyAtTune: Float64Array;
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
    this.directGreedy = new Uint8Array(this.nrDoms);
    this.kickGreedy = new Uint8Array(this.nrDoms);
    this.tuneDirect = new Uint8Array(this.nrDoms);
    this.tuneKick = new Uint8Array(this.nrDoms);
    this.tuneSlice = this.sliceNs;
    // Each CPU's domain cursor starts at the CPU's number, as rusty_init sets dom_rr_cur.
    this.domRr = Uint32Array.from({ length: this.nrCpus }, (_, c) => c);
    this.scratch = new Uint8Array(this.nrCpus);
    this.noCpus = new Uint8Array(this.nrCpus);
    this.busyAtTune = new Float64Array(this.nrCpus);
    for (let d = 0; d < this.nrDoms; d++) this.domMasks.push(new Uint8Array(this.nrCpus));
    for (let c = asCpu(0); c < this.nrCpus; c++) this.domMasks[scx.cpuLlc(c)][c] = 1;
    for (let d = 0; d < this.nrDoms; d++) this.domNode.push(scx.cpuNode(asCpu(this.domMasks[d].indexOf(1))));
    this.tctx = scx.taskStorage<TaskCtx>(() => ({
      dom: 0, targetDom: 0, deadline: 0, sumRuntime: 0, avgRuntime: 0, lastRunAt: 0, dispatchLocal: false, runNs: 0, load: 0,
      wakerFreq: 0, lastWokeAt: scx.now(), blockedFreq: 0, lastBlockedAt: scx.now(), allCpus: false,
    }));
  }

  /** Domain CPUs the task may use (into a scratch mask), or null if there are none. */
  private allowedIn(p: ScxTask, dom: number): Uint8Array | null {
    const m = this.domMasks[dom], a = p.cpusAllowed;
    let any = 0;
    for (let c = 0; c < this.nrCpus; c++) any |= this.scratch[c] = a === null ? m[c] : m[c] & a[c];
    return any ? this.scratch : null;
  }

  /**
   * upstream task_pick_domain: the first domain the task can run in after the cursor of the CPU
   * it is created on, which moves one step per pick (the cursor dispatch's stealing uses too).
   */
  private pickDomain(p: ScxTask): number {
    if (this.nrDoms === 1) return 0;
    let d = this.domRr[this.scx.taskCpu(p)]++;
    for (let i = 0; i < this.nrDoms; i++) {
      d = (d + 1) % this.nrDoms;
      if (this.allowedIn(p, d) !== null) return d;
    }
    return 0;
  }

  /** upstream task_set_domain: join `dom` at its clock. */
  private setDomain(p: ScxTask, t: TaskCtx, dom: number): void {
    t.dom = t.targetDom = dom;
    p.dsqVtime = this.domVtime[dom];
    t.deadline = p.dsqVtime + Math.floor((t.avgRuntime * 100) / p.weight);
  }



  private anyIdleCore(): boolean {
    for (let c = asCpu(0); c < this.nrCpus; c++) if (coreIdle(this.scx, c)) return true;
    return false;
  }

  /**
   * upstream rusty_select_cpu's direct-greedy step, taken only while some domain is direct-greedy:
   * prev's domain's greedy CPUs (none when that domain is not greedy), then the greedy CPUs of
   * its node (everywhere with direct_greedy_numa); whole idle cores first when there are any.
   * Each pick is made even on an empty mask, as upstream's are.
   */
  private directGreedyCpu(prevCpu: CpuId, idleCores: boolean): CpuId {
    const scx = this.scx, prevDom = scx.cpuLlc(prevCpu), node = this.domNode[prevDom];
    let any = false;
    this.scratch.fill(0);
    for (let d = 0; d < this.nrDoms; d++) {
      if (!this.directGreedy[d]) continue;
      any = true;
      if (!this.o.direct_greedy_numa && this.domNode[d] !== node) continue;
      const m = this.domMasks[d];
      for (let c = 0; c < this.nrCpus; c++) this.scratch[c] |= m[c];
    }
    if (!any) return asCpu(-1);
    const own = this.directGreedy[prevDom] ? this.domMasks[prevDom] : this.noCpus;
    let c: CpuId;
    if (idleCores) {
      if ((c = scx.pickIdleCpu(own, SCX_PICK_IDLE_CORE)) >= 0) return this.greedy(c, "direct_greedy");
      if ((c = scx.pickIdleCpu(this.scratch, SCX_PICK_IDLE_CORE)) >= 0) return this.greedy(c, "direct_greedy_far");
    }
    if ((c = scx.pickIdleCpu(own, 0)) >= 0) return this.greedy(c, "direct_greedy");
    if ((c = scx.pickIdleCpu(this.scratch, 0)) >= 0) return this.greedy(c, "direct_greedy_far");
    return asCpu(-1);
  }

  private greedy(cpu: CpuId, what: string): CpuId {
    this.scx.stat(what);
    return cpu;
  }

  /** select_cpu found an idle CPU: enqueue will put the task on its local DSQ */
  private direct(t: TaskCtx, cpu: CpuId, what: string): CpuId {
    this.scx.stat(what);
    t.dispatchLocal = true;
    return cpu;
  }

  /**
   * upstream try_sync_wakeup: the waker is about to sleep, so prev if it is idle in the waker's
   * domain, else the waker's CPU when its domain has an idle CPU and nothing waits on its local DSQ.
   */
  private syncWakeup(p: ScxTask, t: TaskCtx, prevCpu: CpuId): CpuId {
    const scx = this.scx, cpu = scx.currentCpu(), m = this.domMasks[scx.cpuLlc(cpu)];
    if (m[prevCpu] === 1 && scx.testAndClearCpuIdle(prevCpu)) return this.direct(t, prevCpu, "sync_prev_idle");
    let idle = false;
    for (let c = asCpu(0); c < this.nrCpus && !idle; c++) idle = m[c] === 1 && scx.isCpuIdle(c);
    if (idle && scx.cpuAllowed(p, cpu) && scx.nrQueuedLocal(cpu) === 0) return this.direct(t, cpu, "wake_sync");
    return asCpu(-1);
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    this.refreshTune();
    const scx = this.scx, t = this.tctx.get(p);
    if (p.nrCpusAllowed > 1 && (wakeFlags & SCX_WAKE_SYNC) !== 0) {
      const c = this.syncWakeup(p, t, prevCpu);
      if (c >= 0) return c;
    }
    const idleCores = this.anyIdleCore();
    const mask = this.allowedIn(p, t.dom);
    const domestic = mask !== null && mask[prevCpu] === 1;
    // Keep prev when its whole core is idle (a foreign prev only in a direct-greedy domain).
    if ((domestic || this.directGreedy[scx.cpuLlc(prevCpu)]) && coreIdle(scx, prevCpu) && scx.testAndClearCpuIdle(prevCpu)) {
      return this.direct(t, prevCpu, domestic ? "prev_idle" : "greedy_idle");
    }
    if (mask !== null) {
      if (idleCores) {
        const c = scx.pickIdleCpu(this.allowedIn(p, t.dom), SCX_PICK_IDLE_CORE);
        if (c >= 0) return this.direct(t, c, "direct_dispatch");
      }
      if (domestic && scx.testAndClearCpuIdle(prevCpu)) return this.direct(t, prevCpu, "direct_dispatch");
      const c = scx.pickIdleCpu(this.allowedIn(p, t.dom), 0);
      if (c >= 0) return this.direct(t, c, "direct_dispatch");
    }
    if (t.allCpus) {
      const c = this.directGreedyCpu(prevCpu, idleCores);
      if (c >= 0) {
        t.dispatchLocal = true;
        return c;
      }
    }
    if (domestic) return prevCpu;
    const home = this.allowedIn(p, t.dom);
    const c = home === null ? asCpu(-1) : this.scx.cpumaskAnyDistribute(home);
    return c >= 0 ? c : prevCpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p);
    if (t.targetDom !== t.dom) {
      this.setDomain(p, t, t.targetDom);
      t.dispatchLocal = false;
      scx.stat("load_balance");
      const m = this.allowedIn(p, t.dom);
      const c = m === null ? asCpu(-1) : this.scx.cpumaskAnyDistribute(m);
      if (c >= 0) scx.kickCpu(c, 0);
    } else if (t.dispatchLocal) {
      t.dispatchLocal = false;
      scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, enqFlags);
      return;
    } else {
      // On a foreign CPU after greedy execution: wake a CPU of its own domain to pick it up.
      const m = this.allowedIn(p, t.dom);
      if (m !== null && m[scx.taskCpu(p)] === 0) {
        const c = this.scx.cpumaskAnyDistribute(m);
        if (c >= 0) scx.kickCpu(c, 0);
        scx.stat("repatriate");
      }
    }
    // A sleeper banks at most one slice below its domain's clock.
    const min = this.domVtime[t.dom] - this.sliceNs;
    if (p.dsqVtime < min) {
      p.dsqVtime = min;
      t.deadline = min + this.requestLength(p, t);
      scx.stat("dl_clamp");
    }
    scx.dsqInsertVtime(p, domDsq(t.dom), this.sliceNs, t.deadline, enqFlags);
    if (t.allCpus) this.kickGreedyCpu();
  }

  /** Wake an idle CPU of a kick-greedy domain so it can steal the task just queued. */
  private kickGreedyCpu(): void {
    this.scratch.fill(0);
    // bpf_cpumask_any_and_distribute of the kick-greedy domains' CPUs and the idle ones.
    for (let c = asCpu(0); c < this.nrCpus; c++) if (this.kickGreedy[this.scx.cpuLlc(c)] && this.scx.isCpuIdle(c)) this.scratch[c] = 1;
    const c = this.scx.cpumaskAnyDistribute(this.scratch);
    if (c < 0) return;
    this.scx.stat("kick_greedy");
    this.scx.kickCpu(c, SCX_KICK_IDLE);
  }

  /** upstream task_compute_dl: avg_runtime × 100 / lat_scale, the frequency factor blocked × waker². */
  private requestLength(p: ScxTask, t: TaskCtx): number {
    const waker = Math.min(t.wakerFreq, DL_FREQ_FT_MAX), blocked = Math.min(t.blockedFreq, DL_FREQ_FT_MAX);
    return Math.floor((t.avgRuntime * 100) / latencyScale(blocked * waker * waker, t.avgRuntime, p.weight));
  }

  dispatch(cpu: CpuId): void {
    const scx = this.scx, dom = scx.cpuLlc(cpu), node = this.domNode[dom];
    if (scx.dsqMoveToLocal(domDsq(dom))) return;
    if (this.o.greedy_threshold === 0) return;
    for (let i = 1; i < this.nrDoms; i++) {
      const d = this.domRr[cpu]++ % this.nrDoms;
      if (d === dom || this.domNode[d] !== node) continue;
      if (scx.dsqMoveToLocal(domDsq(d))) { scx.stat("greedy"); return; }
    }
    if (this.o.greedy_threshold_x_numa === 0 || scx.nrNodes() === 1) return;
    for (let i = 1; i < this.nrDoms; i++) {
      const d = this.domRr[cpu]++ % this.nrDoms;
      // As upstream: across nodes, only domains queueing fewer than the threshold are raided.
      if (d === dom || this.domNode[d] === node || scx.dsqNrQueued(domDsq(d)) >= this.o.greedy_threshold_x_numa) continue;
      if (scx.dsqMoveToLocal(domDsq(d))) { scx.stat("greedy_x_numa"); return; }
    }
  }

  /**
   * upstream rusty_runnable: the wakeup counts one for the current task, the waker, or in a
   * timer's wakeup the task its interrupt found running (bpf_get_current_task_btf() there).
   */
  runnable(p: ScxTask): void {
    this.tctx.get(p).sumRuntime = 0;
    const waker = this.scx.currentTask();
    if (waker === null) return;
    const w = this.tctx.get(waker), now = this.scx.now();
    w.wakerFreq = updateFreq(w.wakerFreq, now - w.lastWokeAt);
    w.lastWokeAt = now;
  }

  /** upstream rusty_quiescent: how often the task blocks. */
  quiescent(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.blockedFreq = updateFreq(t.blockedFreq, now - t.lastBlockedAt);
    t.lastBlockedAt = now;
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    t.lastRunAt = now;
    if (p.dsqVtime > this.domVtime[t.dom]) this.domVtime[t.dom] = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now();
    const used = now - t.lastRunAt;
    t.sumRuntime += used;
    t.avgRuntime = t.avgRuntime - Math.floor(t.avgRuntime / 4) + Math.floor(t.sumRuntime / 4);
    p.dsqVtime += Math.floor((used * 100) / p.weight);
    t.deadline = p.dsqVtime + this.requestLength(p, t);
    t.runNs += used;
  }

  /** upstream rusty_set_cpumask: the domain picked again for the new mask, then all_cpus. */
  set_cpumask(p: ScxTask, mask: Uint8Array | null): void {
    const t = this.tctx.get(p);
    this.setDomain(p, t, this.pickDomain(p));
    t.allCpus = mask === null || mask.every((b) => b === 1);
  }

  init_task(p: ScxTask): number {
    this.setDomain(p, this.tctx.get(p), this.pickDomain(p));
    this.live.add(p);
    return 0;
  }

  exit_task(p: ScxTask): void {
    this.live.delete(p);
  }

  /**
   * Tuner (upstream tuner.rs Tuner::step, user space there): each CPU's utilisation since the
   * last step from its busy time (clamped to 1), per-domain averages against the greedy
   * thresholds, the slice from the machine's average; published with a new generation.
   */
  private tune(): void {
    const scx = this.scx, now = scx.now(), span = now - this.lastTune;
    const domUtil = new Float64Array(this.nrDoms), domCpus = new Float64Array(this.nrDoms);
    let total = 0;
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      const busy = scx.cpuBusyNs(c), u = span > 0 ? Math.min(1, Math.max(0, busy - this.busyAtTune[c]) / span) : 1;
      this.busyAtTune[c] = busy;
      const d = scx.cpuLlc(c);
      domUtil[d] += u; domCpus[d]++; total += u;
    }
    const directUnder = this.o.direct_greedy_under / 100, kickUnder = this.o.kick_greedy_under / 100;
    for (let d = 0; d < this.nrDoms; d++) {
      const u = domUtil[d] / domCpus[d];
      this.tuneDirect[d] = directUnder > FULLY_UTILIZED || u < directUnder ? 1 : 0;
      this.tuneKick[d] = kickUnder > FULLY_UTILIZED || u < kickUnder ? 1 : 0;
    }
    this.tuneSlice = (total / this.nrCpus >= FULLY_UTILIZED ? this.o.slice_us_overutil : this.o.slice_us) * 1000;
    this.tuneGen++;
    this.lastTune = now;
    scx.timerStart(this.tuneTimer, this.o.tune_interval_us * 1000);
  }

  /** upstream refresh_tune_params: a new tuner generation becomes the slice and greedy masks in use. */
  private refreshTune(): void {
    if (this.appliedGen === this.tuneGen) return;
    this.appliedGen = this.tuneGen;
    this.sliceNs = this.tuneSlice;
    this.directGreedy.set(this.tuneDirect);
    this.kickGreedy.set(this.tuneKick);
  }

  /** Load balancer: ask tasks of the busiest domain to move to the idlest, about half the gap. */
  private balance(): void {
    const now = this.scx.now(), span = Math.max(now - this.lastLb, 1);
    const load = new Float64Array(this.nrDoms);
    for (const p of this.live) {
      const t = this.tctx.get(p);
      t.load = (t.load + (t.runNs / span) * p.weight) / 2;
      t.runNs = 0;
      load[t.targetDom] += t.load;
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
    const candidates = [...this.live].filter((p) => this.tctx.get(p).targetDom === hi && p.nrCpusAllowed > 1 && this.allowedIn(p, lo) !== null);
    for (let moves = 0; moves < MAX_LB_MOVES; moves++) {
      const imbalance = load[hi] - load[lo];
      if (imbalance <= threshold * avg) break;
      let best: ScxTask | null = null, bestLeft = imbalance;
      for (const p of candidates) {
        const t = this.tctx.get(p), left = Math.abs(imbalance - 2 * t.load);
        if (t.targetDom === hi && t.load > 0 && left < bestLeft) { best = p; bestLeft = left; }
      }
      if (best === null) break;
      const t = this.tctx.get(best);
      t.targetDom = lo;
      load[hi] -= t.load;
      load[lo] += t.load;
      this.scx.stat("lb_moved");
    }
  }

  init(): number {
    const scx = this.scx;
    for (let d = 0; d < this.nrDoms; d++) {
      const r = scx.createDsq(domDsq(d), this.domNode[d]);
      if (r !== 0) return r;
    }
    this.tuneTimer = scx.timerCreate(() => this.tune());
    this.lbTimer = scx.timerCreate(() => this.balance());
    this.lastTune = this.lastLb = scx.now();
    for (let c = asCpu(0); c < this.nrCpus; c++) this.busyAtTune[c] = scx.cpuBusyNs(c);
    scx.timerStart(this.tuneTimer, this.o.tune_interval_us * 1000);
    scx.timerStart(this.lbTimer, this.o.interval_us * 1000);
    return 0;
  }
}
