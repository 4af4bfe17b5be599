/**
 * The queue of wakeups, timers and arrivals (the "far" half of SplitEventQueue): a small heap
 * for the events of the current window of time, and a calendar of buckets for those after it.
 * With 10^5 sleeping tasks one heap of all their wakeups is 17 levels deep and mostly out of
 * cache, and every pop walked all of it; here the heap holds about one window's events (a few
 * hundred at most in the growth bench) and stays in cache, while an event further ahead costs one
 * write into its bucket and one move into the heap when its window comes.
 *
 * Order is exactly the heap's: every event keeps the (time, sequence) key it was pushed with,
 * and the heap always holds every event earlier than `horizon`, everything later being in the
 * buckets (up to the calendar's end) or the overflow heap (beyond it). Invariant: heap events
 * < horizon <= bucket events < horizon + width * buckets <= overflow events.
 */
import { EventQueue } from "./event_queue.js";

/** Width of one bucket, ns (about 1 ms), and the buckets in the calendar (about 4.4 s ahead). */
const WIDTH = 2 ** 20;
const BUCKETS = 4096;
/**
 * Events in the heap from which the calendar starts; it stops again once it has emptied and the
 * heap holds a quarter of that. A run with a few timers and the next arrival (the M/M/c model)
 * never starts it and pays nothing for it.
 */
const CALENDAR_FROM = 512;

export class FarQueue {
  /** Events earlier than `horizon`, in (time, seq) order. */
  private readonly heap: EventQueue;
  /** Events at or beyond the calendar's end (and any non-finite time). */
  private readonly over = new EventQueue(64);
  /**
   * Start of the first window still in the buckets (a multiple of the width), or +Infinity while
   * the calendar is off (everything goes to the heap). The heap may also hold events at or past
   * the horizon (pushed before the calendar started): settle moves windows in until its head is
   * earlier than the horizon, which makes it the earliest event of all.
   */
  private horizon = Number.POSITIVE_INFINITY;
  /** First node of each bucket's list, or -1. */
  private readonly head: Int32Array;
  private inBuckets = 0;
  // The bucket nodes, in typed arrays grown by doubling, with a free list through `next`.
  private time = new Float64Array(256);
  private seq = new Float64Array(256);
  private kind = new Int32Array(256);
  private a = new Int32Array(256);
  private b = new Int32Array(256);
  private next = new Int32Array(256);
  private free = -1;
  private used = 0;

  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  /** Buckets of `width` ns (a power of two), `buckets` of them (tests shrink both). */
  constructor(capacity = 1024, private readonly width = WIDTH, private readonly buckets = BUCKETS, private readonly calendarFrom = CALENDAR_FROM) {
    this.heap = new EventQueue(capacity);
    this.head = new Int32Array(buckets).fill(-1);
  }

  /** Events queued. */
  get n(): number {
    return this.heap.n + this.inBuckets + this.over.n;
  }

  /** Pushes with a sequence number from the caller (queues that share one order). */
  pushSeq(t: number, s: number, kind: number, a: number, b: number): void {
    if (t < this.horizon) {
      this.heap.pushSeq(t, s, kind, a, b);
      if (this.heap.n > this.calendarFrom && this.horizon === Number.POSITIVE_INFINITY) this.startCalendar();
    } else if (t < this.horizon + this.width * this.buckets) this.toBucket(t, s, kind, a, b);
    else this.over.pushSeq(t, s, kind, a, b);
  }

  /**
   * Makes the heap's head the earliest event of all (call before headTime/peekSeq/pop): while
   * the heap has nothing earlier than the horizon, the next window moves in.
   */
  settle(): void {
    const heap = this.heap;
    while (this.inBuckets + this.over.n > 0 && (heap.n === 0 || heap.headTime() >= this.horizon)) this.advance();
  }

  /** Time of the earliest event; settled and not empty. */
  headTime(): number {
    return this.heap.headTime();
  }

  /** Sequence number of the earliest event; settled and not empty. */
  peekSeq(): number {
    return this.heap.peekSeq();
  }

  /** Removes the earliest event into popTime/popKind/popA/popB; settled and not empty. */
  pop(): void {
    const h = this.heap;
    h.pop();
    this.popTime = h.popTime;
    this.popKind = h.popKind;
    this.popA = h.popA;
    this.popB = h.popB;
  }

  /** How many pending events have this kind (for tests and diagnostics; O(n)). */
  countKind(kind: number): number {
    let c = this.heap.countKind(kind) + this.over.countKind(kind);
    for (let q = 0; q < this.buckets; q++) for (let i = this.head[q]; i >= 0; i = this.next[i]) if (this.kind[i] === kind) c++;
    return c;
  }

  /** The next window moves into the heap; with the calendar empty, it first jumps to the overflow's head. */
  private advance(): void {
    if (this.inBuckets === 0) {
      const t = this.over.headTime();
      if (!Number.isFinite(t)) {
        // Nothing finite is left anywhere: what remains goes to the heap in (time, seq) order.
        const o = this.over, s = o.peekSeq();
        o.pop();
        this.heap.pushSeq(o.popTime, s, o.popKind, o.popA, o.popB);
        return;
      }
      this.horizon = Math.floor(t / this.width) * this.width;
      this.refill();
    }
    const q = (this.horizon / this.width) % this.buckets;
    let i = this.head[q];
    this.head[q] = -1;
    while (i >= 0) {
      const nx = this.next[i];
      this.heap.pushSeq(this.time[i], this.seq[i], this.kind[i], this.a[i], this.b[i]);
      this.next[i] = this.free;
      this.free = i;
      this.inBuckets--;
      i = nx;
    }
    this.horizon += this.width;
    this.refill();
    if (this.inBuckets + this.over.n === 0 && this.heap.n <= this.calendarFrom / 4) this.horizon = Number.POSITIVE_INFINITY;
  }

  /** The heap has grown past calendarFrom: later pushes from the next window on go to buckets. */
  private startCalendar(): void {
    this.horizon = Math.floor(this.heap.headTime() / this.width) * this.width + this.width;
  }

  /** Moves overflow events that the calendar now reaches into their buckets. */
  private refill(): void {
    const o = this.over, end = this.horizon + this.width * this.buckets;
    while (o.n > 0 && o.headTime() < end) {
      const s = o.peekSeq();
      o.pop();
      this.toBucket(o.popTime, s, o.popKind, o.popA, o.popB);
    }
  }

  private toBucket(t: number, s: number, kind: number, a: number, b: number): void {
    let i = this.free;
    if (i >= 0) this.free = this.next[i];
    else {
      if (this.used === this.time.length) this.grow();
      i = this.used++;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    const q = Math.floor(t / this.width) % this.buckets;
    this.next[i] = this.head[q];
    this.head[q] = i;
    this.inBuckets++;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const f = (x: Float64Array) => { const y = new Float64Array(cap); y.set(x); return y; };
    const g = (x: Int32Array) => { const y = new Int32Array(cap); y.set(x); return y; };
    this.time = f(this.time); this.seq = f(this.seq);
    this.kind = g(this.kind); this.a = g(this.a); this.b = g(this.b); this.next = g(this.next);
  }
}
