/**
 * Processor sharing and round robin. Sources: docs/validation.md §4 and §7.
 */

/** M/G/1-PS: E[T | S = x] = x/(1 − ρ), whatever the size law (insensitivity). */
export function psMeanT(x: number, rho: number): number {
  if (rho >= 1) throw new RangeError("M/G/1-PS: unstable (ρ ≥ 1)");
  return x / (1 - rho);
}

/** N always-runnable hogs under round robin with quantum q and switch cost δ: each one's share of wall time. */
export function rrHogShare(n: number, q: number, delta: number): number {
  return q / (n * (q + delta));
}

/** The useful fraction of the CPU under round robin with quantum q and switch cost δ. */
export function rrUsefulFraction(q: number, delta: number): number {
  return q / (q + delta);
}

/** Time a hog waits between two of its quanta: (N − 1)(q + δ). */
export function rrGap(n: number, q: number, delta: number): number {
  return (n - 1) * (q + delta);
}
