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
/** Sparse pairs of a histogram that has recorded nothing (never written: the first pair replaces it). */
const NO_PAIRS: number[] = [];
/**
 * Distinct buckets kept as (bucket, count) pairs before the dense array (25 KB) is allocated:
 * a workload of 10^6 task names keeps three histograms per name, most with a few samples each.
 */
const SPARSE_MAX = 32;

/** What reading a histogram's samples needs (a snapshot's histograms are read-only). */
export type HistogramView = Pick<Histogram, "count" | "sum" | "min" | "max" | "eachBucket" | "countAt" | "quantile" | "stats">;

export class Histogram {
  /** The dense buckets, allocated once more than SPARSE_MAX distinct buckets were hit. */
  private counts: Float64Array = NO_BUCKETS;
  /**
   * Until then: (bucket, count) pairs, unordered, `pairs` of them in use. A plain array of
   * doubles, not a typed one: ~50 bytes of overhead instead of ~180 for each of 3 per name.
   */
  private sparse: number[] = NO_PAIRS;
  private pairs = 0;
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
    if (this.counts !== NO_BUCKETS) this.counts[bucketOf(v)]++;
    else this.addSparse(bucketOf(v), 1);
  }

  private addSparse(b: number, n: number): void {
    const sp = this.sparse, used = this.pairs * 2;
    for (let i = 0; i < used; i += 2) if (sp[i] === b) { sp[i + 1] += n; return; }
    if (this.pairs >= SPARSE_MAX) { this.densify(); this.counts[b] += n; return; }
    if (sp === NO_PAIRS) this.sparse = [b, n];
    else sp.push(b, n);
    this.pairs++;
  }

  private densify(): void {
    const c = new Float64Array(NR_BUCKETS), sp = this.sparse;
    for (let i = 0; i < this.pairs * 2; i += 2) c[sp[i]] += sp[i + 1];
    this.counts = c;
    this.sparse = NO_PAIRS;
    this.pairs = 0;
  }

  /** Adds `n` samples to bucket `b` (count, sum, min and max are the caller's). */
  addBucket(b: number, n: number): void {
    if (this.counts !== NO_BUCKETS) this.counts[b] += n;
    else this.addSparse(b, n);
  }

  /** Calls `fn` for each bucket that holds samples, in bucket order. */
  eachBucket(fn: (bucket: number, n: number) => void): void {
    const c = this.counts;
    if (c !== NO_BUCKETS) {
      for (let i = 0; i < c.length; i++) if (c[i] !== 0) fn(i, c[i]);
      return;
    }
    const sp = this.sparse, order: number[] = [];
    for (let i = 0; i < this.pairs * 2; i += 2) order.push(i);
    order.sort((x, y) => sp[x] - sp[y]);
    for (const i of order) if (sp[i + 1] !== 0) fn(sp[i], sp[i + 1]);
  }

  /** Samples in bucket `b` (bucket 0 holds the zeros). */
  countAt(b: number): number {
    if (this.counts !== NO_BUCKETS) return this.counts[b] ?? 0;
    const sp = this.sparse;
    for (let i = 0; i < this.pairs * 2; i += 2) if (sp[i] === b) return sp[i + 1];
    return 0;
  }

  /** The histogram of the samples of `b` not in `a` (`a` an earlier state of the same one), without min and max. */
  static difference(b: HistogramView, a: HistogramView): Histogram {
    const h = new Histogram();
    b.eachBucket((i, n) => { const d = n - a.countAt(i); if (d !== 0) h.addBucket(i, d); });
    h.count = b.count - a.count;
    h.sum = b.sum - a.sum;
    return h;
  }

  /** Adds every sample of `h` to this histogram. */
  merge(h: HistogramView): void {
    h.eachBucket((i, n) => this.addBucket(i, n));
    this.count += h.count;
    this.sum += h.sum;
    if (h.min < this.min) this.min = h.min;
    if (h.max > this.max) this.max = h.max;
  }

  /** Value at quantile q in [0, 1] (bucket midpoint, clamped to the observed range). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0, at = -1;
    this.eachBucket((i, n) => {
      if (at >= 0) return;
      seen += n;
      if (seen >= rank) at = i;
    });
    if (at < 0) return this.max;
    // Buckets below SUB hold one integer each: exact; above, report the bucket's midpoint.
    const mid = at < SUB ? at : (lowOf(at) + lowOf(at + 1)) / 2;
    return Math.min(this.max, Math.max(this.min, mid));
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

/** The bucket that holds `v`. */
export function bucketOf(v: number): number {
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
