/**
 * A min-heap of task slots keyed by (key, insertion order), on typed arrays. Each entry carries
 * a stamp; an entry whose stamp no longer matches its task's is stale (the task left the queue)
 * and is skipped when it reaches the top. `live` counts the entries that are not stale.
 */
export class TaskHeap {
  key = new Float64Array(16);
  seq = new Float64Array(16);
  slot = new Int32Array(16);
  stamp = new Float64Array(16);
  n = 0;
  live = 0;
  private nextSeq = 0;

  push(key: number, slot: number, stamp: number): void {
    if (this.n === this.key.length) this.grow();
    const K = this.key, S = this.seq;
    const s = this.nextSeq++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (K[p] < key || (K[p] === key && S[p] < s)) break;
      K[i] = K[p]; S[i] = S[p]; this.slot[i] = this.slot[p]; this.stamp[i] = this.stamp[p];
      i = p;
    }
    K[i] = key; S[i] = s; this.slot[i] = slot; this.stamp[i] = stamp;
    this.live++;
  }

  /** Removes the top entry (stale or not). */
  popTop(): void {
    const K = this.key, S = this.seq;
    const last = --this.n;
    if (last === 0) return;
    const key = K[last], s = S[last], sl = this.slot[last], st = this.stamp[last];
    const n = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n) c = l + (+(K[r] < K[l]) | +(K[r] === K[l] && S[r] < S[l])); // branch-free, as in event_queue.ts
      if (K[c] > key || (K[c] === key && S[c] > s)) break;
      K[i] = K[c]; S[i] = S[c]; this.slot[i] = this.slot[c]; this.stamp[i] = this.stamp[c];
      i = c;
    }
    K[i] = key; S[i] = s; this.slot[i] = sl; this.stamp[i] = st;
  }

  clear(): void {
    this.n = 0;
    this.live = 0;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const k = new Float64Array(cap); k.set(this.key); this.key = k;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const sl = new Int32Array(cap); sl.set(this.slot); this.slot = sl;
    const st = new Float64Array(cap); st.set(this.stamp); this.stamp = st;
  }
}

/** A double-ended FIFO of task slots on a ring buffer, with stamps for lazy removal. */
export class TaskDeque {
  slot = new Int32Array(16);
  stamp = new Float64Array(16);
  head = 0;
  n = 0;
  live = 0;

  pushBack(slot: number, stamp: number): void {
    if (this.n === this.slot.length) this.grow();
    const i = (this.head + this.n) & (this.slot.length - 1);
    this.slot[i] = slot; this.stamp[i] = stamp;
    this.n++; this.live++;
  }

  pushFront(slot: number, stamp: number): void {
    if (this.n === this.slot.length) this.grow();
    this.head = (this.head - 1) & (this.slot.length - 1);
    this.slot[this.head] = slot; this.stamp[this.head] = stamp;
    this.n++; this.live++;
  }

  /** Slot and stamp of the i-th entry from the front. */
  slotAt(i: number): number {
    return this.slot[(this.head + i) & (this.slot.length - 1)];
  }

  stampAt(i: number): number {
    return this.stamp[(this.head + i) & (this.slot.length - 1)];
  }

  popFront(): void {
    this.head = (this.head + 1) & (this.slot.length - 1);
    this.n--;
  }

  /** Removes entry i (from the front) keeping order; O(n), used off the hot path. */
  removeAt(i: number): void {
    const m = this.slot.length - 1;
    for (let j = i; j > 0; j--) {
      const to = (this.head + j) & m, from = (this.head + j - 1) & m;
      this.slot[to] = this.slot[from]; this.stamp[to] = this.stamp[from];
    }
    this.popFront();
  }

  clear(): void {
    this.head = 0; this.n = 0; this.live = 0;
  }

  private grow(): void {
    const cap = this.slot.length * 2;
    const sl = new Int32Array(cap), st = new Float64Array(cap);
    for (let i = 0; i < this.n; i++) { sl[i] = this.slotAt(i); st[i] = this.stampAt(i); }
    this.slot = sl; this.stamp = st; this.head = 0;
  }
}
