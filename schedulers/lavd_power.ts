/**
 * lavd's power modes and core compaction — upstream scx_lavd power.bpf.c (do_autopilot,
 * do_set_power_profile, calc_nr_active_cpus, do_core_compaction, reinit_active_cpumask_for_
 * performance) and the mode options of main.rs, on a machine without an energy model (as
 * upstream runs with --no-use-em or when the kernel has none).
 *
 * Three modes. Performance uses every CPU. Balanced and powersave compact: each stat interval
 * the capacity the machine needs (CPUs × frequency-invariant utilisation, plus 25 % headroom) is
 * filled with CPUs taken in a preference order, each counted at half its capacity; those are
 * the active set. A CPU left out joins the overflow set while something waits for it (a pinned
 * task, its local DSQ) and otherwise leaves it (upstream keeps it 1 time in 25). Balanced walks
 * the performance order (one thread of every core first), powersave the powersave order (both
 * threads of a core, core after core). The autopilot (the default) picks powersave while the
 * need is under half a CPU, performance above 25 % of the machine's capacity with SMT (50 %
 * without), balanced in between. lavd's idle-CPU search and dispatch then keep work on the
 * active and overflow sets.
 * Simplified: a CPU's effective capacity is its full-speed capacity (no thermal or policy caps,
 * no observed maximum frequency); no big/little or turbo cores, so no performance-criticality
 * threshold; `--autopower` follows the OS power profile, and a simulated machine has none, so it
 * stays in balanced mode as upstream does when the profile is unknown; `--no-core-compaction`
 * alone keeps compaction off (upstream's loader sets balanced mode at start, which switches it
 * back on: we follow the option's documented meaning instead).
 */
import type { CpuId, Scx, ScxTask } from "../sim/ext/ops.js";
import { SCX_KICK_IDLE, asCpu } from "../sim/ext/consts.js";
import { OptionError } from "./options.js";

/** LAVD_PM_*: upstream's power modes. */
export type PowerMode = "performance" | "balanced" | "powersave";

/** The mode options of main.rs (all off by default; none set means --autopilot). */
export interface PowerOptions {
  readonly autopilot: boolean;
  readonly autopower: boolean;
  readonly performance: boolean;
  readonly powersave: boolean;
  readonly balanced: boolean;
  readonly no_core_compaction: boolean;
}

/** LAVD_CC_REQ_CAPACITY_HEADROOM: 25 % on top of the measured need, for load spikes. */
const REQ_HEADROOM = 0.25;
/** LAVD_CC_PER_CPU_UTIL: an active CPU is planned to be at most half busy. */
const PER_CPU_UTIL = 0.5;
/** LAVD_CC_CPU_PIN_INTERVAL_DIV: 250 ms over the 10 ms stat interval. */
const PIN_INTERVAL_DIV = 25;
/** LAVD_AP_HIGH_UTIL_DFL_SMT_RT / _NO_SMT_RT: performance mode above this share of the capacity. */
const HIGH_UTIL_SMT = 0.25, HIGH_UTIL_NO_SMT = 0.5;
/** The statistic each stat interval counts, for the time spent in each mode (upstream's *_mode_ns). */
const MODE_STAT: Readonly<Record<PowerMode, string>> = { performance: "pm_performance", balanced: "pm_balanced", powersave: "pm_powersave" };

/** main.rs Opts::can_*: the options each mode option cannot be combined with. */
const CONFLICTS: Readonly<Record<keyof PowerOptions, readonly (keyof PowerOptions)[]>> = {
  autopilot: ["autopower", "performance", "powersave", "balanced", "no_core_compaction"],
  autopower: ["autopilot", "performance", "powersave", "balanced", "no_core_compaction"],
  performance: ["autopilot", "autopower", "powersave", "balanced"],
  powersave: ["autopilot", "autopower", "performance", "balanced", "no_core_compaction"],
  balanced: ["autopilot", "autopower", "performance", "powersave", "no_core_compaction"],
  no_core_compaction: [],
};

/** Refuses mode options used together, as main.rs Opts::proc does (one line, exit 2). */
function checkConflicts(o: PowerOptions): void {
  for (const key of Object.keys(CONFLICTS) as (keyof PowerOptions)[]) {
    const other = o[key] ? CONFLICTS[key].find((k) => o[k]) : undefined;
    if (other !== undefined) throw new OptionError(`scheduler lavd: option ${key} cannot be used with ${other}`);
  }
}

export class LavdPower {
  /** upstream's power_mode starts at 0, LAVD_PM_PERFORMANCE, before the loader sets one. */
  mode: PowerMode = "performance";
  readonly autopilot: boolean;
  compaction: boolean;
  /** Which preference order compaction walks (is_powersave_mode). */
  private powersave = false;
  private reinitPending = false;
  /** The active and overflow sets (active_cpumask, ovrflw_cpumask). */
  readonly active: Uint8Array;
  readonly ovrflw: Uint8Array;
  /** sys_stat.nr_active. */
  nrActive: number;
  private readonly nrCpus: number;
  /** The CPU preference orders (pco_table without an energy model): powersave, performance. */
  private readonly saveOrder: CpuId[];
  private readonly perfOrder: CpuId[];
  private readonly lowCap: number;
  private readonly highCap: number;

  constructor(private readonly scx: Scx, o: PowerOptions, smt: boolean) {
    checkConflicts(o);
    this.nrCpus = scx.nrCpus();
    this.active = new Uint8Array(this.nrCpus).fill(1);
    this.ovrflw = new Uint8Array(this.nrCpus);
    this.nrActive = this.nrCpus;
    this.autopilot = !(o.autopower || o.performance || o.powersave || o.balanced || o.no_core_compaction) || o.autopilot;
    this.compaction = !o.no_core_compaction && !o.performance;
    this.saveOrder = cpuOrder(scx, true);
    this.perfOrder = cpuOrder(scx, false);
    let total = 0, least = Infinity;
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      total += scx.cpuperfCap(c);
      least = Math.min(least, scx.cpuperfCap(c));
    }
    // init_autopilot_caps: powersave while the need is under half the smallest CPU.
    this.lowCap = least / 2;
    this.highCap = total * (smt ? HIGH_UTIL_SMT : HIGH_UTIL_NO_SMT);
    // main.rs Scheduler::run: the loader's first set_power_profile.
    if (o.performance) this.setMode("performance");
    else if (o.powersave) this.setMode("powersave");
    else if (!o.no_core_compaction) this.setMode("balanced");
    else this.mode = "balanced";
  }

  /** do_set_power_profile: nothing when already in `pm`; leaving compaction re-spreads at the next update. */
  private setMode(pm: PowerMode): void {
    if (this.mode === pm) return;
    this.mode = pm;
    this.compaction = pm !== "performance";
    this.powersave = pm === "powersave";
    this.reinitPending = pm === "performance";
  }

  /** use_full_cpus: every CPU is active, so no set needs checking. */
  useFullCpus(): boolean {
    return this.nrActive >= this.nrCpus;
  }

  /** In the active or the overflow set. */
  inUse(cpu: CpuId): boolean {
    return this.active[cpu] === 1 || this.ovrflw[cpu] === 1;
  }

  /** Whether p may run on some CPU of the active or overflow set. */
  canRunSomewhere(p: ScxTask): boolean {
    for (let c = asCpu(0); c < this.nrCpus; c++) if (this.inUse(c) && this.scx.cpuAllowed(p, c)) return true;
    return false;
  }

  /** find_cpu_in: the first CPU p may use in the current order past the active ones, or -1. */
  findCpuIn(p: ScxTask): CpuId {
    const order = this.powersave ? this.saveOrder : this.perfOrder;
    for (let i = this.nrActive; i < this.nrCpus; i++) if (this.scx.cpuAllowed(p, order[i])) return order[i];
    return asCpu(-1);
  }

  /**
   * The power half of update_sys_stat, each stat interval: the autopilot's mode, then compaction
   * or, after a switch to performance, every CPU active again. `utilInvr` is the machine's
   * average frequency-invariant utilisation (0..1); `waiting(cpu)` whether a task waits for that
   * CPU alone (a pinned task, its local DSQ).
   */
  update(utilInvr: number, waiting: (cpu: CpuId) => boolean): void {
    const need = this.nrCpus * utilInvr * 1024;
    if (this.autopilot) this.setMode(need <= this.lowCap ? "powersave" : need <= this.highCap ? "balanced" : "performance");
    if (this.compaction) this.compact(need, waiting);
    if (this.reinitPending) this.spreadAll();
    this.scx.stat(MODE_STAT[this.mode]);
  }

  /** calc_nr_active_cpus without an energy model: CPUs in order, each at half its capacity, until the need (+25 %) is met. */
  private activeNeeded(need: number, order: CpuId[]): number {
    const want = need * (1 + REQ_HEADROOM);
    let sum = 0;
    for (let i = 0; i < this.nrCpus; i++) {
      sum += this.scx.cpuperfCap(order[i]) * PER_CPU_UTIL;
      if (sum >= want) return i + 1;
    }
    return this.nrCpus;
  }

  /** do_core_compaction. */
  private compact(need: number, waiting: (cpu: CpuId) => boolean): void {
    const order = this.powersave ? this.saveOrder : this.perfOrder, scx = this.scx;
    this.nrActive = this.activeNeeded(need, order);
    for (let i = 0; i < this.nrCpus; i++) {
      const cpu = order[i];
      if (i < this.nrActive) {
        this.active[cpu] = 1;
        this.ovrflw[cpu] = 0;
      } else {
        this.active[cpu] = 0;
        if (waiting(cpu)) this.ovrflw[cpu] = 1;
        else if (this.ovrflw[cpu] === 0) continue;
        else if (scx.randomU32() % PIN_INTERVAL_DIV !== 0) { this.ovrflw[cpu] = 0; continue; }
      }
      scx.kickCpu(cpu, SCX_KICK_IDLE);
    }
  }

  /** reinit_active_cpumask_for_performance on a machine without little cores: all active, no overflow. */
  private spreadAll(): void {
    this.reinitPending = false;
    this.active.fill(1);
    this.ovrflw.fill(0);
    this.nrActive = this.nrCpus;
    for (let c = asCpu(0); c < this.nrCpus; c++) this.scx.kickCpu(c, SCX_KICK_IDLE);
  }
}

/**
 * cpu_order.rs build_topo_order (no big/little): powersave fills a core's threads, then the
 * next core, LLC after LLC; performance takes the first thread of every core, then the second.
 * Within an LLC, faster CPUs first.
 */
export function cpuOrder(scx: Scx, powersave: boolean): CpuId[] {
  const cpus: CpuId[] = [];
  for (let c = asCpu(0); c < scx.nrCpus(); c++) cpus.push(c);
  const core = (c: CpuId) => { const s = scx.cpuSibling(c); return s >= 0 && s < c ? s : c; };
  const thread = (c: CpuId) => (core(c) === c ? 0 : 1);
  const place = (a: CpuId, b: CpuId) => scx.cpuNode(a) - scx.cpuNode(b) || scx.cpuLlc(a) - scx.cpuLlc(b) || scx.cpuperfCap(b) - scx.cpuperfCap(a);
  return cpus.sort(powersave
    ? (a, b) => place(a, b) || core(a) - core(b) || thread(a) - thread(b)
    : (a, b) => thread(a) - thread(b) || place(a, b) || core(a) - core(b) || a - b);
}
