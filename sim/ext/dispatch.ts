/**
 * The two ways a scheduler's insert reaches a DSQ (reference/sched_ext.md §2.7). From
 * select_cpu or enqueue it is a direct dispatch: recorded on the task, carried out when the
 * callback returns. From ops.dispatch it goes into the dispatch buffer, committed when
 * ops.dispatch returns or moves a task, and dropped if the task left BPF custody meanwhile.
 */
import { Place, type Task } from "../task.js";
import { SCX_DSP_MAX_LOOPS, SCX_ENQ_WAKEUP } from "./consts.js";
import { Ctx, type Callbacks } from "./callbacks.js";
import type { DsqTable } from "./dsqs.js";
import type { Dsq } from "./dsq.js";
import { ScxAbort } from "./exit.js";
import { printable } from "../printable.js";

/** Internal flag on a pending insert: it carries a vtime. */
const INSERT_VTIME = 1 << 30;

/** What the dispatch paths need of the core. */
export interface DispatchHost {
  readonly dsqs: DsqTable;
  readonly cb: Callbacks;
  coreError(msg: string): never;
  count(name: string): void;
}

/** Records a direct dispatch from select_cpu/enqueue, executed when the callback returns. */
export function directDispatch(core: DispatchHost, t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
  if (t !== core.cb.ctxTask) core.coreError(`${t.comm}[${t.pid}] inserted from ${core.cb.ctx === Ctx.SelectCpu ? "select_cpu" : "enqueue"} of another task`);
  if (t.ddspDsq >= 0) core.coreError(`${t.comm}[${t.pid}] already direct-dispatched`);
  // ddspDsq < 0 means "none": a negative or NaN id must not silently become no insert at all.
  if (!(dsq >= 0)) core.coreError(`invalid DSQ ID ${printable(dsq)}`);
  if (slice !== 0) t.slice = slice;
  if (vtime !== null) t.dsqVtime = vtime;
  t.ddspDsq = dsq;
  t.ddspFlags = flags | (vtime !== null ? INSERT_VTIME : 0);
}

/** Carries out a recorded direct dispatch; a bad target sends the task to the global DSQ. */
export function commitDirect(dsqs: DsqTable, t: Task, enqFlags: number): void {
  const dsq = t.ddspDsq, flags = t.ddspFlags;
  t.ddspDsq = -1;
  t.ddspFlags = 0;
  const vtime = (flags & INSERT_VTIME) !== 0;
  try {
    const d = dsqs.resolve(dsq, t, vtime, -1);
    dsqs.insert(t, d, (flags & ~INSERT_VTIME) | (enqFlags & SCX_ENQ_WAKEUP), vtime);
  } catch (e) {
    if (!(e instanceof ScxAbort)) throw e;
    dsqs.insertSafe(t, dsqs.global, 0, false);
  }
}

/** The inserts made inside one ops.dispatch, on typed arrays sized by dispatch_max_batch. */
export class DispatchBuffer {
  private slot = new Int32Array(SCX_DSP_MAX_LOOPS);
  private qseq = new Float64Array(SCX_DSP_MAX_LOOPS);
  private dsq = new Float64Array(SCX_DSP_MAX_LOOPS);
  private flags = new Int32Array(SCX_DSP_MAX_LOOPS);
  n = 0;
  maxBatch = 32;
  /** Inserts and moves made in the current dispatch round. */
  roundWork = 0;

  constructor(private readonly core: DispatchHost) {}

  resize(n: number): void {
    this.slot = new Int32Array(n);
    this.qseq = new Float64Array(n);
    this.dsq = new Float64Array(n);
    this.flags = new Int32Array(n);
    this.maxBatch = n;
  }

  /** Buffers an insert made inside ops.dispatch. */
  add(t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
    if (this.n >= this.maxBatch) this.core.coreError("dispatch buffer overflow");
    // A stale insert still takes a buffer slot, as in the kernel; the flush drops it. The slice
    // and vtime are the task's all the same: scx_bpf_dsq_insert[_vtime] sets them before it
    // buffers the insert (so inserting a running prev refills its slice, as scx_nest relies on).
    const stale = t.place !== Place.Bpf;
    if (stale) this.core.count("SCX_EV_DISPATCH_STALE");
    if (slice !== 0) t.slice = slice;
    if (vtime !== null) t.dsqVtime = vtime;
    const i = this.n++;
    this.slot[i] = t.slot;
    this.qseq[i] = stale ? -1 : t.qseq;
    this.dsq[i] = dsq;
    this.flags[i] = flags | (vtime !== null ? INSERT_VTIME : 0);
  }

  /** Commits the buffer for `cpu`'s dispatch; inserts of tasks no longer in BPF custody are dropped. */
  flush(tasks: readonly Task[], cpu: number): void {
    const dsqs = this.core.dsqs;
    for (let i = 0; i < this.n; i++) {
      const t = tasks[this.slot[i]];
      if (t.place !== Place.Bpf || t.qseq !== this.qseq[i]) continue;
      const flags = this.flags[i];
      const vtime = (flags & INSERT_VTIME) !== 0;
      const d = dsqs.resolve(this.dsq[i], t, vtime, cpu);
      dsqs.insert(t, d, flags & ~INSERT_VTIME, vtime);
      this.roundWork++;
    }
    this.n = 0;
  }

  /** scx_bpf_dsq_move_to_local's move: the first task of `d` that may run on `cpu`. */
  moveFrom(d: Dsq, cpu: number): boolean {
    const dsqs = this.core.dsqs;
    const t = dsqs.take(d, cpu);
    if (t === null) return false;
    t.place = Place.Sleeping;
    dsqs.insert(t, dsqs.local[cpu], 0, false);
    this.roundWork++;
    return true;
  }
}
