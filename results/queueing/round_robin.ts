/**
 * Round robin among always-runnable hogs with a quantum and a switch cost. Sources:
 * docs/validation.md §7.
 */

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
