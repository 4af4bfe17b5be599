/**
 * A dispatch queue: FIFO or vtime-ordered, never both (mixing is a scheduler error the caller
 * reports). Entries carry a stamp so a task can leave the queue lazily (see TaskHeap).
 */
import { TaskDeque, TaskHeap } from "../taskheap.js";
import type { DsqId } from "./consts.js";

export const enum DsqOrder {
  Unset = 0,
  Fifo = 1,
  Vtime = 2,
}

export class Dsq {
  order: DsqOrder = DsqOrder.Unset;
  readonly fifo = new TaskDeque();
  readonly prio = new TaskHeap();
  /** When the DSQ's lock is next free, and the CPU that took it last (cost model: DsqTable.lock). */
  lockFreeAt = 0;
  lockCpu = -1;

  constructor(readonly id: DsqId, readonly builtin: boolean) {}

  /** Tasks logically in the queue. */
  get nr(): number {
    return this.order === DsqOrder.Vtime ? this.prio.live : this.fifo.live;
  }

  /** Drops every entry (the tasks must already have been moved elsewhere). */
  clear(): void {
    this.fifo.clear();
    this.prio.clear();
    if (!this.builtin) this.order = DsqOrder.Unset;
  }
}
