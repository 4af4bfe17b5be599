/** The shapes of validation cases, their checks and their outcomes. */
import type { SchedSpec } from "./harness.js";

/** Per-replication measurements of a case, by metric name. */
export type Sample = Record<string, number>;

/**
 * How a check decides:
 * - "ci": a statistical estimate over independent replications (seeds). PASS when
 *   |mean − analytic| ≤ t·s/√n + allowance, with t the Student quantile at the suite's
 *   Bonferroni-corrected level (family-wise 5 %) and the allowance a stated model error.
 * - "exact": a deterministic quantity; PASS when |value − analytic| ≤ allowance (rounding only).
 * - "bound": a deterministic quantity with a stated worst-case deviation (e.g. one quantum over
 *   the window); PASS when |value − analytic| ≤ allowance.
 */
export type CheckKind = "ci" | "exact" | "bound";

/** How a value is shown: times in ns scaled to ms or µs, fractions as %, or plain numbers. */
export type Unit = "ms" | "us" | "%" | "x";

export interface CheckDef {
  /** Metric name in the case's Sample. */
  readonly metric: string;
  /** What is compared, e.g. "E[T]" or "p99(T)". */
  readonly label: string;
  readonly unit: Unit;
  readonly analytic: number;
  readonly kind: CheckKind;
  /** Model-error allowance in the metric's own unit (absolute), with the reason. */
  readonly allowance: number;
  readonly allowanceWhy: string;
}

export interface CaseDef {
  readonly id: string;
  readonly title: string;
  /** The queueing model or schedule, one line. */
  readonly model: string;
  /** The formula compared against, one line; details and sources in docs/validation.md. */
  readonly formula: string;
  /** Section of docs/validation.md. */
  readonly source: string;
  /** The policies the case runs (all must be available). */
  readonly scheds: readonly SchedSpec[];
  /** Part of the --quick subset. */
  readonly quick: boolean;
  /** Deterministic cases run once; stochastic ones once per seed. */
  readonly deterministic: boolean;
  /** Runs one replication. */
  run(seed: number, quick: boolean): Sample;
  /** The checks, given the mode (run lengths enter some allowances). */
  checks(quick: boolean): CheckDef[];
}

export type Verdict = "PASS" | "FAIL" | "SKIP";

export interface CheckOutcome {
  readonly caseId: string;
  readonly caseTitle: string;
  readonly model: string;
  readonly formula: string;
  readonly source: string;
  readonly scheduler: string;
  readonly label: string;
  readonly metric: string;
  readonly unit: Unit;
  readonly kind: CheckKind;
  readonly analytic: number;
  /** Replications behind the estimate. */
  readonly n: number;
  /** The per-replication values (seeds 1..n), for auditing. */
  readonly values: readonly number[];
  /** The simulated value (mean over replications), or null when the case did not run. */
  readonly sim: number | null;
  /** Half-width of the 95 % Student-t interval, null for deterministic checks. */
  readonly half95: number | null;
  /** Largest |sim − analytic| that passes: the corrected interval plus the allowance. */
  readonly accept: number | null;
  readonly allowance: number;
  readonly allowanceWhy: string;
  /** (sim − analytic)/analytic. */
  readonly relErr: number | null;
  readonly verdict: Verdict;
  readonly note: string;
}

export interface ValidationReport {
  readonly schema: "scxlab.validate/1";
  readonly quick: boolean;
  readonly seeds: number;
  /** The rule, in words. */
  readonly rule: string;
  /** Family-wise level and the number of statistical checks it is split over. */
  readonly familyAlpha: number;
  readonly statisticalChecks: number;
  readonly wallMs: number;
  readonly checks: CheckOutcome[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}
