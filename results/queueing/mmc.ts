/**
 * M/M/c (Erlang): Poisson arrivals, exponential sizes, c servers sharing one queue. Rates in any
 * one unit; times in its inverse. Sources: docs/validation.md §2.
 */

/** Erlang B (loss probability) for c servers and a = λ/μ Erlangs, by the stable recursion. */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Erlang C: the probability that an arrival waits in M/M/c, C = B/(1 − ρ(1 − B)), ρ = a/c. */
export function erlangC(c: number, a: number): number {
  const rho = a / c;
  if (rho >= 1) throw new RangeError("M/M/c: unstable (a ≥ c)");
  const b = erlangB(c, a);
  return b / (1 - rho * (1 - b));
}

/** M/M/c mean waiting time in queue E[W_q] = C(c, a)/(cμ − λ). */
export function mmcMeanWq(c: number, lambda: number, mu: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}

/** M/M/c mean sojourn time E[T] = E[W_q] + 1/μ. */
export function mmcMeanT(c: number, lambda: number, mu: number): number {
  return mmcMeanWq(c, lambda, mu) + 1 / mu;
}
