import { mean } from "./mean.js";
import { sampleSd } from "./sample_sd.js";
import { studentTQuantile } from "./student_t.js";

/**
 * A mean over seeds with its Student-t confidence interval. Fields that a sample this small
 * cannot give are null (not NaN) so that they survive JSON: `mean` needs one value, the
 * spread and the interval need two.
 */
export interface Estimate {
  n: number;
  mean: number | null;
  sd: number | null;
  /** Half-width of the interval: mean ± half. */
  half: number | null;
  lo: number | null;
  hi: number | null;
}

/** Non-finite values (a metric a run could not measure) are left out and do not count in n. */
export function confidenceInterval(values: readonly number[], level = 0.95): Estimate {
  const xs = values.filter(Number.isFinite);
  const n = xs.length;
  if (n === 0) return { n, mean: null, sd: null, half: null, lo: null, hi: null };
  const m = mean(xs);
  if (n === 1) return { n, mean: m, sd: null, half: null, lo: null, hi: null };
  const sd = sampleSd(xs);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, half, lo: m - half, hi: m + half };
}
