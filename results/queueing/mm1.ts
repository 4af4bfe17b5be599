/**
 * Markovian queues: M/M/1 and M/M/c (Erlang). Rates are per nanosecond-free units: pass λ and μ
 * in the same unit (e.g. per second) and read times in its inverse. Sources: docs/validation.md §2.
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

/** c separate M/M/1 queues fed by a Poisson split (random placement): E[T] = 1/(μ − λ/c). */
export function splitMeanT(c: number, lambda: number, mu: number): number {
  return mm1MeanT(lambda / c, mu);
}

/** Mean number in an M/M/1 system, E[N] = ρ/(1 − ρ). */
export function mm1MeanN(rho: number): number {
  return rho / (1 - rho);
}
