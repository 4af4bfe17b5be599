/**
 * Job size laws as Poisson classes with the first two moments of their sizes: the input of the
 * M/G/1 formulas. Sources: docs/validation.md §3.
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

/** Squared coefficient of variation of the mixed size law, C² = E[S²]/E[S]² − 1. */
export function scv(classes: readonly SizeClass[]): number {
  const l = classes.reduce((a, c) => a + c.lambda, 0);
  const m1 = classes.reduce((a, c) => a + c.lambda * c.mean, 0) / l;
  const m2 = classes.reduce((a, c) => a + c.lambda * c.m2, 0) / l;
  return m2 / (m1 * m1) - 1;
}
