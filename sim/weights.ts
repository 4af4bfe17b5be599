/** The kernel's nice → weight table (sched_prio_to_weight), nice -20 first; nice 0 = 1024. */
const PRIO_TO_WEIGHT = [
  88761, 71755, 56483, 46273, 36291,
  29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906,
  3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423,
  335, 272, 215, 172, 137,
  110, 87, 70, 56, 45,
  36, 29, 23, 18, 15,
];

/** SCHED_IDLE tasks get the smallest weight the kernel uses (WEIGHT_IDLEPRIO). */
export const WEIGHT_IDLEPRIO = 3;

/** CFS weight of a nice value (-20..19). */
export function niceToWeight(nice: number): number {
  const i = Math.max(-20, Math.min(19, Math.round(nice))) + 20;
  return PRIO_TO_WEIGHT[i];
}

/** sched_ext weight (1..10000, nice 0 = 100), rescaled from the CFS weight as the kernel does. */
export function scxWeight(cfsWeight: number): number {
  return Math.max(1, Math.min(10000, Math.round((cfsWeight * 100) / 1024)));
}
