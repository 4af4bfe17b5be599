import type { Estimate } from "./confidenceInterval.js";

/** A ratio of two means with its propagated standard deviation (null below two seeds). */
export interface Ratio {
  ratio: number;
  sd: number | null;
}

/**
 * a's mean over b's, with the spread hyperfine reports for "x ± y times faster": the relative
 * standard deviations of the two means added in quadrature (first-order error propagation for
 * a quotient of independent samples). Null when either mean is missing or b's is zero.
 */
export function ratioOf(a: Estimate, b: Estimate): Ratio | null {
  if (a.mean === null || b.mean === null || b.mean === 0) return null;
  const ratio = a.mean / b.mean;
  if (a.sd === null || b.sd === null) return { ratio, sd: null };
  const relA = a.mean === 0 ? 0 : a.sd / a.mean;
  const relB = b.sd / b.mean;
  return { ratio, sd: Math.abs(ratio) * Math.sqrt(relA * relA + relB * relB) };
}
