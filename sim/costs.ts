/**
 * The cost model. `overheads: off` is the ideal machine the queueing formulas assume: switches,
 * migrations and scheduler callbacks are free and SMT siblings do not slow each other down.
 */
import { Distance } from "./topology.js";

export interface CostModel {
  /** CPU time lost per context switch, ns. */
  readonly contextSwitchNs: number;
  /** Extra work (cache refill) a task pays after migrating, by distance, ns. */
  readonly migrationNs: readonly number[];
  /** Speed of a CPU while its SMT sibling is busy (1 = no slowdown). */
  readonly smtSpeed: number;
  /** CPU time per scheduler callback invocation, ns. */
  readonly callbackNs: number;
}

export const IDEAL_COSTS: CostModel = { contextSwitchNs: 0, migrationNs: [0, 0, 0, 0, 0], smtSpeed: 1, callbackNs: 0 };

/** Plausible figures for a current x86 server (order of magnitude, not a calibration). */
export const DEFAULT_COSTS: CostModel = {
  contextSwitchNs: 2_000,
  migrationNs: [0, 1_000, 5_000, 25_000, 60_000],
  smtSpeed: 0.6,
  callbackNs: 150,
};

/** Builds a cost model, overriding any of the defaults. */
export function costModel(overheads: boolean, overrides: Partial<CostModel> = {}): CostModel {
  return { ...(overheads ? DEFAULT_COSTS : IDEAL_COSTS), ...overrides };
}

export function migrationCost(c: CostModel, d: Distance): number {
  return c.migrationNs[d] ?? 0;
}
