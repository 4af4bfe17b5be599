/**
 * The kernel's event queue: CPU checkpoints and everything else, in two queues under one order.
 */
import { EventQueue } from "./event_queue.js";
import { FarQueue } from "./far_queue.js";

/**
 * Two event queues under one (time, sequence) order, so events pop exactly as from one heap.
 * CPU checkpoints (a few per CPU, always near, re-armed all the time) live in a small heap that
 * stays in cache; wakeups, timers and arrivals in a FarQueue (a window heap and a calendar of
 * buckets), which stays cheap with 10^5 sleeping tasks.
 */
export class SplitEventQueue {
  private readonly near = new EventQueue(64);
  private readonly far: FarQueue;
  private nextSeq = 0;

  popTime = 0;
  popKind = 0;
  popA = 0;
  popB = 0;

  constructor(capacity = 1024) {
    this.far = new FarQueue(capacity);
  }

  get size(): number {
    return this.near.n + this.far.n;
  }

  /** Queues a CPU checkpoint. */
  pushNear(t: number, kind: number, a: number, b: number): void {
    this.near.pushSeq(t, this.nextSeq++, kind, a, b);
  }

  /** Queues any other event. */
  push(t: number, kind: number, a: number, b: number): void {
    this.far.pushSeq(t, this.nextSeq++, kind, a, b);
  }

  peekTime(): number {
    const far = this.far;
    far.settle();
    const a = this.near.peekTime(), b = far.n > 0 ? far.headTime() : Number.POSITIVE_INFINITY;
    return a < b ? a : b;
  }

  /**
   * Removes the earliest event into popTime/popKind/popA/popB if it is due by `end`; false when
   * the queue is empty or its earliest event is later. One comparison of the two heads serves
   * both the test and the pop (the loop would otherwise peek each queue twice per event).
   */
  popDue(end: number): boolean {
    const near = this.near, far = this.far;
    far.settle();
    let fromNear: boolean;
    if (near.n === 0) {
      if (far.n === 0) return false;
      fromNear = false;
    } else if (far.n === 0) fromNear = true;
    else {
      const nt = near.headTime(), ft = far.headTime();
      fromNear = nt < ft || (nt === ft && near.peekSeq() < far.peekSeq());
    }
    // Two monomorphic branches rather than one site over two queue classes.
    if (fromNear) {
      if (near.headTime() > end) return false;
      near.pop();
      this.popTime = near.popTime; this.popKind = near.popKind; this.popA = near.popA; this.popB = near.popB;
    } else {
      if (far.headTime() > end) return false;
      far.pop();
      this.popTime = far.popTime; this.popKind = far.popKind; this.popA = far.popA; this.popB = far.popB;
    }
    return true;
  }

  /** Removes the earliest event of both queues; the queue must not be empty. */
  pop(): void {
    this.popDue(Number.POSITIVE_INFINITY);
  }

  countKind(kind: number): number {
    return this.near.countKind(kind) + this.far.countKind(kind);
  }
}
