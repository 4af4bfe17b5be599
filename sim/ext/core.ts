/**
 * The sched_ext core: dispatch queues, the enqueue and dispatch paths, how a CPU finds its next
 * task (reference/sched_ext.md §2.7), direct dispatch, the dispatch buffer, and the exit claim.
 * Enabling and disabling live in lifecycle.ts; the kfuncs a scheduler calls in kfuncs.ts.
 */
import { Place, type Task } from "../task.js";
import type { ExitInfo, ExitKind } from "../result.js";
import type { ExitTaskArgs, InitTaskArgs, SchedExtOps } from "./ops.js";
import { Dsq, DsqOrder } from "./dsq.js";
import { IdleTracker } from "./select_dfl.js";
import { EXIT_REASON, ScxAbort } from "./exit.js";
import {
  SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_DSQ_USER_MAX, SCX_DSP_MAX_LOOPS,
  SCX_ENQ_HEAD, SCX_ENQ_PREEMPT, SCX_ENQ_WAKEUP, SCX_SLICE_DFL, SCX_ENQ_LAST,
} from "./consts.js";
import type { ExtHost } from "./host.js";
import { Counters } from "../counters.js";

/** Which callback is running, for kfunc context checks. */
export const enum Ctx {
  None = 0,
  SelectCpu = 1,
  Enqueue = 2,
  Dispatch = 3,
  Other = 4,
}

/** Arguments of init_task and exit_task: shared, read-only, so per-task calls allocate nothing. */
const INIT_FORK: InitTaskArgs = Object.freeze({ fork: true });
const INIT_LOAD: InitTaskArgs = Object.freeze({ fork: false });
const EXIT_ARGS: ExitTaskArgs = Object.freeze({ cancelled: false });

/** Internal flag on a pending insert: it carries a vtime. */
const INSERT_VTIME = 1 << 30;

export class ExtCore {
  ops: SchedExtOps | null = null;
  enabled = false;
  name: string | null = null;
  /** Instance counter; the struct_ops link keeps the instance it enabled. */
  instance = 0;
  switchPartial = false;
  enqLast = false;
  timeoutNs = 30_000_000_000;
  maxBatch = 32;
  hasSelect = false; hasEnqueue = false; hasDispatch = false; hasTick = false;
  hasRunnable = false; hasRunning = false; hasStopping = false; hasQuiescent = false;
  hasYield = false; hasUpdateIdle = false; hasDequeue = false;

  readonly global: Dsq;
  readonly local: Dsq[];
  private readonly user = new Map<number, Dsq>();
  /** The user DSQ found last: most schedulers use one or two, so most lookups skip the map. */
  private lastUserId = -1;
  private lastUser: Dsq | undefined = undefined;
  readonly idle: IdleTracker;

  exitInfo: ExitInfo | null = null;
  /** Set once an exit is claimed: callbacks are no longer called, the disable is pending. */
  aborting = false;
  pendingDisable = false;

  ctx: Ctx = Ctx.None;
  ctxTask: Task | null = null;
  /** The CPU whose pick (balance, ops.dispatch) is running, or -1. */
  private balancing = -1;
  ctxCpu = 0;
  private stampSeq = 1;
  private qseqSeq = 1;
  // The dispatch buffer: inserts made inside ops.dispatch, committed when it returns.
  private bufSlot: Int32Array;
  private bufQseq: Float64Array;
  private bufDsq: Float64Array;
  private bufFlags: Int32Array;
  bufN = 0;
  /** Inserts and moves made in the current dispatch round. */
  private roundWork = 0;
  private readonly counters = new Counters();

  constructor(readonly host: ExtHost) {
    const n = host.topo.nrCpus;
    this.global = new Dsq(SCX_DSQ_GLOBAL, true);
    this.global.order = DsqOrder.Fifo;
    this.local = Array.from({ length: n }, (_, c) => {
      const d = new Dsq(SCX_DSQ_LOCAL_ON + c, true);
      d.order = DsqOrder.Fifo;
      return d;
    });
    this.idle = new IdleTracker(host.topo);
    this.bufSlot = new Int32Array(SCX_DSP_MAX_LOOPS);
    this.bufQseq = new Float64Array(SCX_DSP_MAX_LOOPS);
    this.bufDsq = new Float64Array(SCX_DSP_MAX_LOOPS);
    this.bufFlags = new Int32Array(SCX_DSP_MAX_LOOPS);
  }

  count(name: string, delta = 1): void {
    this.counters.add(name, delta);
  }

  /** The core's event counters (SCX_EV_*), by name. */
  get events(): Record<string, number> {
    return this.counters.toRecord();
  }

  resizeBuffer(n: number): void {
    this.bufSlot = new Int32Array(n);
    this.bufQseq = new Float64Array(n);
    this.bufDsq = new Float64Array(n);
    this.bufFlags = new Int32Array(n);
    this.maxBatch = n;
  }

  // ---- exits ----

  /** Claims the exit (the first claim wins) and schedules the disable. */
  requestExit(kind: ExitKind, msg: string, exitCode = 0): void {
    if (!this.enabled || this.exitInfo !== null) return;
    this.exitInfo = { kind, reason: EXIT_REASON[kind], msg, atNs: this.host.now, exitCode };
    this.aborting = true;
    this.pendingDisable = true;
  }

  /** A scheduler error detected by the core (SCX_EXIT_ERROR); unwinds the current callback. */
  coreError(msg: string): never {
    this.requestExit("SCX_EXIT_ERROR", msg);
    throw new ScxAbort();
  }

  /** Turns an exception out of a scheduler callback into an exit. */
  callbackThrew(e: unknown, cb: string): void {
    if (e instanceof ScxAbort) return;
    const msg = e instanceof Error ? e.message : String(e);
    this.requestExit("SCX_EXIT_ERROR_BPF", `${cb}: ${msg}`);
  }

  // ---- queues ----

  /** Resolves a DSQ id as seen from the current context; reports bad ids as scheduler errors. */
  resolveDsq(id: number, t: Task, vtime: boolean): Dsq {
    const isLocal = id === SCX_DSQ_LOCAL;
    if (isLocal || (id >= SCX_DSQ_LOCAL_ON && id < SCX_DSQ_LOCAL_ON + 65536)) {
      // SCX_DSQ_LOCAL is the dispatching CPU's (or the task's own) local DSQ; it gets the same
      // checks as LOCAL_ON, as in the kernel (from ops.dispatch it may name a CPU p cannot use).
      const cpu = isLocal ? (this.ctx === Ctx.Dispatch ? this.ctxCpu : t.cpu) : id - SCX_DSQ_LOCAL_ON;
      if (!Number.isInteger(cpu) || cpu >= this.local.length) this.coreError(`invalid CPU ${cpu} in SCX_DSQ_LOCAL_ON`);
      if (vtime) this.coreError("cannot use vtime ordering for built-in DSQs");
      if (!this.host.cpuAllowed(t, cpu)) {
        this.requestExit("SCX_EXIT_ERROR", `SCX_DSQ_LOCAL[_ON] target CPU ${cpu} not allowed for ${t.comm}[${t.pid}]`);
        return this.global;
      }
      return this.local[cpu];
    }
    if (id === SCX_DSQ_GLOBAL) {
      if (vtime) this.coreError("cannot use vtime ordering for built-in DSQs");
      return this.global;
    }
    if (Number.isInteger(id) && id >= 0 && id < SCX_DSQ_USER_MAX) {
      const d = this.userDsq(id);
      if (d === undefined) this.coreError(`non-existent DSQ 0x${id.toString(16)} for ${t.comm}[${t.pid}]`);
      return d;
    }
    this.coreError(`invalid DSQ ID 0x${Number.isFinite(id) ? id.toString(16) : String(id)}`);
  }

  /** Puts a runnable task on a DSQ; kicks the CPU whose local DSQ received it if needed. */
  insert(t: Task, d: Dsq, flags: number, vtime: boolean): void {
    const want = vtime ? DsqOrder.Vtime : DsqOrder.Fifo;
    if (d.order === DsqOrder.Unset) d.order = want;
    else if (d.order !== want) {
      this.coreError(`DSQ 0x${d.id.toString(16)} already ${d.order === DsqOrder.Fifo ? "FIFO" : "vtime"}-ordered`);
    }
    t.place = Place.Dsq;
    t.dsq = d.id;
    t.dsqStamp = this.stampSeq++;
    if (vtime) d.prio.push(t.dsqVtime, t.slot, t.dsqStamp);
    else if (flags & (SCX_ENQ_HEAD | SCX_ENQ_PREEMPT)) d.fifo.pushFront(t.slot, t.dsqStamp);
    else d.fifo.pushBack(t.slot, t.dsqStamp);
    if (d.builtin && d !== this.global) {
      const cpu = d.id - SCX_DSQ_LOCAL_ON;
      // A CPU in balance is already looking for its next task: no kick, no preemption (as the
      // kernel's local_dsq_post_enq with SCX_RQ_IN_BALANCE).
      if (cpu === this.balancing) return;
      if (flags & SCX_ENQ_PREEMPT) this.host.preemptExt(cpu);
      else this.host.kickIfLower(cpu);
    }
  }

  /** Takes a task off its DSQ (lazily: its entry goes stale). */
  unlink(t: Task): void {
    if (t.place !== Place.Dsq) return;
    const d = this.dsqOf(t.dsq);
    if (d !== undefined) {
      if (d.order === DsqOrder.Vtime) d.prio.live--;
      else d.fifo.live--;
    }
    t.dsqStamp = 0;
    t.place = Place.Sleeping;
  }

  /** A user DSQ by id, or undefined. */
  userDsq(id: number): Dsq | undefined {
    if (id === this.lastUserId) return this.lastUser;
    const d = this.user.get(id);
    if (d !== undefined) { this.lastUserId = id; this.lastUser = d; }
    return d;
  }

  /** scx_bpf_create_dsq's effect: false when the id is taken. */
  addUserDsq(d: Dsq): boolean {
    if (this.user.has(d.id)) return false;
    this.user.set(d.id, d);
    return true;
  }

  removeUserDsq(id: number): void {
    this.user.delete(id);
    this.lastUserId = -1;
    this.lastUser = undefined;
  }

  /** Every user DSQ, in creation order. */
  userDsqs(): IterableIterator<Dsq> {
    return this.user.values();
  }

  clearUserDsqs(): void {
    this.user.clear();
    this.lastUserId = -1;
    this.lastUser = undefined;
  }

  dsqOf(id: number): Dsq | undefined {
    if (id === SCX_DSQ_GLOBAL) return this.global;
    if (id >= SCX_DSQ_LOCAL_ON) return this.local[id - SCX_DSQ_LOCAL_ON];
    return this.userDsq(id);
  }

  /** First live task of a DSQ allowed on `cpu` (or any when cpu < 0), removed from it. */
  take(d: Dsq, cpu: number): Task | null {
    const tasks = this.host.tasks;
    if (d.order === DsqOrder.Vtime) return this.takeVtime(d, cpu);
    const q = d.fifo;
    for (let i = 0; i < q.n; i++) {
      const t = tasks[q.slotAt(i)];
      if (t.dsqStamp !== q.stampAt(i) || t.place !== Place.Dsq) {
        if (i === 0) { q.popFront(); i--; }
        continue;
      }
      if (cpu >= 0 && !this.host.cpuAllowed(t, cpu)) continue;
      if (i === 0) q.popFront();
      else q.removeAt(i);
      q.live--;
      t.dsqStamp = 0;
      return t;
    }
    return null;
  }

  /** Head of a DSQ without removing it. */
  peek(d: Dsq): Task | null {
    const tasks = this.host.tasks;
    if (d.order === DsqOrder.Vtime) {
      const h = d.prio;
      while (h.n > 0) {
        const t = tasks[h.slot[0]];
        if (t.dsqStamp === h.stamp[0] && t.place === Place.Dsq) return t;
        h.popTop();
      }
      return null;
    }
    const q = d.fifo;
    while (q.n > 0) {
      const t = tasks[q.slotAt(0)];
      if (t.dsqStamp === q.stampAt(0) && t.place === Place.Dsq) return t;
      q.popFront();
    }
    return null;
  }

  /**
   * The tasks queued on `d`, in the order they would be dispatched, into `out` (cleared first):
   * what a BPF DSQ iterator (bpf_for_each(scx_dsq, ...)) walks. Queued-at-start snapshot, as the
   * kernel's iterator skips tasks queued after it began.
   */
  snapshot(d: Dsq, out: Task[]): void {
    out.length = 0;
    const tasks = this.host.tasks;
    if (d.order === DsqOrder.Vtime) {
      const h = d.prio, live: number[] = [];
      for (let i = 0; i < h.n; i++) {
        const t = tasks[h.slot[i]];
        if (t.dsqStamp === h.stamp[i] && t.place === Place.Dsq) live.push(i);
      }
      live.sort((a, b) => h.key[a] - h.key[b] || h.seq[a] - h.seq[b]);
      for (const i of live) out.push(tasks[h.slot[i]]);
      return;
    }
    const q = d.fifo;
    for (let i = 0; i < q.n; i++) {
      const t = tasks[q.slotAt(i)];
      if (t.dsqStamp === q.stampAt(i) && t.place === Place.Dsq) out.push(t);
    }
  }

  private takeVtime(d: Dsq, cpu: number): Task | null {
    const h = d.prio, tasks = this.host.tasks;
    let skipped: Task[] | null = null;
    let found: Task | null = null;
    while (h.n > 0) {
      const t = tasks[h.slot[0]];
      const live = t.dsqStamp === h.stamp[0] && t.place === Place.Dsq;
      h.popTop();
      if (!live) continue;
      h.live--;
      if (cpu >= 0 && !this.host.cpuAllowed(t, cpu)) { (skipped ??= []).push(t); continue; }
      found = t;
      break;
    }
    if (skipped !== null) for (const t of skipped) h.push(t.dsqVtime, t.slot, t.dsqStamp);
    if (found !== null) found.dsqStamp = 0;
    return found;
  }

  // ---- enqueue path ----

  /** Runs the enqueue path for a runnable task (after select_cpu on wakeups). */
  enqueue(t: Task, flags: number): void {
    // runnableAt is the caller's: set when the task woke or left a CPU, kept across re-enqueues
    // (reenqueueLocal), so that the watchdog sees how long it has really waited.
    if (t.ddspDsq >= 0) { this.commitDirect(t, flags); return; }
    if (this.aborting || !this.hasEnqueue) {
      t.slice = SCX_SLICE_DFL;
      this.insertSafe(t, this.global, flags, false);
      return;
    }
    t.place = Place.Bpf;
    t.qseq = this.qseqSeq++;
    const ops = this.ops!;
    // enqueue may be reached from inside another callback (scx.reenqueueLocal from dispatch):
    // the caller's context comes back afterwards.
    const outerCtx = this.ctx, outerTask = this.ctxTask, outerCpu = this.ctxCpu;
    this.ctx = Ctx.Enqueue;
    this.ctxTask = t;
    this.ctxCpu = t.cpu;
    try {
      this.host.chargeCallback(t.cpu);
      ops.enqueue!(t, flags);
    } catch (e) {
      this.callbackThrew(e, "enqueue");
    }
    this.ctx = outerCtx;
    this.ctxTask = outerTask;
    this.ctxCpu = outerCpu;
    if (t.ddspDsq >= 0) this.commitDirect(t, flags);
    else if (this.aborting && t.place === Place.Bpf) this.insertSafe(t, this.global, 0, false);
  }

  /** Records a direct dispatch from select_cpu/enqueue, executed when the callback returns. */
  directDispatch(t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
    if (t !== this.ctxTask) this.coreError(`${t.comm}[${t.pid}] inserted from ${this.ctx === Ctx.SelectCpu ? "select_cpu" : "enqueue"} of another task`);
    if (t.ddspDsq >= 0) this.coreError(`${t.comm}[${t.pid}] already direct-dispatched`);
    // ddspDsq < 0 means "none": a negative or NaN id must not silently become no insert at all.
    if (!(dsq >= 0)) this.coreError(`invalid DSQ ID ${String(dsq)}`);
    if (slice !== 0) t.slice = slice;
    if (vtime !== null) t.dsqVtime = vtime;
    t.ddspDsq = dsq;
    t.ddspFlags = flags | (vtime !== null ? INSERT_VTIME : 0);
  }

  private commitDirect(t: Task, enqFlags: number): void {
    const dsq = t.ddspDsq, flags = t.ddspFlags;
    t.ddspDsq = -1;
    t.ddspFlags = 0;
    const vtime = (flags & INSERT_VTIME) !== 0;
    try {
      const d = this.resolveDsq(dsq, t, vtime);
      this.insert(t, d, (flags & ~INSERT_VTIME) | (enqFlags & SCX_ENQ_WAKEUP), vtime);
    } catch (e) {
      if (!(e instanceof ScxAbort)) throw e;
      this.insertSafe(t, this.global, 0, false);
    }
  }

  /** Insert that cannot fail (fallback to the global FIFO). */
  insertSafe(t: Task, d: Dsq, flags: number, vtime: boolean): void {
    if (d.order !== DsqOrder.Unset && d.order !== (vtime ? DsqOrder.Vtime : DsqOrder.Fifo)) d = this.global;
    t.place = Place.Dsq;
    t.dsq = d.id;
    t.dsqStamp = this.stampSeq++;
    if (d.order === DsqOrder.Unset) d.order = vtime ? DsqOrder.Vtime : DsqOrder.Fifo;
    if (vtime) d.prio.push(t.dsqVtime, t.slot, t.dsqStamp);
    else if (flags & SCX_ENQ_HEAD) d.fifo.pushFront(t.slot, t.dsqStamp);
    else d.fifo.pushBack(t.slot, t.dsqStamp);
    if (d !== this.global && d.builtin && d.id - SCX_DSQ_LOCAL_ON !== this.balancing) this.host.kickIfLower(d.id - SCX_DSQ_LOCAL_ON);
  }

  // ---- dispatch path ----

  /** Buffers an insert made inside ops.dispatch. */
  bufferInsert(t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
    if (this.bufN >= this.maxBatch) this.coreError("dispatch buffer overflow");
    // A stale insert still takes a buffer slot, as in the kernel; the flush drops it.
    const stale = t.place !== Place.Bpf;
    if (stale) this.count("SCX_EV_DISPATCH_STALE");
    else {
      if (slice !== 0) t.slice = slice;
      if (vtime !== null) t.dsqVtime = vtime;
    }
    const i = this.bufN++;
    this.bufSlot[i] = t.slot;
    this.bufQseq[i] = stale ? -1 : t.qseq;
    this.bufDsq[i] = dsq;
    this.bufFlags[i] = flags | (vtime !== null ? INSERT_VTIME : 0);
  }

  /** Commits the dispatch buffer; inserts of tasks no longer in BPF custody are dropped. */
  flushBuffer(): void {
    const tasks = this.host.tasks;
    for (let i = 0; i < this.bufN; i++) {
      const t = tasks[this.bufSlot[i]];
      if (t.place !== Place.Bpf || t.qseq !== this.bufQseq[i]) continue;
      const flags = this.bufFlags[i];
      const vtime = (flags & INSERT_VTIME) !== 0;
      const d = this.resolveDsq(this.bufDsq[i], t, vtime);
      this.insert(t, d, flags & ~INSERT_VTIME, vtime);
      this.roundWork++;
    }
    this.bufN = 0;
  }

  /** scx_bpf_dsq_move_to_local. */
  moveToLocal(dsqId: number): boolean {
    if (this.ctx !== Ctx.Dispatch) this.coreError("scx_bpf_dsq_move_to_local() called outside ops.dispatch");
    this.flushBuffer();
    const d = this.userDsq(dsqId);
    if (d === undefined) {
      if (dsqId === SCX_DSQ_GLOBAL) return this.moveFrom(this.global);
      this.coreError(`non-existent DSQ 0x${dsqId.toString(16)}`);
    }
    return this.moveFrom(d);
  }

  private moveFrom(d: Dsq): boolean {
    const t = this.take(d, this.ctxCpu);
    if (t === null) return false;
    t.place = Place.Sleeping;
    this.insert(t, this.local[this.ctxCpu], 0, false);
    this.roundWork++;
    return true;
  }

  /**
   * The next ext task for `cpu` (balance + pick_task): keep `prev` while it has slice, else the
   * local DSQ, the global DSQ, then ops.dispatch rounds. `prev` is the ext task that was running
   * and is still runnable, or null. Returns prev to keep it, another task, or null.
   */
  pick(cpu: number, prev: Task | null): Task | null {
    this.balancing = cpu;
    try {
      return this.balanceAndPick(cpu, prev);
    } finally {
      this.balancing = -1;
    }
  }

  private balanceAndPick(cpu: number, prev: Task | null): Task | null {
    if (prev !== null && prev.slice > 0 && !this.aborting) return prev;
    let t = this.take(this.local[cpu], -1) ?? this.take(this.global, cpu);
    if (t !== null) return this.refill(t);
    if (this.hasDispatch && !this.aborting) {
      const ops = this.ops!;
      for (let round = 0; round < SCX_DSP_MAX_LOOPS; round++) {
        this.roundWork = 0;
        this.ctx = Ctx.Dispatch;
        this.ctxCpu = cpu;
        try {
          this.host.chargeCallback(cpu);
          ops.dispatch!(cpu, prev);
          this.flushBuffer();
        } catch (e) {
          this.callbackThrew(e, "dispatch");
          this.bufN = 0;
        }
        this.ctx = Ctx.None;
        if (this.aborting) break;
        if (prev !== null && prev.slice > 0) return prev;
        t = this.take(this.local[cpu], -1) ?? this.take(this.global, cpu);
        if (t !== null) return this.refill(t);
        if (this.roundWork === 0) break;
      }
    }
    if (prev !== null) {
      if (this.enqLast && !this.aborting) {
        // prev leaves the CPU through ops.enqueue (the caller must not put it back again);
        // if that queued it here, it is picked again as a new task.
        this.putPrev(prev, cpu, SCX_ENQ_LAST);
        t = this.take(this.local[cpu], -1) ?? this.take(this.global, cpu);
        return t === null ? null : this.refill(t);
      }
      prev.slice = SCX_SLICE_DFL;
      this.count("SCX_EV_DISPATCH_KEEP_LAST");
      return prev;
    }
    return null;
  }

  /**
   * pick_task: a task about to run with no slice left (a scheduler inserted it with slice 0,
   * which keeps the spent one) gets the default slice, as the kernel does, counting
   * SCX_EV_REFILL_SLICE_DFL. Without it such a task would expire at once, forever, at one instant.
   */
  private refill(t: Task): Task {
    if (!(t.slice > 0)) {
      t.slice = SCX_SLICE_DFL;
      this.count("SCX_EV_REFILL_SLICE_DFL");
    }
    return t;
  }

  /** The running ext task leaves the CPU but stays runnable. */
  putPrev(t: Task, cpu: number, flags: number): void {
    t.runnableAt = this.host.now;
    this.stopping(t, true);
    if (t.slice > 0 && !this.aborting && flags === 0) {
      this.insert(t, this.local[cpu], SCX_ENQ_HEAD, false);
      return;
    }
    this.enqueue(t, flags);
  }

  // ---- notifications ----

  runnable(t: Task, flags: number): void {
    if (!this.hasRunnable || this.aborting) return;
    const outer = this.enter(t);
    try { this.ops!.runnable!(t, flags); } catch (e) { this.callbackThrew(e, "runnable"); }
    this.ctx = outer;
  }

  running(t: Task): void {
    if (!this.hasRunning || this.aborting) return;
    try { this.host.chargeCallback(t.cpu); this.ops!.running!(t); } catch (e) { this.callbackThrew(e, "running"); }
  }

  stopping(t: Task, runnable: boolean): void {
    if (!this.hasStopping || this.aborting) return;
    try { this.host.chargeCallback(t.cpu); this.ops!.stopping!(t, runnable); } catch (e) { this.callbackThrew(e, "stopping"); }
  }

  quiescent(t: Task, flags: number): void {
    if (!this.hasQuiescent || this.aborting) return;
    const outer = this.enter(t);
    try { this.ops!.quiescent!(t, flags); } catch (e) { this.callbackThrew(e, "quiescent"); }
    this.ctx = outer;
  }

  /** ops.init_task; returns its result (0 also when absent or when it threw: the exit is claimed then). */
  initTask(t: Task, fork: boolean): number {
    const ops = this.ops!;
    if (typeof ops.init_task !== "function") return 0;
    const outer = this.enter(t);
    let ret = 0;
    try { ret = ops.init_task(t, fork ? INIT_FORK : INIT_LOAD); } catch (e) { this.callbackThrew(e, "init_task"); }
    this.ctx = outer;
    return ret;
  }

  enableTask(t: Task): void {
    const ops = this.ops!;
    if (typeof ops.enable !== "function") return;
    const outer = this.enter(t);
    try { ops.enable(t); } catch (e) { this.callbackThrew(e, "enable"); }
    this.ctx = outer;
  }

  /** ops.disable then ops.exit_task, for a task leaving sched_ext. */
  exitTask(t: Task): void {
    const ops = this.ops!;
    const outer = this.enter(t);
    if (typeof ops.disable === "function") {
      try { ops.disable(t); } catch (e) { this.callbackThrew(e, "disable"); }
    }
    if (typeof ops.exit_task === "function") {
      try { ops.exit_task(t, EXIT_ARGS); } catch (e) { this.callbackThrew(e, "exit_task"); }
    }
    this.ctx = outer;
  }

  /** Enters a task callback without a kfunc-specific context; returns the context to restore. */
  private enter(t: Task): Ctx {
    const outer = this.ctx;
    this.ctx = Ctx.Other;
    this.ctxTask = t;
    return outer;
  }

  tick(t: Task): void {
    if (!this.hasTick || this.aborting) return;
    try { this.ops!.tick!(t); } catch (e) { this.callbackThrew(e, "tick"); }
  }

  /** sched_yield: ops.yield, or by default give up the rest of the slice. */
  yieldTask(t: Task): void {
    if (this.hasYield && !this.aborting) {
      this.call(t, "yield", () => { this.ops!.yield!(t, null); });
    } else t.slice = 0;
  }

  updateIdle(cpu: number, idle: boolean): void {
    if (!this.hasUpdateIdle || this.aborting) return;
    try { this.ops!.update_idle!(cpu, idle); } catch (e) { this.callbackThrew(e, "update_idle"); }
  }

  /** Calls a rarely used callback with context Other (a closure is fine off the hot path). */
  call(t: Task | null, cb: string, fn: () => void): void {
    const prevCtx = this.ctx;
    this.ctx = Ctx.Other;
    this.ctxTask = t;
    try { fn(); } catch (e) { this.callbackThrew(e, cb); }
    this.ctx = prevCtx;
  }

  /** Wake-up placement: ops.select_cpu or the default; may set up a direct dispatch. */
  selectCpu(t: Task, prev: number, wakeFlags: number): number {
    const host = this.host;
    if (t.nrCpusAllowed === 1) return host.firstAllowed(t);
    if (this.aborting || !this.hasSelect) {
      const r = host.selectOut;
      this.idle.selectDfl(t.cpusAllowed, prev, r);
      if (r.isIdle && !this.aborting) { t.slice = SCX_SLICE_DFL; t.ddspDsq = SCX_DSQ_LOCAL; t.ddspFlags = 0; }
      return r.cpu;
    }
    let cpu = prev;
    this.ctx = Ctx.SelectCpu;
    this.ctxTask = t;
    this.ctxCpu = prev;
    try {
      host.chargeCallback(prev);
      cpu = this.ops!.select_cpu!(t, prev, wakeFlags);
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= host.topo.nrCpus) {
        this.coreError(`select_cpu returned invalid CPU ${String(cpu)}`);
      }
    } catch (e) {
      this.callbackThrew(e, "select_cpu");
      cpu = prev;
      t.ddspDsq = -1;
    }
    this.ctx = Ctx.None;
    this.ctxTask = null;
    if (!host.cpuAllowed(t, cpu)) {
      this.count("SCX_EV_SELECT_CPU_FALLBACK");
      cpu = host.cpuAllowed(t, prev) ? prev : host.firstAllowed(t);
    }
    return cpu;
  }
}

/** Whether a task belongs in the ext class under the current mode. */
export function extEligible(core: ExtCore, t: Task): boolean {
  if (!core.enabled) return false;
  return core.switchPartial ? t.policy === 1 : true;
}
