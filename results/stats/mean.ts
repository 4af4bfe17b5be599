/** Arithmetic mean; NaN for an empty sample (there is no honest number to give). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}
