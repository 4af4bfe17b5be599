import { incompleteBeta } from "./incomplete_beta.js";

/**
 * Student's t distribution with `df` degrees of freedom: CDF and quantile. Computed rather than
 * tabled so any confidence level and any number of seeds work; the tests pin it to the printed
 * tables (t(0.975, 4) = 2.776 ...).
 */

/** P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : t < 0 ? 0 : NaN;
  // Tail mass beyond |t| is I_{df/(df+t²)}(df/2, 1/2) / 2.
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T ≤ t) = p, for 0 < p < 1. */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  // Closed forms where they exist; they are also the hardest cases for the search below.
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  // The CDF is monotone: bracket the root by doubling, then bisect to full double precision.
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
