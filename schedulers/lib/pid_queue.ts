/**
 * A bounded FIFO of tasks, like the BPF queue maps of pids the C schedulers keep. Each entry
 * remembers the task's pid and a sequence number chosen by the scheduler (its enqueue count),
 * so an entry left behind by a later enqueue of the same task, or by a reused slot, is skipped.
 */
import type { Pid, ScxTask } from "../../sim/ext/ops.js";
import { asPid } from "../../sim/ext/consts.js";

export class PidQueue {
  private readonly tasks: (ScxTask | null)[];
  private readonly pids: Int32Array;
  private readonly seqs: Float64Array;
  private head = 0;
  n = 0;

  constructor(readonly capacity: number) {
    this.tasks = new Array<ScxTask | null>(capacity).fill(null);
    this.pids = new Int32Array(capacity);
    this.seqs = new Float64Array(capacity);
  }

  /** False when full (the BPF map's -E2BIG). */
  push(p: ScxTask, seq: number): boolean {
    if (this.n === this.capacity) return false;
    const i = (this.head + this.n++) % this.capacity;
    this.tasks[i] = p; this.pids[i] = p.pid; this.seqs[i] = seq;
    return true;
  }

  /** The oldest entry whose task still matches (`live`), or null; stale entries are discarded. */
  pop(live: (p: ScxTask, pid: Pid, seq: number) => boolean): ScxTask | null {
    while (this.n > 0) {
      const i = this.head;
      const p = this.tasks[i]!, pid = asPid(this.pids[i]), seq = this.seqs[i];
      this.tasks[i] = null;
      this.head = (this.head + 1) % this.capacity;
      this.n--;
      if (live(p, pid, seq)) return p;
    }
    return null;
  }
}
