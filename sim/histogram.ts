/**
 * A log-bucketed histogram of non-negative integers (ns): 2^SUB_BITS buckets per power of two,
 * (half of them above 2^SUB_BITS), so a reported percentile is within 1/2^SUB_BITS (0.8 %) of the true value. Exact count, sum,
 * min and max are kept beside the buckets. Recording allocates nothing.
 */
import type { Stats } from "./result.js";

const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const MAX_EXP = 48; // values up to 2^55 ns (~1 year)

/** Relative resolution of reported percentiles. */
export const HISTOGRAM_RESOLUTION = 1 / SUB;

/** Buckets of a histogram that has recorded nothing: shared, so an unused histogram costs no buckets. */
const NO_BUCKETS = new Float64Array(0);
const NR_BUCKETS = SUB + MAX_EXP * (SUB / 2);

export class Histogram {
  /** The buckets, allocated at the first sample (25 KB: a workload of 10^5 task names keeps 3 per name). */
  counts: Float64Array = NO_BUCKETS;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  record(v: number): void {
    if (v < 0) v = 0;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.counts === NO_BUCKETS) this.counts = new Float64Array(NR_BUCKETS);
    this.counts[bucketOf(v)]++;
  }

  /** The buckets, allocated if nothing was recorded yet (for writers that fill them directly). */
  buckets(): Float64Array {
    if (this.counts === NO_BUCKETS) this.counts = new Float64Array(NR_BUCKETS);
    return this.counts;
  }

  /** Adds every sample of `h` to this histogram. */
  merge(h: Histogram): void {
    if (h.counts !== NO_BUCKETS) {
      const c = this.buckets(), o = h.counts;
      for (let i = 0; i < c.length; i++) c[i] += o[i];
    }
    this.count += h.count;
    this.sum += h.sum;
    if (h.min < this.min) this.min = h.min;
    if (h.max > this.max) this.max = h.max;
  }

  /** Value at quantile q in [0, 1] (bucket midpoint, clamped to the observed range). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i];
      if (seen >= rank) {
        // Buckets below SUB hold one integer each: exact; above, report the bucket's midpoint.
        const mid = i < SUB ? i : (lowOf(i) + lowOf(i + 1)) / 2;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  stats(): Stats {
    if (this.count === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: this.count,
      mean: this.sum / this.count,
      min: this.min,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      p999: this.quantile(0.999),
      max: this.max,
    };
  }
}

function bucketOf(v: number): number {
  if (v < SUB) return Math.floor(v);
  if (v === (v | 0)) {
    // An integer in [SUB, 2^31): floor(log2 v) = 31 - clz32(v), and v / 2^e floored = v >> e,
    // both exact, so this agrees with the general path below for every such v.
    const e = 31 - Math.clz32(v) - SUB_BITS + 1; // 1..24, never above MAX_EXP
    return SUB + (e - 1) * (SUB / 2) + ((v >> e) - SUB / 2);
  }
  const e = Math.floor(Math.log2(v)) - SUB_BITS + 1; // ≥ 1
  const exp = e > MAX_EXP ? MAX_EXP : e;
  const mant = Math.floor(v / 2 ** exp) - SUB / 2; // in [0, SUB/2) .. but v/2^e ∈ [SUB/2, SUB)
  // Buckets for exponent e cover [SUB/2·2^e, SUB·2^e) in SUB/2 steps of 2^e.
  return SUB + (exp - 1) * (SUB / 2) + Math.min(SUB / 2 - 1, Math.max(0, mant));
}

function lowOf(i: number): number {
  if (i < SUB) return i;
  const k = i - SUB;
  const exp = Math.floor(k / (SUB / 2)) + 1;
  const mant = (k % (SUB / 2)) + SUB / 2;
  return mant * 2 ** exp;
}
