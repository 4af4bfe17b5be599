/**
 * M/G/1 FCFS by the Pollaczek–Khinchine mean-value formula, and its M/D/1 special case.
 * Sources: docs/validation.md §3.
 */

/** One job class: Poisson arrival rate and the first two moments of its size. */
export interface SizeClass {
  readonly lambda: number;
  readonly mean: number;
  /** E[S²]. */
  readonly m2: number;
}

/** A class of constant-size jobs. */
export function constClass(lambda: number, size: number): SizeClass {
  return { lambda, mean: size, m2: size * size };
}

/** A class of exponentially distributed jobs (E[S²] = 2E[S]²). */
export function expClass(lambda: number, mean: number): SizeClass {
  return { lambda, mean, m2: 2 * mean * mean };
}

/** Offered load ρ = Σ λᵢ E[Sᵢ]. */
export function load(classes: readonly SizeClass[]): number {
  return classes.reduce((a, c) => a + c.lambda * c.mean, 0);
}

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

/** Squared coefficient of variation of the mixed size law, C² = E[S²]/E[S]² − 1. */
export function scv(classes: readonly SizeClass[]): number {
  const l = classes.reduce((a, c) => a + c.lambda, 0);
  const m1 = classes.reduce((a, c) => a + c.lambda * c.mean, 0) / l;
  const m2 = classes.reduce((a, c) => a + c.lambda * c.m2, 0) / l;
  return m2 / (m1 * m1) - 1;
}
