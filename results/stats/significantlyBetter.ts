import type { Estimate } from "./confidenceInterval.js";

/**
 * True only when a's interval lies wholly on the better side of b's. Separated 95 % intervals
 * are a conservative test (stricter than a two-sample t-test at 5 %), which suits a report
 * that should not claim a winner from noise. Without intervals (n < 2) nothing is significant,
 * nor with a zero-width one: a value that did not move across seeds says nothing about noise.
 */
export function significantlyBetter(a: Estimate, b: Estimate, lowerIsBetter: boolean): boolean {
  if (a.lo === null || a.hi === null || b.lo === null || b.hi === null) return false;
  if (!(a.half! > 0 && b.half! > 0)) return false;
  return lowerIsBetter ? a.hi < b.lo : a.lo > b.hi;
}
