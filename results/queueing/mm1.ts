/**
 * M/M/1: Poisson arrivals, exponential sizes, one server. Rates in any one unit (e.g. per
 * second); times come out in its inverse. Sources: docs/validation.md §2.
 */

/** M/M/1 mean sojourn time E[T] = 1/(μ − λ). */
export function mm1MeanT(lambda: number, mu: number): number {
  if (lambda >= mu) throw new RangeError("M/M/1: unstable (λ ≥ μ)");
  return 1 / (mu - lambda);
}

/**
 * The p-quantile of the M/M/1-FCFS sojourn time, which is exponential with rate μ − λ:
 * t_p = −ln(1 − p)/(μ − λ).
 */
export function mm1FcfsQuantile(p: number, lambda: number, mu: number): number {
  return expQuantile(p, mu - lambda);
}

/** The p-quantile of an exponential law of rate `rate`. */
export function expQuantile(p: number, rate: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("quantile: p must be in (0, 1)");
  return -Math.log(1 - p) / rate;
}

/** Mean number in an M/M/1 system, E[N] = ρ/(1 − ρ). */
export function mm1MeanN(rho: number): number {
  return rho / (1 - rho);
}
