/**
 * M/G/1 processor sharing. Sources: docs/validation.md §4.
 */

/** M/G/1-PS: E[T | S = x] = x/(1 − ρ), whatever the size law (insensitivity). */
export function psMeanT(x: number, rho: number): number {
  if (rho >= 1) throw new RangeError("M/G/1-PS: unstable (ρ ≥ 1)");
  return x / (1 - rho);
}
