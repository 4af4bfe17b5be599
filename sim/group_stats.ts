/**
 * Per-group counters and latency distributions, kept in columns (typed arrays indexed by group)
 * rather than an object per group: a workload may name a million tasks, each its own group, most
 * with a handful of samples. A group's latencies of one kind keep their first INLINE distinct
 * buckets in the columns too; only a group that outgrows them gets a Histogram (sparse, then
 * dense), and its wakeup bins a row, so a group costs ~0.3 KB until it records much.
 */
import { bucketOf, Histogram, type HistogramView } from "./histogram.js";

/** The latency kinds a group records. */
export const enum Lat {
  Wakeup = 0,
  Request = 1,
  Wait = 2,
}
const KINDS = 3;

/** Bins of GroupResult.wakeupHistogramUs: [0] < 1 µs, [i] ∈ [2^(i-1), 2^i) µs, the last open-ended. */
export const WAKEUP_BINS = 24;

/** Distinct buckets (and wakeup bins) a group keeps in the columns before it gets a Histogram (a row). */
const INLINE = 2;

export class GroupStats {
  readonly tasks: Float64Array;
  readonly completed: Float64Array;
  readonly cpuNs: Float64Array;
  readonly requests: Float64Array;
  /** Earliest start of a task of the group in the measured window (-1: none yet). */
  readonly firstStartNs: Float64Array;
  /** Latest exit of a task of the group (-1: none yet). */
  readonly lastExitNs: Float64Array;
  /** Request latency above which an activation misses its deadline (0 = no deadline). */
  readonly deadlineNs: Float64Array;
  readonly deadlineMisses: Float64Array;

  // By group × kind (index g * KINDS + kind): exact count, sum, min and max, and the inline
  // buckets (bucket -1 = unused) until `hist` names the Histogram that took over.
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private readonly inBucket: Int32Array;
  private readonly inCount: Float64Array;
  private readonly hist: Int32Array;
  private readonly hists: Histogram[];

  // Wakeup bins by group: inline (bin -1 = unused) until `binRow` names a row of all 24.
  private readonly inBin: Int32Array;
  private readonly inBinCount: Float64Array;
  private readonly binRow: Int32Array;
  private readonly binRows: number[][];

  constructor(readonly length: number, from?: GroupStats) {
    const n = length, nk = n * KINDS;
    const col = (src: Float64Array | undefined, len: number, init: number) => src ? src.slice() : new Float64Array(len).fill(init);
    const idx = (src: Int32Array | undefined, len: number) => src ? src.slice() : new Int32Array(len).fill(-1);
    this.tasks = col(from?.tasks, n, 0);
    this.completed = col(from?.completed, n, 0);
    this.cpuNs = col(from?.cpuNs, n, 0);
    this.requests = col(from?.requests, n, 0);
    this.firstStartNs = col(from?.firstStartNs, n, -1);
    this.lastExitNs = col(from?.lastExitNs, n, -1);
    this.deadlineNs = col(from?.deadlineNs, n, 0);
    this.deadlineMisses = col(from?.deadlineMisses, n, 0);
    this.count = col(from?.count, nk, 0);
    this.sum = col(from?.sum, nk, 0);
    this.min = col(from?.min, nk, Number.POSITIVE_INFINITY);
    this.max = col(from?.max, nk, 0);
    this.inBucket = idx(from?.inBucket, nk * INLINE);
    this.inCount = col(from?.inCount, nk * INLINE, 0);
    this.hist = idx(from?.hist, nk);
    this.hists = from ? from.hists.map((h) => { const c = new Histogram(); c.merge(h); return c; }) : [];
    this.inBin = idx(from?.inBin, n * INLINE);
    this.inBinCount = col(from?.inBinCount, n * INLINE, 0);
    this.binRow = idx(from?.binRow, n);
    this.binRows = from ? from.binRows.map((r) => r.slice()) : [];
  }

  /** Histograms and bin rows allocated so far: one per group-kind that outgrew the columns. */
  get allocated(): number {
    return this.hists.length + this.binRows.length;
  }

  /** A copy, for a snapshot kept while the run goes on. */
  copy(): GroupStats {
    return new GroupStats(this.length, this);
  }

  recordWakeup(g: number, v: number): void {
    this.record(g * KINDS + Lat.Wakeup, v);
    const us = v < 1000 ? 0 : Math.min(v / 1000, 0x3fffffff) | 0;
    const bin = us === 0 ? 0 : Math.min(WAKEUP_BINS - 1, 32 - Math.clz32(us));
    const r = this.binRow[g];
    if (r >= 0) this.binRows[r][bin]++;
    else this.binInline(g, bin);
  }

  recordRequest(g: number, v: number): void {
    this.requests[g]++;
    this.record(g * KINDS + Lat.Request, v);
    const dl = this.deadlineNs[g];
    if (dl > 0 && v > dl) this.deadlineMisses[g]++;
  }

  recordWait(g: number, v: number): void {
    this.record(g * KINDS + Lat.Wait, v);
  }

  private record(h: number, v: number): void {
    const k = this.hist[h];
    if (k >= 0) { this.hists[k].record(v); return; }
    if (v < 0) v = 0; // as Histogram.record
    this.count[h]++;
    this.sum[h] += v;
    if (v < this.min[h]) this.min[h] = v;
    if (v > this.max[h]) this.max[h] = v;
    const b = bucketOf(v), at = h * INLINE, ib = this.inBucket;
    for (let j = 0; j < INLINE; j++) {
      if (ib[at + j] === b) { this.inCount[at + j]++; return; }
      if (ib[at + j] < 0) { ib[at + j] = b; this.inCount[at + j] = 1; return; }
    }
    // A bucket more than the columns hold: the group-kind gets a Histogram from here on.
    const hs = this.histogramOf(h);
    hs.addBucket(b, 1);
    this.hist[h] = this.hists.length;
    this.hists.push(hs);
  }

  private binInline(g: number, bin: number): void {
    const at = g * INLINE, ib = this.inBin;
    for (let j = 0; j < INLINE; j++) {
      if (ib[at + j] === bin) { this.inBinCount[at + j]++; return; }
      if (ib[at + j] < 0) { ib[at + j] = bin; this.inBinCount[at + j] = 1; return; }
    }
    const row = this.wakeupHistogram(g);
    row[bin]++;
    this.binRow[g] = this.binRows.length;
    this.binRows.push(row);
  }

  /** Group `g`'s wakeup bins as GroupResult.wakeupHistogramUs has them (a fresh array). */
  wakeupHistogram(g: number): number[] {
    const r = this.binRow[g];
    if (r >= 0) return this.binRows[r].slice();
    const out = new Array<number>(WAKEUP_BINS).fill(0);
    for (let j = g * INLINE; j < (g + 1) * INLINE; j++) if (this.inBin[j] >= 0) out[this.inBin[j]] += this.inBinCount[j];
    return out;
  }

  /**
   * Group `g`'s samples of one kind: its Histogram if it has one (live: read, do not keep across
   * records), else one built now from the columns.
   */
  latency(g: number, kind: Lat): HistogramView {
    const h = g * KINDS + kind, k = this.hist[h];
    return k >= 0 ? this.hists[k] : this.histogramOf(h);
  }

  /** Adds every group's samples of one kind to `out`, in group order. */
  mergeInto(kind: Lat, out: Histogram): void {
    for (let g = 0; g < this.length; g++) {
      const h = g * KINDS + kind, k = this.hist[h];
      if (k >= 0) out.merge(this.hists[k]);
      else if (this.count[h] > 0) out.merge(this.histogramOf(h));
    }
  }

  /** A Histogram of the inline samples of group-kind `h`. */
  private histogramOf(h: number): Histogram {
    const out = new Histogram();
    for (let j = h * INLINE; j < (h + 1) * INLINE; j++) if (this.inBucket[j] >= 0) out.addBucket(this.inBucket[j], this.inCount[j]);
    out.count = this.count[h];
    out.sum = this.sum[h];
    out.min = this.min[h];
    out.max = this.max[h];
    return out;
  }
}
