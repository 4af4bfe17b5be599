import { mean } from "./mean.js";

/**
 * Sample standard deviation (divides by n − 1, the unbiased variance), since seeds are a sample
 * of the runs we could have made. NaN below two values: one run says nothing about spread.
 * Two passes (mean first) keep it exact for values far from zero, like throughputs in the 1e6s.
 * Equal values give exactly 0 (their float mean can be off by an ulp), so "the seeds did not
 * change this" is detectable downstream.
 */
export function sampleSd(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  if (xs.every((x) => x === xs[0])) return 0;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (n - 1));
}
