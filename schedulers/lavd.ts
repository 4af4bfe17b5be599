/**
 * lavd — modelled on scx_lavd (sched-ext/scx scheds/rust/scx_lavd, Changwoo Min, Igalia/Valve),
 * following upstream commit 7a58a3a1a857 (2026-08-07): latency-criticality-aware virtual deadline;
 * reference/sched_ext.md §4.13.
 *
 * Each task gets a latency criticality from how it behaves: tasks that block often (wait
 * frequency), wake others often (wake frequency), run briefly and weigh more are critical:
 * lat_cri = (log2(wait_ft · wake_ft) + log2(runtime_ft · weight_ft))², with upstream's log2_u64
 * (the bit length, ⌊log2⌋ + 1), where runtime_ft falls with the average invariant run and
 * weight_ft = weight × boost + 1, the boost counting 1, plus 128 for a woken task, 128 for an
 * affinitized and 256 more for a pinned one. Its virtual deadline (its `dsqVtime`) is the logical
 * clock (from 300 ms >> 16), less a compete window that shrinks as tasks queue beyond the CPUs,
 * plus (5 ms + the invariant run time since wakeup, ≤ 5 ms) × a greedy penalty / lat_cri. A task is
 * greedy when its total service (invariant run time / weight) exceeds the recent average service
 * per scheduling, which soon holds for every task that has run a while; a new task starts as served
 * as the most served task that has stopped. Each task that starts running advances the clock by
 * (its deadline − clock) / the average queue length. Run times are kept twice, in wall time
 * (slices, expected stops) and invariant time (criticality); a task's averages start at the system
 * slice, and its first run, measured from a sum_exec_runtime of 0 that upstream reads as unset,
 * adds no wall time. One deadline-ordered DSQ per LLC (compute domain), plus one per core for
 * pinned tasks while `pinned_slice_us` is on (upstream's default, 5 ms); a CPU takes the earlier
 * head of the two. Domains are balanced as upstream's balance.bpf.c does (lavd_balance.ts): every
 * stat interval underloaded domains become stealers and overloaded ones stealees, a stealer's CPU
 * takes a stealee neighbour's head before its own DSQs, any CPU whose DSQs are empty takes from a
 * neighbour, and a waking task of a stealee domain may go to a wholly idle core of a stealer
 * neighbour. The ops flags are upstream's (ENQ_LAST, ENQ_EXITING, KEEP_BUILTIN_IDLE). Pinned tasks (lavd_pinned.ts,
 * upstream --pinned-slice-us): while any waits on a CPU, its tasks get no boosted slice, and
 * their slice is cut to what is left of min(pinned slice, system slice) at every tick and stat
 * timer. Power modes and core compaction (lavd_power.ts, upstream power.bpf.c): by default the
 * autopilot picks powersave, balanced or performance from the frequency-invariant utilisation every
 * 10 ms (`autopilot`, `performance`, `powersave`, `balanced`, `autopower`, `no_core_compaction` as
 * upstream's flags); outside performance mode only the CPUs the load needs are active, plus an
 * overflow set for work that cannot run elsewhere, and a CPU in neither set takes nothing from the
 * shared DSQs. lavd's own idle-CPU search stays in the task's domain: prev's whole idle core, an
 * idle core of the domain in the active then the overflow set, prev, for a synchronous wakeup the
 * waker's CPU if nothing waits there, an idle CPU of the domain in the active then the overflow
 * set; a synchronous wakeup starts from the waker's domain instead when that carries less load. A task goes straight to a CPU's local DSQ when that CPU is idle
 * with nothing queued, or is under `lb_local_dsq_util_pct` % busy. The system slice is 10 ms ×
 * active CPUs / queued tasks within `slice_min_us`..`slice_max_us`; a task whose average run
 * exceeds it gets a boosted slice (its average + 0.5 ms, up to 500 ms) while the machine is under
 * 95 % busy and no more tasks queue than CPUs are active, else, if more critical than average, up
 * to twice the slice. A task above the criticality threshold max − (max − avg) / 2^`preempt_shift`
 * that is not greedy scans its domain (drawing its CPUs in turn from the running CPU's
 * bpf_cpumask_any_distribute cursor) for two CPUs running less critical work that will stop later
 * than it would (a task that has not run yet has no slice and is expected to stop at once), and
 * preempts the one upstream's rule picks by cutting its running task's slice to 1 ns, so that it
 * yields at its next tick. Most preemption comes from the 10 ms stat timer instead: while slices
 * may not be boosted (machine ≥ 95 % busy or more tasks queued than CPUs active), and on any CPU
 * with tasks on its local DSQ, the running task keeps only what is left of one system slice since
 * it started, and one already past it is preempted at once (SCX_KICK_PREEMPT). Each CPU's frequency
 * follows update_cpuperf_target: the larger of its average and last-interval utilisation, full
 * speed from 85 %, set in `running`. A woken task's waker (the current task in `runnable`) has its
 * wake frequency measured (wake_ft) and trades criticality with it (the wakee inherits from its
 * waker, the waker from its most critical wakee, within upstream's caps); a SCX_WAKE_SYNC wakeup
 * adds a second wakeup boost and a timer's wakeup (bpf_in_hardirq: its `current` is no waker) the
 * highest one. Turbulence tiers (lavd_turbulence.ts): each CPU's IRQ/steal share, measured as
 * upstream does from the runqueue clocks and the idle time update_idle reports, leaves it a
 * latency headroom; a CPU with under 7/8 of it is turbulent and serves a second domain DSQ of
 * tasks below a preemption-vulnerability threshold first, and a vulnerable task's idle search
 * tries steady CPUs first. Simplified: every task counts as related to its waker (upstream
 * compares real_parent: the threads of one rt-app process share it); no RT/DL-waker or softirq
 * boosts; no warm-CPU wait, irq or lock boosts, cgroup bandwidth, turbo or big/little cores
 * (so no performance criticality), no energy model (CPU preference orders as upstream builds them
 * without one), a CPU's effective capacity is its full-speed capacity and frequency-invariant time
 * is charged at the level the CPU runs at when the time is accounted; the idle-CPU search picks no
 * random CPU (pick_random_cpu) and ignores an exiting waker. A CPU's utilisation is upstream's:
 * its non-idle time (from ops.update_idle; a CPU never seen going idle counts as busy) and,
 * frequency-invariant, its tasks' PELT time plus the IRQ/steal share (lavd_turbulence.ts).
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, DsqId } from "../sim/ext/ops.js";
import { SCX_DEQ_SLEEP, SCX_ENQ_CPU_SELECTED, SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_ENQ_WAKEUP, SCX_WAKE_SYNC, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_PICK_IDLE_CORE, SCX_SLICE_DFL, SCX_DSQ_LOCAL, SCX_OPS_ENQ_EXITING, SCX_OPS_ENQ_LAST, SCX_OPS_KEEP_BUILTIN_IDLE, localOn, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";
import { coreIdle, hasSmt } from "./lib/idle_near.js";
import { LavdPower } from "./lavd_power.js";
import { LavdBalance, newTaskLoad, type TaskLoad } from "./lavd_balance.js";
import { LavdPinned } from "./lavd_pinned.js";
import { LavdTurbulence } from "./lavd_turbulence.js";

export const options = defineOptions({
  slice_min_us: { type: "number", default: 500, min: 1, doc: "shortest slice in µs (scx_lavd --slice-min-us)" },
  slice_max_us: { type: "number", default: 5_000, min: 1, doc: "longest slice in µs (scx_lavd --slice-max-us)" },
  preempt_shift: { type: "number", default: 6, min: 0, max: 10, integer: true, doc: "only the top 1/2^n latency-critical tasks may preempt (scx_lavd --preempt-shift)" },
  pinned_slice_us: { type: "number", default: 5_000, min: 0, integer: true, doc: "while pinned tasks wait on a CPU its tasks run at most this long (µs, within slice_min_us..slice_max_us), and pinned tasks queue on per-CPU DSQs; 0 turns it off (scx_lavd --pinned-slice-us)" },
  lat_load_target_pct: { type: "number", default: 100, min: 0, max: 200, integer: true, doc: "target load of turbulent CPUs (much IRQ/steal time) as % of steady CPUs' load, which sets how many tasks they serve (scx_lavd --lat-load-target-pct)" },
  lb_local_dsq_util_pct: { type: "number", default: 10, min: 0, max: 100, doc: "queue straight to a CPU's local DSQ while it is less busy than this % (scx_lavd --lb-local-dsq-util-pct)" },
  no_preemption: { type: "boolean", default: false, doc: "never preempt (scx_lavd --no-preemption)" },
  no_slice_boost: { type: "boolean", default: false, doc: "never boost slices (scx_lavd --no-slice-boost)" },
  no_freq_scaling: { type: "boolean", default: false, doc: "keep every CPU at full performance (scx_lavd --no-freq-scaling)" },
  autopilot: { type: "boolean", default: false, doc: "pick performance, balanced or powersave from the load every 10 ms; the default when no mode option is set (scx_lavd --autopilot)" },
  autopower: { type: "boolean", default: false, doc: "follow the OS power profile; the simulated machine has none, so balanced (scx_lavd --autopower)" },
  performance: { type: "boolean", default: false, doc: "performance mode: every CPU in use, no core compaction (scx_lavd --performance)" },
  powersave: { type: "boolean", default: false, doc: "powersave mode: compact onto as few cores as the load needs, filling both threads of a core first (scx_lavd --powersave)" },
  balanced: { type: "boolean", default: false, doc: "balanced mode: compact, one thread of every core first (scx_lavd --balanced)" },
  no_core_compaction: { type: "boolean", default: false, doc: "use every CPU whatever the load (scx_lavd --no-core-compaction)" },
  mig_delta_pct: { type: "number", default: 0, min: 0, max: 100, integer: true, doc: "balance domains whose load is this % off the fair share, and never steal from an empty dispatch; 0: a margin that shrinks with load (scx_lavd --mig-delta-pct)" },
  lb_low_util_pct: { type: "number", default: 25, min: 0, max: 100, integer: true, doc: "plan no cross-domain migration while every domain's CPUs are less busy than this % (scx_lavd --lb-low-util-pct)" },
});

const NS_PER_S = 1_000_000_000;
const SCALE = 1024;
const TARGETED_LATENCY_NS = 10_000_000;
const STAT_INTERVAL_NS = 10_000_000;
const SLICE_MIN_DFL = 500_000, SLICE_MAX_DFL = 5_000_000;
const SLICE_BOOST_MAX = 500_000_000;
const SLICE_BOOST_UTIL = Math.floor((95 * SCALE) / 100) / SCALE;
/** A CPU busier than this over an interval had its work underestimated (LAVD_CC_UTIL_SPIKE, 90 %). */
const CC_UTIL_SPIKE = Math.floor((90 * SCALE) / 100) / SCALE;
/** From this utilisation up a CPU runs at full performance (LAVD_CPU_UTIL_MAX_FOR_CPUPERF, 85 %). */
const CPU_UTIL_MAX_FOR_CPUPERF = Math.floor((85 * SCALE) / 100) / SCALE;
const ACC_RUNTIME_MAX = SLICE_MAX_DFL;
/** 300 ms >> 16: the compete window for a latency criticality around 1000. */
const DL_COMPETE_WINDOW = Math.floor(300_000_000 / 65536);
const LAG_MAX_NS = 500_000_000;
const LC_FREQ_MAX = 100_000;
const BOOST_REGULAR = 128, BOOST_MEDIUM = 256, BOOST_HIGHEST = 1024;
/** Wakeups closer together than this do not update the waker's wake frequency (LAVD_LC_WAKE_INTERVAL_MIN). */
const WAKE_INTERVAL_MIN = SLICE_MIN_DFL;
/** Inherited criticality: at most 1/4 of the receiver's own, from 1/8 of the givers' excess. */
const INH_RECEIVER_SHIFT = 2, INH_GIVER_SHIFT = 3;

/**
 * upstream __calc_avg (scx common.bpf.h): (1 − 2^−decay)·old + 2^−decay·new in integers; half
 * and half while either value is below 2^decay (1 then 0 gives 0).
 */
export function calcAvgDecay(old: number, sample: number, decay: number): number {
  const k = 2 ** decay;
  if (old < k || sample < k) return old === 1 && sample === 0 ? 0 : old - Math.floor(old / 2) + Math.floor(sample / 2);
  return old - Math.floor(old / k) + Math.floor(sample / k);
}

/**
 * upstream log2_u64 (scx common.bpf.h), which lavd's criticality uses: the bit length of v, that is
 * ⌊log2 v⌋ + 1 (one more than the logarithm), and 1 for 0.
 */
export function log2u64(v: number): number {
  const hi = Math.floor(v / 2 ** 32);
  if (hi > 0) return 64 - Math.clz32(hi);
  return v === 0 ? 1 : 32 - Math.clz32(v);
}

/** upstream calc_avg: 7/8 old + 1/8 new. */
function calcAvg(old: number, sample: number): number {
  return calcAvgDecay(old, sample, 3);
}

/**
 * upstream calc_asym_avg on a utilisation in [0, 1] held in the C's fixed point (1/1024 steps,
 * truncated): rises fast (3/4 new), falls slowly (1/8 new), and halves towards a sample of 0.
 */
export function asymAvg(old: number, sample: number): number {
  const o = Math.round(old * SCALE), n = Math.floor(sample * SCALE);
  return (o < n ? calcAvgDecay(n, o, 2) : calcAvgDecay(o, n, 3)) / SCALE;
}

/** How a task became runnable this time: what calc_weight_factor boosts. */
export interface WakeKind {
  isWakeup: boolean;
  /** This wakeup is SCX_WAKE_SYNC; or came from a timer interrupt (upstream LAVD_FLAG_WOKEN_BY_HARDIRQ). */
  syncWakeup: boolean;
  wokenByHardirq: boolean;
}

interface TaskCtx extends WakeKind {
  waitFreq: number;
  lastQuiescentAt: number;
  /** How often it wakes others (per s, EWMA), and when it last did. */
  wakeFreq: number;
  lastRunnableAt: number;
  /** Criticality handed over by its last waker and its wakees since the last calculation. */
  latCriWaker: number;
  latCriWakee: number;
  /** Average run between wakeups in wall time (slices, stop estimates) and in invariant time (criticality). */
  avgRuntime: number;
  avgRuntimeInvr: number;
  /** Run time since the last wakeup, wall and invariant. */
  accRuntime: number;
  accRuntimeInvr: number;
  /** Weighted service time. */
  svcTime: number;
  lastRunAt: number;
  /** The task's total CPU time (sum_exec_runtime) when its run time was last measured. */
  lastMeasuredExec: number;
  latCri: number;
  sliceWall: number;
  idlePicked: boolean;
  greedy: boolean;
  /** Utilisation estimate and queued-load bookkeeping for balancing. */
  load: TaskLoad;
}

export class LavdScheduler implements SchedExtOps {
  readonly name = "lavd";
  readonly timeout_ms = 30_000;
  /** main.rs lavd_ops flags (ENQ_MIGRATION_DISABLED aside: scxlab has no migration-disabled tasks). */
  readonly flags = SCX_OPS_ENQ_EXITING | SCX_OPS_ENQ_LAST | SCX_OPS_KEEP_BUILTIN_IDLE;
  private readonly o: OptionValues<typeof options>;
  private readonly sliceMin: number;
  private readonly sliceMax: number;
  private readonly nrCpus: number;
  private readonly nrLlcs: number;
  private readonly smt: boolean;
  /** upstream cur_logical_clk, which starts at one compete window. */
  logicalClock = DL_COMPETE_WINDOW;
  sysSlice: number;
  /** Smoothed count of queued tasks (sys_stat.nr_queued_task) and machine utilisation. */
  nrQueued = 0;
  avgUtil = 0;
  /**
   * Service time (invariant run time / weight, upstream's iwgt): the average per scheduling over
   * recent stat intervals (sys_stat.avg_svc_time_iwgt), this interval's sum, and the largest any
   * task had when it last stopped (cur_svc_time_iwgt).
   */
  avgSvc = 0;
  private periodSvc = 0;
  private curSvc = 0;
  avgLatCri = 0;
  maxLatCri = 0;
  thrLatCri = 0;
  private periodSumLatCri = 0;
  private periodNrSched = 0;
  private periodMaxLatCri = 0;
  private timer = -1;
  /** Reused by find_victim_cpu: the queued task's domain ∩ its CPUs. */
  private readonly victimMask: Uint8Array;
  /** CPUs of each LLC, and the LLCs sorted nearest-first from each LLC. */
  private readonly llcMasks: Uint8Array[] = [];
  /** Per CPU: running task's lat_cri, estimated stop (∞ when idle), slice-boost flag, run start, utilisation. */
  private readonly cpuLatCri: Float64Array;
  private readonly cpuStopAt: Float64Array;
  private readonly cpuBoosted: Uint8Array;
  private readonly cpuRunningAt: Float64Array;
  /** Per CPU: when its last task started running, kept while it idles (upstream cpu_ctx.running_clk, 0 at first). */
  private readonly cpuRunningClk: Float64Array;
  readonly cpuUtil: Float64Array;
  /** Per CPU: frequency-invariant utilisation, smoothed (cpu_ctx avg_util_invr). */
  private readonly cpuUtilInvr: Float64Array;
  /** Per CPU: utilisation over the last stat interval (cur_util), and the performance level last asked for. */
  private readonly cpuCurUtil: Float64Array;
  private readonly cpuPerf: Float64Array;
  private lastStat = 0;
  private picked = asCpu(-1);
  private pickedIdle = false;
  private readonly tctx;
  /** Power mode, core compaction and the active/overflow CPU sets. */
  readonly power: LavdPower;
  /** Cross-domain migration planning and stealing (lavd_balance.ts). */
  readonly balance: LavdBalance;
  /** Pinned tasks per CPU and the pinned-slice mode. */
  readonly pinned: LavdPinned;
  /** Each CPU's latency headroom and the turbulence tiers. */
  readonly turb: LavdTurbulence;
  /** Reused by pickIdle: the steady and turbulent CPUs of the sets in use. */
  private readonly steadySet: Uint8Array;
  private readonly turbSet: Uint8Array;
  /** The current idle search's two sets in order (upstream's a_mask and o_mask). */
  private aSet: Uint8Array;
  private oSet: Uint8Array;
  /** Machine-wide frequency-invariant utilisation, smoothed (sys_stat.avg_util_invr). */
  avgUtilInvr = 0;
  /** Reused by consumeOwn: the DSQs it may take from and their heads' deadlines. */
  private readonly consumeDsqs: DsqId[] = [];
  private readonly consumeHeads: number[] = [];
  /** Reused by dispatch's scan of a domain DSQ. */
  private readonly scan: ScxTask[] = [];
  /** The CPUs claimIn lets the kernel's idle picker choose from. */
  private readonly pickMask: Uint8Array;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.sliceMin = o.slice_min_us * 1000;
    this.sliceMax = Math.max(o.slice_max_us, o.slice_min_us) * 1000;
    this.sysSlice = this.sliceMax;
    this.nrCpus = scx.nrCpus();
    this.nrLlcs = scx.nrLlcs();
    this.smt = hasSmt(scx);
    this.cpuLatCri = new Float64Array(this.nrCpus);
    this.pickMask = new Uint8Array(this.nrCpus);
    this.victimMask = new Uint8Array(this.nrCpus);
    this.cpuStopAt = new Float64Array(this.nrCpus).fill(Infinity);
    this.cpuBoosted = new Uint8Array(this.nrCpus);
    this.cpuRunningAt = new Float64Array(this.nrCpus).fill(-1);
    this.cpuRunningClk = new Float64Array(this.nrCpus);
    this.cpuUtil = new Float64Array(this.nrCpus);
    this.cpuUtilInvr = new Float64Array(this.nrCpus);
    this.cpuCurUtil = new Float64Array(this.nrCpus);
    this.cpuPerf = new Float64Array(this.nrCpus).fill(-1);
    this.power = new LavdPower(scx, o, this.smt);
    this.balance = new LavdBalance(scx, o, (d) => this.llcDsq(d), (p) => this.tctx.get(p).load.utilEst);
    this.pinned = new LavdPinned(scx, o.pinned_slice_us, o.slice_min_us, o.slice_max_us);
    this.turb = new LavdTurbulence(scx, o.lat_load_target_pct, (p) => this.tctx.get(p).load.utilEst);
    this.steadySet = new Uint8Array(this.nrCpus);
    this.turbSet = new Uint8Array(this.nrCpus);
    this.aSet = this.power.active;
    this.oSet = this.power.ovrflw;
    this.tctx = scx.taskStorage<TaskCtx>(() => ({
      waitFreq: 0, lastQuiescentAt: this.scx.now(), wakeFreq: 0, lastRunnableAt: this.scx.now(), latCriWaker: 0, latCriWakee: 0,
      syncWakeup: false, wokenByHardirq: false, avgRuntime: this.sysSlice, avgRuntimeInvr: this.sysSlice, accRuntime: 0, accRuntimeInvr: 0, svcTime: this.avgSvc,
      lastRunAt: 0, lastMeasuredExec: 0, latCri: 1, sliceWall: 0, isWakeup: false, idlePicked: false, greedy: false,
      load: newTaskLoad(),
    }));
  }

  private llcDsq(llc: number): DsqId {
    return asDsq(llc);
  }

  /** upstream cpdom_to_turb_dsq: each domain's DSQ for tasks below its preemption-vulnerability threshold. */
  private turbDsq(llc: number): DsqId {
    return asDsq(this.nrLlcs + this.nrCpus + llc);
  }

  /** upstream cpu_to_dsq: one DSQ per core, named by its first CPU (get_primary_cpu). */
  private pcpuDsq(cpu: CpuId): DsqId {
    const sib = this.scx.cpuSibling(cpu);
    return asDsq(this.nrLlcs + (sib >= 0 && sib < cpu ? sib : cpu));
  }

  /** The core's first CPU, whose number its per-core DSQ has (get_primary_cpu). */
  private isPrimary(cpu: CpuId): boolean {
    return this.pcpuDsq(cpu) === this.nrLlcs + cpu;
  }

  /** upstream calc_weight_factor: weight × (1 + boosts) + 1; the interrupt boost is used up here. */
  weightFactor(p: ScxTask, t: WakeKind): number {
    let boost = 1;
    if (t.isWakeup) boost += BOOST_REGULAR;
    if (t.syncWakeup) boost += BOOST_REGULAR;
    if (t.wokenByHardirq) { t.wokenByHardirq = false; boost += BOOST_HIGHEST; }
    if (p.nrCpusAllowed < this.nrCpus) boost += BOOST_REGULAR;
    if (p.nrCpusAllowed === 1) boost += BOOST_MEDIUM;
    return p.weight * boost + 1;
  }

  /** upstream calc_lat_cri, with what its waker and wakees handed over since the last time. */
  latCri(p: ScxTask, t: TaskCtx): number {
    const waitFt = Math.min(t.waitFreq, LC_FREQ_MAX) + 1;
    const wakeFt = Math.min(t.wakeFreq, LC_FREQ_MAX) + 1;
    const runtimeFt = t.avgRuntimeInvr < NS_PER_S ? Math.floor((NS_PER_S - t.avgRuntimeInvr) / SLICE_MIN_DFL) + 1 : 1;
    const x = log2u64(waitFt * wakeFt) + log2u64(runtimeFt * this.weightFactor(p, t));
    let latCri = x * x;
    const giver = t.latCriWaker + t.latCriWakee;
    if (giver > 2 * latCri) latCri += Math.min(Math.floor((giver - 2 * latCri) / 2 ** INH_GIVER_SHIFT), Math.floor(latCri / 2 ** INH_RECEIVER_SHIFT));
    t.latCriWaker = 0;
    t.latCriWakee = 0;
    return latCri;
  }

  /**
   * upstream calc_greedy_penalty, ×1024: the task's total service time against the recent average
   * service per scheduling; a task above it is greedy (and may not preempt). The lag is bounded by
   * 500 ms scaled by weight, in the service time's own units (so it rarely binds).
   */
  private greedyPenalty(p: ScxTask, t: TaskCtx): number {
    const lagMax = Math.floor((LAG_MAX_NS * 100) / p.weight), avg = this.avgSvc;
    let lag = avg - t.svcTime;
    t.greedy = lag < 0;
    if (lag > lagMax) {
      t.svcTime = avg - lagMax;
      lag = lagMax;
    } else if (lag < -lagMax) lag = -lagMax;
    return SCALE + Math.floor(Math.floor(((lagMax - lag) * SCALE) / lagMax) / 2);
  }

  /** upstream calc_compete_window: shrinks with the oversubscription ratio. */
  competeWindow(): number {
    const active = Math.max(this.power.nrActive, 1);
    return this.nrQueued > active ? Math.floor((DL_COMPETE_WINDOW * active) / this.nrQueued) : DL_COMPETE_WINDOW;
  }

  /** upstream calc_when_to_run. */
  private whenToRun(p: ScxTask, t: TaskCtx): number {
    t.latCri = this.latCri(p, t);
    this.turb.setLatCri(p, t.latCri, this.maxLatCri);
    const runtime = ACC_RUNTIME_MAX + Math.min(t.accRuntimeInvr, ACC_RUNTIME_MAX);
    const delta = Math.floor((runtime * this.greedyPenalty(p, t)) / t.latCri / SCALE);
    return this.logicalClock - this.competeWindow() + delta;
  }

  /** upstream advance_cur_logical_clk: toward the deadline by 1/nr_queued of the gap. */
  advanceClock(deadline: number): void {
    if (deadline <= this.logicalClock) return;
    this.logicalClock += Math.floor((deadline - this.logicalClock) / Math.max(this.nrQueued, 1));
  }

  private canBoostSlice(): boolean {
    return this.avgUtil <= SLICE_BOOST_UTIL && this.nrQueued <= this.power.nrActive;
  }

  /** upstream calc_time_slice: the system slice, or a boosted one for long runners. */
  timeSlice(t: TaskCtx, cpu: CpuId): number {
    let s = this.pinned.slice(cpu, this.sysSlice) ?? this.sysSlice, boosted = false;
    if (!this.o.no_slice_boost && this.pinned.waiting(cpu) === 0 && t.avgRuntime >= this.sysSlice) {
      if (this.canBoostSlice()) {
        s = Math.min(Math.max(t.avgRuntime + SLICE_MIN_DFL, this.sliceMin), SLICE_BOOST_MAX);
        boosted = true;
      } else if (t.latCri > this.avgLatCri) {
        const b = Math.floor((this.sysSlice * t.latCri) / (this.avgLatCri + 1));
        s = Math.min(Math.max(this.sysSlice + b, this.sliceMin), Math.min(t.avgRuntime, this.sysSlice * 2));
        boosted = true;
      }
    }
    this.cpuBoosted[cpu] = boosted ? 1 : 0;
    t.sliceWall = s;
    return s;
  }

  /** A CPU may take a task straight on its local DSQ (upstream can_direct_dispatch). */
  private canDirect(cpu: CpuId, idle: boolean): boolean {
    return (idle && !this.queuedOn(cpu)) || (this.o.lb_local_dsq_util_pct > 0 && Math.round(this.cpuUtil[cpu] * SCALE) < Math.floor((this.o.lb_local_dsq_util_pct * SCALE) / 100));
  }

  /**
   * upstream pick_idle_cpu_at_cpdom: the kernel's idle picker (scx_bpf_pick_idle_cpu, a whole idle
   * core with SCX_PICK_IDLE_CORE if `core`) over the LLC ∩ `set` (active or overflow) ∩ the
   * task's CPUs; the CPU it claimed, or -1.
   */
  private claimIn(p: ScxTask, llc: number, core: boolean, set: Uint8Array): CpuId {
    const m = this.llcMasks[llc], mask = this.pickMask;
    for (let c = asCpu(0); c < this.nrCpus; c++) mask[c] = m[c] === 1 && set[c] === 1 && this.scx.cpuAllowed(p, c) ? 1 : 0;
    const c = this.scx.pickIdleCpu(mask, core ? SCX_PICK_IDLE_CORE : 0);
    return c >= 0 ? c : asCpu(-1);
  }

  /**
   * upstream pick_idle_cpu, into `picked` / `pickedIdle`: prev (its whole core first), else an
   * idle CPU of prev's domain in the active set, then in the overflow set. An affinitized task
   * whose prev is in neither set has no sticky CPU; one that fits neither set grows the overflow
   * set in preference order (find_cpu_in). A pinned task stays on its CPU, claiming it if idle.
   */
  private pickIdle(p: ScxTask, prev: CpuId, wakeFlags = 0): void {
    const scx = this.scx, pw = this.power;
    this.pickedIdle = false;
    let sticky = prev;
    if (!scx.cpuAllowed(p, sticky)) for (sticky = asCpu(0); sticky < this.nrCpus - 1 && !scx.cpuAllowed(p, sticky); sticky++);
    this.picked = sticky;
    if (p.nrCpusAllowed === 1) {
      if (pw.active[sticky] === 0) pw.ovrflw[sticky] = 1;
      this.pickedIdle = scx.testAndClearCpuIdle(sticky);
      return;
    }
    const compacted = !pw.useFullCpus(), affinitized = p.nrCpusAllowed < this.nrCpus;
    if (compacted && affinitized && !pw.canRunSomewhere(p)) {
      const c = pw.findCpuIn(p);
      if (c >= 0) { pw.ovrflw[c] = 1; this.picked = c; this.pickedIdle = scx.testAndClearCpuIdle(c); }
      return;
    }
    // A task vulnerable to preemption looks among the steady CPUs first (repartition_masks_for_latency).
    this.aSet = pw.active; this.oSet = pw.ovrflw;
    if (this.turb.vulnerable(p, scx.cpuLlc(this.smpProcessorId(prev)))) {
      for (let c = 0; c < this.nrCpus; c++) {
        const inUse = pw.active[c] === 1 || pw.ovrflw[c] === 1;
        this.steadySet[c] = inUse && this.turb.steady[c] === 1 ? 1 : 0;
        this.turbSet[c] = inUse && this.turb.steady[c] === 0 ? 1 : 0;
      }
      this.aSet = this.steadySet; this.oSet = this.turbSet;
    }
    const usable = (c: CpuId) => scx.cpuAllowed(p, c) && (!compacted || !affinitized || pw.inUse(c));
    // find_sticky_cpu_and_cpdom: prev, or for a synchronous wakeup the waker's CPU when prev is
    // unusable or the waker's domain carries less load (then the domain, not the CPU).
    const waker = (wakeFlags & SCX_WAKE_SYNC) !== 0 && scx.currentCpu() !== prev ? scx.currentCpu() : asCpu(-1);
    let stick = usable(sticky), wakerDom = false;
    if (waker >= 0 && usable(waker)) {
      if (!stick) { sticky = waker; stick = true; this.picked = waker; }
      else if (this.balance.load[scx.cpuLlc(sticky)] > this.balance.load[scx.cpuLlc(waker)]) { wakerDom = true; stick = false; }
    }
    const dom = scx.cpuLlc(wakerDom ? waker : sticky);
    if (!stick && !wakerDom) this.picked = this.inUseCpu(p, dom, this.aSet, this.oSet);
    let anyIdle = false;
    for (let c = asCpu(0); c < this.nrCpus && !anyIdle; c++) anyIdle = scx.cpuAllowed(p, c) && scx.isCpuIdle(c);
    if (!anyIdle) { if (wakerDom) this.picked = this.distributeIn(p, dom); return; }
    // Upstream asks the kernel's picker only while the machine-wide masks it tests are non-empty;
    // every ask moves the kernel's search cursor, so the asks must be the same ones.
    const idleCore = this.smt && this.anyIdleIn(p, null, true);
    if (idleCore && stick && coreIdle(scx, sticky) && scx.testAndClearCpuIdle(sticky)) { this.take(sticky); return; }
    if (idleCore && this.take(this.claimAtDom(p, dom, true))) return;
    if (stick && scx.testAndClearCpuIdle(sticky)) { this.take(sticky); return; }
    // is_sync_waker_idle: the waker's CPU, busy only with this wakeup, when nothing waits for it.
    if (waker >= 0 && usable(waker) && !this.queuedOn(waker) && (this.nrLlcs === 1 || scx.cpuLlc(prev) === scx.cpuLlc(waker))) { this.picked = waker; return; }
    if (!this.anyIdleIn(p, this.aSet, false) && !this.anyIdleIn(p, this.oSet, false)) { if (wakerDom) this.picked = this.distributeIn(p, dom); return; }
    // An overloaded domain hands the task to a wholly idle core of an underloaded neighbour.
    if (idleCore && this.take(this.balance.migrateToNeighbor(dom, (d) => this.claimAtDom(p, d, true, false)))) return;
    // Nothing idle in the waker's domain: back to prev, for its cache.
    if (!this.take(this.claimAtDom(p, dom, false)) && wakerDom) this.picked = prev;
  }

  /**
   * find_sticky_cpu_at_cpdom without a sticky CPU: bpf_cpumask_any_and_distribute over the
   * domain's CPUs p may use in the active set, else in the overflow set.
   */
  private distributeIn(p: ScxTask, dom: number): CpuId {
    const m = this.llcMasks[dom], mask = this.pickMask;
    for (const set of [this.aSet, this.oSet]) {
      let any = false;
      for (let c = asCpu(0); c < this.nrCpus; c++) {
        mask[c] = m[c] === 1 && set[c] === 1 && this.scx.cpuAllowed(p, c) ? 1 : 0;
        any ||= mask[c] === 1;
      }
      if (any) return this.scx.cpumaskAnyDistribute(mask);
    }
    return this.picked;
  }

  /** upstream queued_on_cpu: a task waits on the CPU's local DSQ, its per-CPU DSQ or one of its domain's two DSQs. */
  private queuedOn(cpu: CpuId): boolean {
    const scx = this.scx;
    const llc = scx.cpuLlc(cpu);
    return scx.nrQueuedLocal(cpu) > 0 || scx.dsqNrQueued(this.pcpuDsq(cpu)) > 0 || scx.dsqNrQueued(this.llcDsq(llc)) > 0 || scx.dsqNrQueued(this.turbDsq(llc)) > 0;
  }

  /**
   * upstream pick_idle_cpu_at_cpdom: an idle CPU (a whole idle core if `core`) of `dom` in the
   * active set (the steady CPUs for a task vulnerable to preemption), asked for while some CPU of
   * the machine in that set is idle (a whole core idle if `core`, unless `coreMasks` is false: the
   * search has moved on to plain idle masks) and the domain has active CPUs; then likewise in the
   * overflow set (the turbulent CPUs).
   */
  private claimAtDom(p: ScxTask, dom: number, core: boolean, coreMasks = core): CpuId {
    let c = asCpu(-1);
    if (this.balance.domActive(dom) && this.anyIdleIn(p, this.aSet, coreMasks)) c = this.claimIn(p, dom, core, this.aSet);
    if (c < 0 && this.anyIdleIn(p, this.oSet, coreMasks)) c = this.claimIn(p, dom, core, this.oSet);
    return c;
  }

  /**
   * Whether some CPU of `set` (every CPU if null) that p may use is idle, its whole core if
   * `core`: upstream's ia/io masks (idle or idle-SMT mask ∩ the task's active or overflow CPUs).
   */
  private anyIdleIn(p: ScxTask, set: Uint8Array | null, core: boolean): boolean {
    const scx = this.scx;
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      if ((set === null || set[c] === 1) && scx.cpuAllowed(p, c) && (core ? coreIdle(scx, c) : scx.isCpuIdle(c))) return true;
    }
    return false;
  }

  /** find_sticky_cpu_at_cpdom, else pick_random_cpu: a CPU p may use in the first set (of `dom` first), then in the second. */
  private inUseCpu(p: ScxTask, dom: number, first: Uint8Array, second: Uint8Array): CpuId {
    for (const set of [first, second]) {
      for (let pass = 0; pass < 2; pass++) {
        for (let c = asCpu(0); c < this.nrCpus; c++) {
          if (set[c] === 1 && this.scx.cpuAllowed(p, c) && (pass === 1 || this.llcMasks[dom][c] === 1)) return c;
        }
      }
    }
    return this.picked;
  }

  /**
   * bpf_get_smp_processor_id in a callback scxlab runs for `cbCpu`: the waker's or the
   * interrupt's CPU in a wakeup's callbacks, else the callback's own CPU.
   */
  private smpProcessorId(cbCpu: CpuId): CpuId {
    const scx = this.scx;
    return scx.currentTask() === null && !scx.inHardirq() ? cbCpu : scx.currentCpu();
  }

  /** Records a claimed idle CPU as the pick; false for -1. */
  private take(cpu: CpuId): boolean {
    if (cpu < 0) return false;
    this.picked = cpu;
    this.pickedIdle = true;
    return true;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    this.turb.touch(prevCpu);
    const t = this.tctx.get(p);
    t.syncWakeup = (wakeFlags & SCX_WAKE_SYNC) !== 0;
    if (this.scx.inHardirq()) t.wokenByHardirq = true;
    this.pickIdle(p, prevCpu, wakeFlags);
    t.idlePicked = this.pickedIdle;
    if (this.pickedIdle && this.canDirect(this.picked, true)) {
      p.dsqVtime = this.whenToRun(p, t);
      this.balance.account(t.load, this.scx.cpuLlc(this.picked));
      this.scx.stat("direct");
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, SLICE_MAX_DFL, 0);
    }
    return this.picked;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), taskCpu = scx.taskCpu(p);
    this.turb.touch(taskCpu);
    t.isWakeup = (enqFlags & SCX_ENQ_WAKEUP) !== 0;
    p.dsqVtime = this.whenToRun(p, t);
    let cpu = taskCpu, idle: boolean;
    if ((enqFlags & SCX_ENQ_CPU_SELECTED) === 0) {
      this.pickIdle(p, taskCpu);
      cpu = this.picked;
      idle = this.pickedIdle;
    } else {
      idle = t.idlePicked;
      t.idlePicked = false;
    }
    const dom = scx.cpuLlc(cpu);
    this.pinned.enqueued(p, cpu);
    if (this.canDirect(cpu, idle)) {
      scx.stat("local");
      scx.dsqInsert(p, localOn(cpu), SLICE_MIN_DFL, enqFlags);
    } else {
      const own = this.pinned.onCpuDsq(p);
      scx.stat(own ? "pinned" : "domain");
      const target = own ? this.pcpuDsq(cpu) : this.turb.vulnerable(p, dom) ? this.llcDsq(dom) : this.turbDsq(dom);
      scx.dsqInsertVtime(p, target, SLICE_MIN_DFL, p.dsqVtime, enqFlags);
    }
    this.balance.account(t.load, dom);
    if (idle) { scx.kickCpu(cpu, SCX_KICK_IDLE); return; }
    if (!this.o.no_preemption) this.tryPreempt(p, t, cpu, dom);
  }

  /** upstream can_x_kick_y: more critical and stops sooner. */
  private canKick(lat: number, stop: number, cpu: number): boolean {
    return lat > this.cpuLatCri[cpu] && stop < this.cpuStopAt[cpu];
  }

  /** upstream try_find_and_kick_victim_cpu and find_victim_cpu. */
  private tryPreempt(p: ScxTask, t: TaskCtx, preferred: CpuId, dom: number): void {
    const scx = this.scx, now = scx.now();
    const stop = now + Math.min(t.avgRuntime, t.sliceWall);
    if (t.greedy || t.latCri < this.thrLatCri) return;
    if (!this.o.no_slice_boost && this.cpuBoosted[preferred] && this.cpuRunningAt[preferred] >= 0) {
      const ran = now - this.cpuRunningAt[preferred];
      if (ran >= this.sysSlice && this.canKick(t.latCri, stop, preferred)) { this.cpuBoosted[preferred] = 0; this.kick(preferred); return; }
      if (p.nrCpusAllowed < this.nrCpus) {
        // An affinitized task cannot go elsewhere: cut the boosted run back to one regular slice.
        this.cpuBoosted[preferred] = 0;
        this.scx.stat("preempt");
        this.askYieldAfter(preferred, this.sysSlice - ran);
        return;
      }
    }
    let first = this.canKick(t.latCri, stop, preferred) ? preferred : asCpu(-1), second = asCpu(-1);
    // As upstream: as many bpf_cpumask_any_distribute draws over the domain ∩ p's CPUs as it has
    // CPUs, each moving the running CPU's cursor whether or not the CPU drawn qualifies.
    const m = this.llcMasks[dom], mask = this.victimMask;
    let nr = 0;
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      mask[c] = m[c] === 1 && scx.cpuAllowed(p, c) ? 1 : 0;
      nr += mask[c];
    }
    for (let i = 0; i < nr && second < 0; i++) {
      const c = scx.cpumaskAnyDistribute(mask);
      if (c === preferred || !this.canKick(t.latCri, stop, c)) continue;
      if (first < 0) first = c;
      else second = c;
    }
    if (first < 0) return;
    // As upstream: of two candidates, the first if it could itself kick the second.
    this.kick(second >= 0 && !this.canKick(this.cpuLatCri[first], this.cpuStopAt[first], second) ? second : first);
  }

  /**
   * upstream ask_cpu_yield_after with no slice left: the victim's running task gets a 1 ns slice,
   * so it leaves at its CPU's next tick (or sooner, if it stops by itself); no IPI. Counted as
   * upstream's nr_preempt whether or not the victim was still there to ask.
   */
  private kick(victim: CpuId): void {
    this.scx.stat("preempt");
    this.askYieldAfter(victim, 1);
  }

  /**
   * upstream ask_cpu_yield_after: the task running on `victim` keeps at most `slice` ns of its
   * slice. At 1 ns or less this is the last word: the CPU is marked asked (est_stopping_clk 0) and
   * is not asked again until its next task runs. An idle CPU has nothing to ask.
   */
  private askYieldAfter(victim: CpuId, slice: number): void {
    const p = this.scx.cpuCurr(victim);
    if (p === null || this.cpuStopAt[victim] === 0) return;
    if (slice <= 1) {
      this.cpuStopAt[victim] = 0;
      p.slice = 1;
    } else if (p.slice > slice) p.slice = slice;
  }

  /**
   * upstream shrink_boosted_slice_remote, which the stat timer runs on each CPU while pinned tasks
   * wait on it, slices may not be boosted or the CPU's local DSQ holds a task: whatever runs there
   * (boosted or not) keeps only what is left of one system slice (the pinned slice while pinned
   * tasks wait) since it started, and one already past it is preempted at once with an IPI. An idle CPU is measured from its last task's start, so it is usually
   * kicked too (it wakes up to dispatch and finds nothing).
   */
  private shrinkSlice(cpu: CpuId, now: number): void {
    this.cpuBoosted[cpu] = 0;
    const ran = Math.max(now - this.cpuRunningClk[cpu], 0), target = this.pinned.timerSlice(cpu, this.sysSlice);
    if (target > ran) this.askYieldAfter(cpu, target - ran);
    else this.scx.kickCpu(cpu, SCX_KICK_PREEMPT);
    // Upstream counts these in nr_preempt too; kept apart here from the victim search's.
    this.scx.stat("slice_shrink");
  }

  dispatch(cpu: CpuId, prev: ScxTask | null): void {
    const scx = this.scx, llc = scx.cpuLlc(cpu);
    this.turb.touch(cpu);
    if (!this.power.useFullCpus() && !this.power.inUse(cpu) && !this.mustServe(cpu, llc, prev)) return;
    if (this.balance.trySteal(llc)) { scx.stat("steal_planned"); return; }
    if (this.consumeOwn(cpu, llc)) return;
    if (this.balance.forceSteal(llc)) { scx.stat("steal"); return; }
    // upstream consume_prev: a still runnable prev keeps the CPU; account its run so far and give it a fresh slice.
    if (prev === null || !prev.queued) return;
    const t = this.tctx.get(prev);
    this.accountRuntime(prev, t);
    this.updateAvgRuntime(t);
    prev.slice = this.timeSlice(t, cpu);
  }

  /**
   * upstream consume_task's own-domain part: of the CPU's per-core DSQ (while pinned tasks use
   * them), its domain's main DSQ (if the CPU sees it: turbulence tiers) and the domain's second
   * DSQ, the one whose head has the earliest deadline first (ties in that order), then the others.
   */
  private consumeOwn(cpu: CpuId, llc: number): boolean {
    const scx = this.scx, dsqs = this.consumeDsqs, heads = this.consumeHeads;
    const main = this.llcDsq(llc), turb = this.turbDsq(llc);
    let n = 0;
    if (this.pinned.perCpuDsqs) dsqs[n++] = this.pcpuDsq(cpu);
    if (this.turb.seesMain(cpu, llc, scx.dsqNrQueued(main), scx.dsqNrQueued(turb))) dsqs[n++] = main;
    dsqs[n++] = turb;
    for (let i = 0; i < n; i++) heads[i] = scx.dsqPeek(dsqs[i])?.dsqVtime ?? Infinity;
    // As upstream's sort_dsqs: a stable sort of at most three by head deadline.
    for (let i = 1; i < n; i++) {
      for (let j = i; j > 0 && heads[j] < heads[j - 1]; j--) {
        [heads[j], heads[j - 1]] = [heads[j - 1], heads[j]];
        [dsqs[j], dsqs[j - 1]] = [dsqs[j - 1], dsqs[j]];
      }
    }
    for (let i = 0; i < n; i++) if (scx.dsqMoveToLocal(dsqs[i])) return true;
    return false;
  }

  /**
   * upstream lavd_dispatch for a CPU in neither set: it stays idle unless something only it can
   * run waits (a pinned task, a prev pinned or allowed nowhere in the sets, a queued task of its
   * domain that no CPU in the sets may run), and then joins the overflow set.
   */
  private mustServe(cpu: CpuId, llc: number, prev: ScxTask | null): boolean {
    const scx = this.scx, pw = this.power;
    let serve = (this.pinned.perCpuDsqs && scx.dsqNrQueued(this.pcpuDsq(cpu)) > 0)
      || (prev !== null && (prev.nrCpusAllowed === 1 || (prev.nrCpusAllowed < this.nrCpus && scx.cpuAllowed(prev, cpu) && !pw.canRunSomewhere(prev))));
    if (!serve) {
      scx.dsqTasks(this.llcDsq(llc), this.scan);
      for (const q of this.scan) {
        // A pinned task (queued here with the pinned-slice mode off) claims its own CPU, in the sets or not.
        const c = q.nrCpusAllowed === 1 ? scx.taskCpu(q) : q.nrCpusAllowed === this.nrCpus || pw.canRunSomewhere(q) ? asCpu(-1) : pw.findCpuIn(q);
        if (c < 0) continue;
        if (c === cpu) { serve = true; break; }
        if (c >= 0 && pw.ovrflw[c] === 0) { pw.ovrflw[c] = 1; scx.kickCpu(c, SCX_KICK_IDLE); }
      }
      this.scan.length = 0;
    }
    if (serve) pw.ovrflw[cpu] = 1;
    return serve;
  }

  /**
   * upstream account_task_runtime: CPU time since the last measurement. The run time that feeds
   * avg_runtime is bounded by the growth of the task's sum_exec_runtime since the last
   * measurement, and a measurement taken when that was 0 (a new task's first run, up to its first
   * tick or stop) counts as unset, so that stretch adds no wall run time. The invariant run time
   * (from the PELT clock: wall time × capacity × performance level) and the service time derived
   * from it have no such bound.
   */
  private accountRuntime(p: ScxTask, t: TaskCtx): void {
    const now = this.scx.now(), used = now - t.lastRunAt, exec = p.sumExecNs;
    const invr = Math.floor(used * this.speed(this.scx.taskCpu(p))), svc = Math.floor(invr / p.weight);
    this.turb.account(p, this.scx.taskCpu(p));
    t.accRuntime += t.lastMeasuredExec === 0 ? 0 : Math.min(used, Math.max(exec - t.lastMeasuredExec, 0));
    t.accRuntimeInvr += invr;
    t.lastMeasuredExec = exec;
    t.svcTime += svc;
    this.periodSvc += svc;
    t.lastRunAt = now;
  }

  /** upstream update_stat_for_stopping/refill: the averages take in the run since the last wakeup. */
  private updateAvgRuntime(t: TaskCtx): void {
    t.avgRuntime = calcAvg(t.avgRuntime, t.accRuntime);
    t.avgRuntimeInvr = calcAvg(t.avgRuntimeInvr, t.accRuntimeInvr);
  }

  /**
   * upstream lavd_runnable: a task woken by another (the current task) measures the waker's wake
   * frequency, inherits the waker's criticality and hands its own back to the waker.
   */
  runnable(p: ScxTask, enqFlags: number): void {
    const t = this.tctx.get(p);
    this.turb.touch(p.cpu);
    t.accRuntime = 0;
    t.accRuntimeInvr = 0;
    if ((enqFlags & SCX_ENQ_WAKEUP) === 0 || (enqFlags & (SCX_ENQ_PREEMPT | SCX_ENQ_REENQ | SCX_ENQ_LAST)) !== 0) return;
    // A timer's wakeup: `current` is whatever the interrupt found running, no waker.
    if (this.scx.inHardirq()) return;
    const waker = this.scx.currentTask();
    if (waker === null) return;
    const w = this.tctx.get(waker), now = this.scx.now(), interval = now - w.lastRunnableAt;
    if (interval >= WAKE_INTERVAL_MIN) {
      w.wakeFreq = calcAvg(w.wakeFreq, Math.floor(NS_PER_S / interval));
      w.lastRunnableAt = now;
    }
    t.latCriWaker = w.latCri;
    if (w.latCriWakee < t.latCri) w.latCriWakee = t.latCri;
  }

  running(p: ScxTask): void {
    const scx = this.scx, t = this.tctx.get(p), now = scx.now(), cpu = scx.taskCpu(p);
    this.turb.touch(cpu);
    // Upstream reads the task's clocks only on its own CPU (bpf_get_smp_processor_id), else later.
    this.turb.running(p, cpu, this.smpProcessorId(cpu) === cpu);
    // A task the kernel refilled with the default slice gets the current clock as deadline.
    if (p.slice === SCX_SLICE_DFL) p.dsqVtime = this.logicalClock;
    p.slice = this.timeSlice(t, cpu);
    this.advanceClock(p.dsqVtime);
    t.isWakeup = false;
    t.syncWakeup = false;
    t.lastRunAt = now;
    t.lastMeasuredExec = p.sumExecNs;
    this.balance.running(t.load, now);
    this.cpuRunningAt[cpu] = now;
    this.cpuRunningClk[cpu] = now;
    this.cpuLatCri[cpu] = t.latCri;
    this.cpuStopAt[cpu] = now + Math.min(t.avgRuntime, t.sliceWall);
    this.periodSumLatCri += t.latCri;
    this.periodNrSched++;
    if (t.latCri > this.periodMaxLatCri) this.periodMaxLatCri = t.latCri;
    this.updateCpuperf(cpu);
  }

  /** The CPU's frequency follows its utilisation: the larger of average and recent, full from 85 % (update_cpuperf_target). */
  private updateCpuperf(cpu: CpuId): void {
    const util = Math.max(this.cpuUtil[cpu], this.cpuCurUtil[cpu]);
    const target = this.o.no_freq_scaling || util >= CPU_UTIL_MAX_FOR_CPUPERF ? SCALE : Math.floor(util * SCALE);
    if (this.cpuPerf[cpu] === target) return;
    this.scx.cpuperfSet(cpu, target);
    this.cpuPerf[cpu] = target;
  }

  /**
   * upstream lavd_tick: a running task's CPU time is accounted at every tick as well as when it
   * stops, so a long runner's service time (what the greedy penalty compares) stays current; on
   * a CPU with pinned tasks waiting, its slice is reset to what is left of one (pinned) slice
   * since it started (shrink_slice_at_tick). Having a tick also lets a 1 ns slice set by a
   * preempting task end the victim's run at the tick, as the kernel's task_tick_scx does.
   */
  tick(p: ScxTask): void {
    const cpu = this.scx.taskCpu(p);
    this.turb.touch(cpu);
    this.accountRuntime(p, this.tctx.get(p));
    if (this.pinned.waiting(cpu) === 0) return;
    p.slice = this.pinned.tickSlice(this.sysSlice, Math.max(this.scx.now() - this.cpuRunningClk[cpu], 0));
    this.cpuBoosted[cpu] = 0;
    this.scx.stat("slice_shrink");
  }

  stopping(p: ScxTask): void {
    const t = this.tctx.get(p), now = this.scx.now(), cpu = this.scx.taskCpu(p);
    this.turb.touch(cpu);
    this.accountRuntime(p, t);
    this.updateAvgRuntime(t);
    this.turb.stopping(cpu);
    if (this.curSvc < t.svcTime) this.curSvc = t.svcTime;
    this.cpuRunningAt[cpu] = -1;
    this.cpuLatCri[cpu] = 0;
    this.cpuStopAt[cpu] = Infinity;
    this.cpuBoosted[cpu] = 0;
  }

  quiescent(p: ScxTask, deqFlags: number): void {
    this.turb.touch(p.cpu);
    this.pinned.quiescent(p);
    if ((deqFlags & SCX_DEQ_SLEEP) === 0) return;
    const t = this.tctx.get(p), now = this.scx.now(), interval = now - t.lastQuiescentAt;
    this.balance.sleeping(t.load, now);
    if (interval <= 0) return;
    t.waitFreq = calcAvg(t.waitFreq, Math.floor(NS_PER_S / interval));
    t.lastQuiescentAt = now;
  }

  init_task(p: ScxTask): number {
    this.turb.touch(p.cpu);
    this.tctx.get(p);
    return 0;
  }

  /** upstream lavd_dequeue: a task leaving while queued (not the one running) gives back its queued load. */
  dequeue(p: ScxTask): void {
    this.turb.touch(p.cpu);
    if (this.scx.cpuCurr(this.scx.taskCpu(p)) !== p) this.balance.unaccount(this.tctx.get(p).load);
  }

  /** upstream lavd_exit_task: likewise for a task that leaves the scheduler while queued. */
  exit_task(p: ScxTask): void {
    this.turb.touch(p.cpu);
    if (this.scx.cpuCurr(this.scx.taskCpu(p)) !== p) this.balance.unaccount(this.tctx.get(p).load);
  }

  /** upstream lavd_enable: a task joining starts as served as the most served task that has stopped. */
  enable(p: ScxTask): void {
    this.turb.touch(p.cpu);
    this.tctx.get(p).svcTime = this.curSvc;
  }

  /** upstream lavd_update_idle: the CPU's idle time, for its utilisation and IRQ/steal share. */
  update_idle(cpu: CpuId, idle: boolean): void {
    this.turb.touch(cpu);
    this.turb.updateIdle(cpu, idle);
  }

  /** What a CPU runs at: its capacity × performance level, 1 for the fastest at full speed. */
  private speed(cpu: CpuId): number {
    return (this.scx.cpuperfCur(cpu) * this.scx.cpuperfCap(cpu)) / (SCALE * SCALE);
  }

  /** Something waits for this CPU alone: a pinned task or its local DSQ (do_core_compaction keeps it in use). */
  private readonly waitingOn = (cpu: CpuId): boolean =>
    this.pinned.waiting(cpu) > 0 || this.scx.nrQueuedLocal(cpu) > 0 || (this.pinned.perCpuDsqs && this.scx.dsqNrQueued(this.pcpuDsq(cpu)) > 0);

  /** Every 10 ms: utilisation, queue length, power mode and compaction, slice and the lat_cri threshold (upstream update_sys_stat). */
  private onStatTimer(): void {
    const scx = this.scx, now = scx.now(), span = Math.max(now - this.lastStat, 1);
    let queued = 0, busy = 0, invr = 0, spike = 0;
    // Judged on the last interval's figures, before they are brought up to date (collect_sys_stat).
    const noBoost = !this.canBoostSlice();
    for (let c = asCpu(0); c < this.nrCpus; c++) if (this.pinned.waiting(c) > 0 || noBoost || scx.nrQueuedLocal(c) > 0) this.shrinkSlice(c, now);
    this.turb.collect(now, span);
    for (let l = 0; l < this.nrLlcs; l++) queued += scx.dsqNrQueued(this.llcDsq(l)) + scx.dsqNrQueued(this.turbDsq(l));
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      queued += scx.nrQueuedLocal(c) + (this.pinned.perCpuDsqs && this.isPrimary(c) ? scx.dsqNrQueued(this.pcpuDsq(c)) : 0);
      const b = this.turb.computeWall[c], bi = this.turb.computeInvr[c];
      this.cpuCurUtil[c] = Math.min(b / span, 1);
      this.cpuUtil[c] = asymAvg(this.cpuUtil[c], this.cpuCurUtil[c]);
      this.cpuUtilInvr[c] = asymAvg(this.cpuUtilInvr[c], Math.min(bi, b) / span);
      this.balance.addCpu(c, Math.floor(this.cpuCurUtil[c] * SCALE), Math.round(this.cpuUtil[c] * SCALE), Math.round(this.cpuUtilInvr[c] * SCALE));
      busy += b;
      invr += Math.min(bi, b);
      if (this.cpuCurUtil[c] > CC_UTIL_SPIKE) spike += Math.min(bi, b);
    }
    this.lastStat = now;
    const total = span * this.nrCpus, wall = Math.min(busy / total, 1);
    this.avgUtil = asymAvg(this.avgUtil, wall);
    // A CPU almost always busy may have had more work than it showed: its time counts half again.
    let curInvr = invr / total;
    if (curInvr > wall) curInvr = Math.min(this.avgUtilInvr, wall);
    this.avgUtilInvr = asymAvg(this.avgUtilInvr, Math.min(curInvr + spike / 2 / total, 1));
    this.nrQueued = calcAvg(this.nrQueued, queued);
    this.power.update(this.avgUtilInvr, this.waitingOn);
    const target = this.nrQueued > 0
      ? Math.min(Math.max(Math.floor((TARGETED_LATENCY_NS * this.power.nrActive) / this.nrQueued), this.sliceMin), this.sliceMax)
      : this.sliceMax;
    this.sysSlice = calcAvg(this.sysSlice, target);
    if (this.periodNrSched > 0) {
      this.avgLatCri = calcAvg(this.avgLatCri, Math.floor(this.periodSumLatCri / this.periodNrSched));
      this.maxLatCri = calcAvg(this.maxLatCri, this.periodMaxLatCri);
    }
    this.thrLatCri = this.maxLatCri - Math.floor((this.maxLatCri - this.avgLatCri) / 2 ** this.o.preempt_shift);
    this.avgSvc = calcAvg(this.avgSvc, this.periodNrSched > 0 ? Math.floor(this.periodSvc / this.periodNrSched) : 0);
    this.periodSvc = 0;
    this.periodSumLatCri = this.periodNrSched = this.periodMaxLatCri = 0;
    if (this.nrLlcs > 1) this.balance.plan(this.power.active);
    scx.timerStart(this.timer, STAT_INTERVAL_NS);
  }

  init(): number {
    const scx = this.scx;
    for (let l = 0; l < this.nrLlcs; l++) {
      const m = new Uint8Array(this.nrCpus);
      for (let c = asCpu(0); c < this.nrCpus; c++) if (scx.cpuLlc(c) === l) m[c] = 1;
      this.llcMasks.push(m);
      const r = scx.createDsq(this.llcDsq(l), -1);
      if (r !== 0) return r;
    }
    for (let l = 0; l < this.nrLlcs; l++) {
      const r = scx.createDsq(this.turbDsq(l), scx.cpuNode(asCpu(this.llcMasks[l].indexOf(1))));
      if (r !== 0) return r;
    }
    this.turb.init();
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      if (!this.isPrimary(c)) continue;
      const r = scx.createDsq(this.pcpuDsq(c), scx.cpuNode(c));
      if (r !== 0) return r;
    }
    this.lastStat = scx.now();
    this.timer = scx.timerCreate(() => this.onStatTimer());
    scx.timerStart(this.timer, STAT_INTERVAL_NS);
    return 0;
  }

}
