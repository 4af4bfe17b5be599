/**
 * The cost model. `overheads: off` is the ideal machine the queueing formulas assume: switches,
 * migrations, scheduler callbacks, idle exits, DSQ locks and timers are free, SMT siblings do
 * not slow each other down and every CPU runs at full speed. Where each default figure comes
 * from, and how to measure your own: docs/costs.md.
 */
import { Distance } from "./topology.js";

/** One idle state of a CPU (a cpuidle state: POLL, C1, C6 ...). */
export interface IdleState {
  readonly name: string;
  /** Idle time after which the CPU is in this state (its target residency), ns. */
  readonly residencyNs: number;
  /** Time from the wakeup until the CPU runs again (exit latency), ns. */
  readonly exitNs: number;
  /** The CPU polls its need-resched flag here: a remote wakeup needs no IPI. */
  readonly polls: boolean;
  /** The core is power-gated here (C6): it no longer counts among the active cores that set the turbo limit. */
  readonly powerGated?: boolean;
}

export interface CostModel {
  /** CPU time lost per context switch, ns. */
  readonly contextSwitchNs: number;
  /** Extra work (cache refill) a task pays after migrating, by distance, ns. */
  readonly migrationNs: readonly number[];
  /** Speed of a CPU while its SMT sibling is busy (1 = no slowdown). */
  readonly smtSpeed: number;
  /** CPU time per scheduler callback invocation, ns. */
  readonly callbackNs: number;
  /** Idle states, shallowest first (residencies rising); empty: waking an idle CPU is free. */
  readonly idleStates: readonly IdleState[];
  /** Latency of the reschedule IPI that wakes an idle CPU from another CPU, ns. */
  readonly ipiNs: number;
  /** Time a DSQ's lock is held for one insert or removal, ns. */
  readonly dsqLockNs: number;
  /** Extra hold time when the DSQ's lock was last taken on another CPU (its cache lines move), by distance, ns. */
  readonly dsqBounceNs: readonly number[];
  /** CPU time one BPF timer expiry takes on its CPU (interrupt, softirq, entering the callback), ns. */
  readonly timerNs: number;
  /** Time for a new CPU performance level (scx_bpf_cpuperf_set) to take effect, ns. */
  readonly perfLatencyNs: number;
  /** Lowest performance level a CPU can run at, 1..1024 (1024: frequency never drops). */
  readonly perfMin: number;
  /**
   * Highest frequency of a package's cores, MHz, by how many of its cores are active (one core
   * first; the last entry holds for more). Performance level 1024 is the first entry. Empty or
   * flat: the speed never depends on how many cores are busy.
   */
  readonly turboMhz: readonly number[];
}

export const IDEAL_COSTS: CostModel = {
  contextSwitchNs: 0, migrationNs: [0, 0, 0, 0, 0], smtSpeed: 1, callbackNs: 0,
  idleStates: [], ipiNs: 0, dsqLockNs: 0, dsqBounceNs: [0, 0, 0, 0, 0], timerNs: 0, perfLatencyNs: 0, perfMin: 1024,
  turboMhz: [],
};

/**
 * A bare-metal x86 server: switch, refill, SMT and callback figures of the right order, the idle
 * states of intel_idle's Skylake-SP table (exit latency and target residency of C1, C1E, C6), a
 * 1 µs reschedule IPI and timer expiry, DSQ lock figures, and a Skylake-SP Xeon Gold 6130's
 * turbo limit by active-core count, from 3.7 GHz (one or two cores) to 2.8 GHz (13 to 16), under
 * the performance governor that scheduler benchmarks are run with: the requested level stays
 * full (`perfMin` 1024), so frequency depends only on how many cores are active. A governor model
 * that lets fair's CPUs slow down (schedutil) is calibrate/profiles/skx-schedutil.json; sources
 * and the measured profile of the development machine: docs/costs.md.
 */
export const DEFAULT_COSTS: CostModel = {
  contextSwitchNs: 2_000,
  migrationNs: [0, 1_000, 5_000, 25_000, 60_000],
  smtSpeed: 0.6,
  callbackNs: 150,
  idleStates: [
    { name: "POLL", residencyNs: 0, exitNs: 0, polls: true },
    { name: "C1", residencyNs: 2_000, exitNs: 2_000, polls: false },
    { name: "C1E", residencyNs: 20_000, exitNs: 10_000, polls: false },
    { name: "C6", residencyNs: 600_000, exitNs: 133_000, polls: false, powerGated: true },
  ],
  ipiNs: 1_000,
  dsqLockNs: 50,
  dsqBounceNs: [0, 40, 80, 200, 400],
  timerNs: 1_000,
  perfLatencyNs: 500_000,
  perfMin: 1024,
  turboMhz: [3700, 3700, 3500, 3500, 3400, 3400, 3400, 3400, 3100, 3100, 3100, 3100, 2800],
};

/** Builds a cost model, overriding any of the defaults. */
export function costModel(overheads: boolean, overrides: Partial<CostModel> = {}): CostModel {
  return { ...(overheads ? DEFAULT_COSTS : IDEAL_COSTS), ...overrides };
}

export function migrationCost(c: CostModel, d: Distance): number {
  return c.migrationNs[d] ?? 0;
}
