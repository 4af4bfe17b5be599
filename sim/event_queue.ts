/**
 * The event queue: a binary min-heap on typed arrays keyed by (time ns, sequence number).
 * Ties on time break by insertion order, so the order of events is total and reproducible.
 * Each event carries a kind and two int32 arguments; nothing is allocated per push or pop.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Int32Array;
  private a: Int32Array;
  private b: Int32Array;
  /** Events queued (read directly by SplitEventQueue on the hot path). */
  n = 0;
  private nextSeq = 0;

  /** Fields of the event last returned by `pop()`. */
  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Int32Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Number.POSITIVE_INFINITY;
  }

  /** Time of the earliest event; the queue must not be empty. */
  headTime(): number {
    return this.time[0];
  }

  push(t: number, kind: number, a: number, b: number): void {
    this.pushSeq(t, this.nextSeq++, kind, a, b);
  }

  /** Pushes with a sequence number from the caller (queues that share one order). */
  pushSeq(t: number, s: number, kind: number, a: number, b: number): void {
    if (this.n === this.time.length) this.grow();
    const time = this.time, seq = this.seq;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = time[p];
      if (pt < t || (pt === t && seq[p] < s)) break;
      this.move(p, i);
      i = p;
    }
    time[i] = t;
    seq[i] = s;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
  }

  /** Sequence number of the earliest event; the queue must not be empty. */
  peekSeq(): number {
    return this.seq[0];
  }

  /** How many pending events have this kind (for tests and diagnostics; O(n)). */
  countKind(kind: number): number {
    let c = 0;
    for (let i = 0; i < this.n; i++) if (this.kind[i] === kind) c++;
    return c;
  }

  /** Removes the earliest event into popTime/popKind/popA/popB. The queue must not be empty. */
  pop(): void {
    const time = this.time, seq = this.seq;
    this.popTime = time[0];
    this.popKind = this.kind[0];
    this.popA = this.a[0];
    this.popB = this.b[0];
    const last = --this.n;
    const n = last;
    if (n === 0) return;
    const t = time[last], s = seq[last], k = this.kind[last], x = this.a[last], y = this.b[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) {
        // The later child, as index arithmetic rather than a branch: V8 turns data-dependent
        // selects into branches, which mispredict half the time here (reference/performance.md §2).
        const lt = time[l], rt = time[r];
        c = l + (+(rt < lt) | +(rt === lt && seq[r] < seq[l]));
      }
      const ct = time[c];
      if (ct > t || (ct === t && seq[c] > s)) break;
      this.move(c, i);
      i = c;
    }
    time[i] = t;
    seq[i] = s;
    this.kind[i] = k;
    this.a[i] = x;
    this.b[i] = y;
  }

  clear(): void {
    this.n = 0;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.seq[to] = this.seq[from];
    this.kind[to] = this.kind[from];
    this.a[to] = this.a[from];
    this.b[to] = this.b[from];
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Int32Array(cap); k.set(this.kind); this.kind = k;
    const a = new Int32Array(cap); a.set(this.a); this.a = a;
    const b = new Int32Array(cap); b.set(this.b); this.b = b;
  }
}
