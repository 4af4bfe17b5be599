/**
 * The scx family's calc_avg (bpfland, rusty): a running average that keeps 3/4 of the old value
 * and takes 1/4 of the new sample, in integers as upstream computes it.
 */
export function calcAvg(old: number, sample: number): number {
  return old - Math.floor(old / 4) + Math.floor(sample / 4);
}
