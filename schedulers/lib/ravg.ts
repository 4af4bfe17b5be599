/**
 * scx's running average with a half-life (scheds/include/lib/ravg.h and lib/ravg.bpf.c), in the
 * same integers: a value held since `valAt` accumulates into the current half-life period, and
 * each period boundary halves what came before. Values are fixed point with RAVG_FRAC_BITS (20)
 * fraction bits on the way out. Inputs here stay far below 2^32, so every product fits a double
 * exactly.
 */

const FRAC_BITS = 20;
const ONE = 2 ** FRAC_BITS;
const VAL_MAX = 2 ** 44 - 1;
/** Sum of a full period's contribution over 2..21 periods ago, in FRAC_BITS fixed point. */
const FULL_SUM = [
  524288, 786432, 917504, 983040, 1015808, 1032192, 1040384, 1044480, 1046528, 1047552,
  1048064, 1048320, 1048448, 1048512, 1048544, 1048560, 1048568, 1048572, 1048574, 1048575,
];

/** One running average (struct ravg_data). */
export interface Ravg {
  val: number;
  valAt: number;
  old: number;
  cur: number;
}

export function newRavg(): Ravg {
  return { val: 0, valAt: 0, old: 0, cur: 0 };
}

const decay = (v: number, shift: number): number => (shift >= 64 ? 0 : Math.floor(v / 2 ** shift));

/** ravg_normalize_dur: a duration as a fraction of the half-life, rounded up, at most 1. */
function normalizeDur(dur: number, halfLife: number): number {
  return dur < halfLife ? Math.floor((dur * ONE + halfLife - 1) / halfLife) : ONE;
}

/** ravg_accumulate: `r` held its value until `now`, and holds `value` from then on. */
export function ravgAccumulate(r: Ravg, value: number, now: number, halfLife: number): void {
  if (now < r.valAt) now = r.valAt;
  const seqDelta = Math.floor(now / halfLife) - Math.floor(r.valAt / halfLife);
  if (seqDelta > 0) {
    r.old = decay(r.old, seqDelta) + decay(r.cur, seqDelta);
    r.cur = 0;
  }
  if (r.val !== 0) {
    if (seqDelta > 0) {
      r.old += r.val * decay(normalizeDur(halfLife - (r.valAt % halfLife), halfLife), seqDelta);
      if (seqDelta > 1) r.old += r.val * FULL_SUM[Math.min(seqDelta - 2, FULL_SUM.length - 1)];
      r.cur += r.val * normalizeDur(now % halfLife, halfLife);
    } else {
      r.cur += r.val * normalizeDur(now - r.valAt, halfLife);
    }
  }
  r.val = Math.min(value, VAL_MAX);
  r.valAt = now;
}

/** ravg_read's integer part (the C's result >> RAVG_FRAC_BITS): the average as of `now`, `r` untouched. */
export function ravgRead(r: Ravg, now: number, halfLife: number): number {
  if (now < r.valAt) now = r.valAt;
  const t = { ...r };
  ravgAccumulate(t, 0, now, halfLife);
  const elapsed = now % halfLife;
  if (elapsed === 0) return Math.floor(t.old / ONE);
  const progress = normalizeDur(elapsed, halfLife);
  const old = Math.floor((t.old * (ONE - Math.floor(progress / 2))) / ONE);
  return Math.floor((old + Math.floor(t.cur / 2)) / ONE);
}
