/**
 * Two values tie when they differ by no more than `resolution` relative to the larger one: a
 * percentile from a log-bucket histogram is only known that closely, so a smaller difference
 * is no evidence either way. With resolution 0 only equal values tie.
 */
export function isTie(a: number, b: number, resolution: number): boolean {
  return Math.abs(a - b) <= resolution * Math.max(Math.abs(a), Math.abs(b));
}
