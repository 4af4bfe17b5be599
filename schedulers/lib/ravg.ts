/**
 * The scx library's running average (lib/ravg.bpf.c, ravg.h): a value that holds between
 * changes, averaged over time with a half-life, in the library's fixed point (2^20 is 1.0).
 * Time is cut into half-life periods from 0; `old` is the average up to the last completed
 * period and `cur` what the current period has gathered, each period halving what came before.
 * Exact for the magnitudes lavd feeds it (values up to 1024, times in ns below 2^53).
 */

/** RAVG_FRAC_BITS: the fixed point's fraction bits. */
export const RAVG_FRAC_BITS = 20;
const ONE = 2 ** RAVG_FRAC_BITS;
/** RAVG_VAL_BITS: larger values are clamped to 2^44 − 1. */
const VAL_MAX = 2 ** 44 - 1;

/**
 * What whole periods of value 1 leave after decaying: entry k sums 1 halved 1..k+1 times
 * (the library precomputes the same 20 numbers; from there on they no longer change).
 */
const FULL_SUM: readonly number[] = (() => {
  const out: number[] = [];
  let sum = 0;
  for (let k = 1; k <= 20; k++) {
    sum += Math.floor(ONE / 2 ** k);
    out.push(sum);
  }
  return out;
})();

/** One running average (struct ravg_data); all zero to start. */
export interface Ravg {
  val: number;
  valAt: number;
  old: number;
  cur: number;
}

export function newRavg(): Ravg {
  return { val: 0, valAt: 0, old: 0, cur: 0 };
}

function decay(v: number, shift: number): number {
  return shift >= 64 ? 0 : Math.floor(v / 2 ** shift);
}

/** A duration as a fraction of the half-life in fixed point, rounded up; a whole period or more is 1. */
function normalizeDur(dur: number, halfLife: number): number {
  return dur < halfLife ? Math.floor((dur * ONE + halfLife - 1) / halfLife) : ONE;
}

/** ravg_accumulate: the value held since `valAt` is folded in up to `now`, then `newVal` holds. */
export function ravgAccumulate(rd: Ravg, newVal: number, now: number, halfLife: number): void {
  if (now < rd.valAt) now = rd.valAt;
  const seqDelta = Math.floor(now / halfLife) - Math.floor(rd.valAt / halfLife);
  if (seqDelta > 0) {
    rd.old = decay(rd.old, seqDelta) + decay(rd.cur, seqDelta);
    rd.cur = 0;
  }
  if (rd.val !== 0) {
    if (seqDelta > 0) {
      // The rest of the period `valAt` fell in, then the whole periods between, then this one so far.
      rd.old += rd.val * decay(normalizeDur(halfLife - (rd.valAt % halfLife), halfLife), seqDelta);
      if (seqDelta > 1) rd.old += rd.val * FULL_SUM[Math.min(seqDelta - 2, FULL_SUM.length - 1)];
      rd.cur += rd.val * normalizeDur(now % halfLife, halfLife);
    } else {
      rd.cur += rd.val * normalizeDur(now - rd.valAt, halfLife);
    }
  }
  rd.val = Math.min(newVal, VAL_MAX);
  rd.valAt = now;
}

/**
 * ravg_read: the average as of `now` (fixed point), blending the last completed period's
 * average with the current period's in proportion to how far the current one has gone.
 */
export function ravgRead(rd: Ravg, now: number, halfLife: number): number {
  if (now < rd.valAt) now = rd.valAt;
  const elapsed = now % halfLife;
  const t: Ravg = { val: rd.val, valAt: rd.valAt, old: rd.old, cur: rd.cur };
  ravgAccumulate(t, 0, now, halfLife);
  if (elapsed === 0) return t.old;
  const progress = normalizeDur(elapsed, halfLife);
  return mulShift(t.old, ONE - Math.floor(progress / 2), RAVG_FRAC_BITS) + Math.floor(t.cur / 2);
}

/** u64_x_u32_rshift: (a × b) >> shift without losing the product's low bits. */
function mulShift(a: number, b: number, shift: number): number {
  const hi = Math.floor(a / 2 ** 32), lo = a - hi * 2 ** 32;
  return Math.floor((lo * b) / 2 ** shift) + hi * b * 2 ** (32 - shift);
}
