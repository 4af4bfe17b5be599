/**
 * How long a workload runs when the command line does not say: rt-app runs for global.duration
 * seconds, or, with -1 or none, until its threads end (forever, if one loops forever).
 */
import type { TaskSpec, WorkloadPlan } from "../sim/plan.js";
import { PHASE_FOREVER } from "./parse.js";

export type OwnLength =
  | { readonly kind: "seconds"; readonly seconds: number }
  /** Every task ends by itself: the run lasts until the last one exits. */
  | { readonly kind: "tasks-end" }
  /** Some task never ends (a loop of -1, arrivals without max): the command's default applies. */
  | { readonly kind: "endless" };

/** The workload's own run length. */
export function ownLength(plan: WorkloadPlan): OwnLength {
  if (plan.durationS !== null) return { kind: "seconds", seconds: plan.durationS };
  return plan.tasks.every(ends) ? { kind: "tasks-end" } : { kind: "endless" };
}

function ends(t: TaskSpec): boolean {
  if (t.arrivals !== null) return t.arrivals.max !== undefined;
  return t.loop !== -1 && t.phases.every((p) => p.loop !== PHASE_FOREVER);
}
