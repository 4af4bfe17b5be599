/**
 * A walk over one DSQ as the kernel's bpf_iter_scx_dsq makes it: the tasks queued when the walk
 * began, in dispatch order (SCX_DSQ_ITER_REV: backwards), each returned only if it is still
 * queued there, by that same insert, when the walk reaches it. Tasks queued after the start are
 * never seen (the kernel's seq cursor); tasks that left before being reached are skipped (the
 * kernel's cursor is a node in the live list).
 *
 * The walk reads the live queue while nothing changes under it, so scx's compat peek (open, one
 * step, close: every ops.dispatch of the scx family on 6.19) costs a look at the queue's head.
 * DsqTable copies the rest of the walk into the cursor just before the DSQ changes (an insert,
 * a removal, stale entries popped) while the cursor is open.
 */
import { Place, type Task } from "../task.js";
import { DsqOrder, type Dsq } from "./dsq.js";

export class DsqCursor {
  /** The DSQ walked; null when closed or when the DSQ did not exist. */
  dsq: Dsq | null = null;
  rev = false;
  /** DsqTable's insert mark when the walk began: a task with a later dsqStamp was queued after. */
  since = 0;
  /** Tasks returned so far. */
  steps = 0;
  /** Whether the walk reads the copy below rather than the queue. */
  copied = false;
  /** Its index among DsqTable's open cursors, or -1 (closed, or walking no DSQ). */
  reg = -1;
  /** While reading a FIFO queue: the deque index to look at next. */
  private at = 0;
  /** The copy: task slots and insert stamps of what is left of the walk, and the next index. */
  private slots = new Int32Array(16);
  private stamps = new Float64Array(16);
  private n = 0;
  private pos = 0;

  /** Starts a walk of `d` (null: a DSQ that does not exist, which walks nothing). */
  start(d: Dsq | null, rev: boolean, since: number): void {
    this.dsq = d;
    this.rev = rev;
    this.since = since;
    this.steps = 0;
    this.copied = false;
    this.n = 0;
    this.pos = 0;
    this.at = d !== null && rev ? d.fifo.n - 1 : 0;
  }

  /**
   * The next task of the walk, or null at its end. `copy` is DsqTable's: it fills the cursor
   * (through `fill`) where the live queue cannot be read in order cheaply.
   */
  next(tasks: readonly Task[], copy: (c: DsqCursor) => void): Task | null {
    const d = this.dsq;
    if (d === null) return null;
    if (!this.copied) {
      if (d.order !== DsqOrder.Vtime) return this.nextFifo(d, tasks);
      // A vtime queue is a heap: its top is the first task if it is still queued; anything
      // further along (or backwards) needs the sorted copy.
      const h = d.prio;
      if (h.n === 0) return null;
      if (this.steps === 0 && !this.rev) {
        const t = tasks[h.slot[0]];
        if (t.dsqStamp === h.stamp[0] && t.place === Place.Dsq) { this.steps = 1; return t; }
      }
      copy(this);
    }
    while (this.pos < this.n) {
      const i = this.pos++;
      const t = tasks[this.slots[i]];
      if (t.dsqStamp === this.stamps[i] && t.place === Place.Dsq) { this.steps++; return t; }
    }
    return null;
  }

  private nextFifo(d: Dsq, tasks: readonly Task[]): Task | null {
    const q = d.fifo, step = this.rev ? -1 : 1;
    for (let i = this.at; i >= 0 && i < q.n; i += step) {
      const t = tasks[q.slotAt(i)];
      if (t.dsqStamp === q.stampAt(i) && t.place === Place.Dsq) {
        this.at = i + step;
        this.steps++;
        return t;
      }
    }
    this.at = this.rev ? -1 : q.n;
    return null;
  }

  /**
   * Takes the copy: the DSQ's `count` live tasks in dispatch order (task slots and insert
   * stamps), of which the walk has returned the first `steps` (backwards: the last `steps`).
   */
  fill(count: number, slots: readonly number[], stamps: readonly number[]): void {
    const left = Math.max(0, count - this.steps);
    if (left > this.slots.length) {
      let cap = this.slots.length;
      while (cap < left) cap *= 2;
      this.slots = new Int32Array(cap);
      this.stamps = new Float64Array(cap);
    }
    for (let k = 0; k < left; k++) {
      const j = this.rev ? count - 1 - this.steps - k : this.steps + k;
      this.slots[k] = slots[j]!;
      this.stamps[k] = stamps[j]!;
    }
    this.n = left;
    this.pos = 0;
    this.copied = true;
  }
}
