/**
 * M/G/1 FCFS by the Pollaczek–Khinchine mean-value formula, and its M/D/1 special case.
 * Sources: docs/validation.md §3.
 */
import { constClass, load, type SizeClass } from "./size_classes.js";

/**
 * P–K: E[W_q] = λE[S²]/(2(1 − ρ)) with λE[S²] = Σ λᵢE[Sᵢ²] for a Poisson mix of classes.
 * FCFS waiting does not depend on the arriving job's own size.
 */
export function pkMeanWq(classes: readonly SizeClass[]): number {
  const rho = load(classes);
  if (rho >= 1) throw new RangeError("M/G/1: unstable (ρ ≥ 1)");
  const lm2 = classes.reduce((a, c) => a + c.lambda * c.m2, 0);
  return lm2 / (2 * (1 - rho));
}

/** FCFS mean sojourn of a job of (mean) size x: E[W_q] + x. */
export function pkMeanT(classes: readonly SizeClass[], x: number): number {
  return pkMeanWq(classes) + x;
}

/** M/D/1: E[W_q] = ρD/(2(1 − ρ)) for constant size D. */
export function md1MeanWq(lambda: number, d: number): number {
  return pkMeanWq([constClass(lambda, d)]);
}
