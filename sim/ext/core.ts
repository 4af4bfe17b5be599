/**
 * The sched_ext core of one kernel: the attached scheduler and its flags, the exit claim, the
 * enqueue path, and the notifications the kernel sends (runnable, running, stopping, ...).
 * Its parts live beside it: the DSQs in dsqs.ts, direct dispatch and the dispatch buffer in
 * dispatch.ts, the pick in pick.ts, calling the scheduler in callbacks.ts. Enabling and
 * disabling are lifecycle.ts; the kfuncs a scheduler calls, kfuncs.ts.
 */
import { Cls, Place, Policy, policyClass, type Task } from "../task.js";
import type { ExitInfo, ExitKind } from "../result.js";
import { asCpu } from "./ids.js";
import { escapeControls, printable } from "../printable.js";
import { SCX_CPU_PREEMPT_DL, SCX_CPU_PREEMPT_RT, SCX_CPU_PREEMPT_UNKNOWN, type CpuReleaseArgs, type SchedExtOps } from "./ops.js";
import { IdleTracker } from "./idle_tracker.js";
import { EXIT_REASON, ScxAbort } from "./exit.js";
import { SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_DSP_DFL_MAX_BATCH, SCX_ENQ_HEAD, SCX_EXIT_MSG_LEN, SCX_OPS_ENQ_LAST, SCX_OPS_SWITCH_PARTIAL, SCX_SLICE_DFL, SCX_WAKE_SYNC, SCX_WATCHDOG_MAX_TIMEOUT_MS } from "./consts.js";
import type { ExtHost } from "./host.js";
import { Counters } from "../counters.js";
import { Callbacks, Cb, Ctx, EXIT_ARGS } from "./callbacks.js";
import { DsqTable } from "./dsqs.js";
import type { Dsq } from "./dsq.js";
import { DispatchBuffer, commitDirect, directDispatch } from "./dispatch.js";
import { pickNext } from "./pick.js";

/** Callbacks (and thunks) that run without a runqueue held, where scx_bpf_dsq_move is allowed. */
const UNLOCKED: ReadonlySet<string> = new Set(["init", "timer"]);

export class ExtCore {
  /** The enabled scheduler's ops, as copied at the map write (see copyOps). */
  ops: SchedExtOps | null = null;
  /** The table itself, `this` of its callbacks. */
  table: SchedExtOps | null = null;
  enabled = false;
  name: string | null = null;
  /** Instance counter; the struct_ops link keeps the instance it enabled. */
  instance = 0;
  /** Schedulers enabled since boot (sysfs enable_seq). */
  enableSeq = 0;
  switchPartial = false;
  enqLast = false;
  timeoutNs = 30_000_000_000;
  /** The watchdog's kernel timer (one per kernel, re-armed by every enable), or -1. */
  watchdogTimer = -1;
  /** Kernel timers the scheduler created; freed when it goes away. */
  readonly bpfTimers: number[] = [];

  readonly cb: Callbacks;
  readonly dsqs: DsqTable;
  readonly buf: DispatchBuffer;
  readonly idle: IdleTracker;

  exitInfo: ExitInfo | null = null;
  /** The last exit of any scheduler, kept after a new one attaches (what user space last saw). */
  lastExit: ExitInfo | null = null;
  /** Set once an exit is claimed: callbacks are no longer called, the disable is pending. */
  aborting = false;
  /**
   * A CPU whose own balance asked for an SCX_KICK_IDLE of itself (scx_bpf_kick_cpu defers that
   * to irq work, which reschedules the CPU if it went idle), or -1.
   */
  idleKickAfterPick = -1;
  pendingDisable = false;

  /** 1 while a higher class holds a CPU that ops.cpu_release was told about (rq->scx.cpu_released). */
  readonly cpuReleased: Uint8Array;
  /**
   * rq->scx.kick_sync: moves each time the CPU enters the ext pick or puts an ext task away
   * (do_pick_task_scx, put_prev_task_scx), so an SCX_KICK_WAIT kicker can tell it went through.
   */
  readonly kickSync: Float64Array;
  /** SCX_KICK_WAIT kicks not yet known to be over, as flat triples: kicker, target, the target's kickSync then. */
  readonly kickWaits: number[] = [];
  private qseqSeq = 1;
  /** SCX_EV_* of the current (or, once it is gone, the last) scheduler instance: struct scx_sched's event_stats. */
  private counters = new Counters();

  constructor(readonly host: ExtHost) {
    this.cb = new Callbacks(this);
    this.dsqs = new DsqTable(host, this);
    this.buf = new DispatchBuffer(this);
    this.idle = new IdleTracker(host.topo);
    this.cpuReleased = new Uint8Array(host.topo.nrCpus);
    this.kickSync = new Float64Array(host.topo.nrCpus);
  }

  /**
   * Takes `ops` as the enabled scheduler (the start of bpf_scx_reg once the flags are known to
   * be valid): its callbacks, flags, watchdog timeout and dispatch batch, read from `ops`, the
   * copy of the table made by copyOps (`self` is the table itself, `this` of its callbacks).
   */
  attach(ops: SchedExtOps, self: SchedExtOps): void {
    const flags = ops.flags ?? 0;
    this.ops = ops;
    this.table = self;
    this.name = ops.name;
    this.instance++;
    this.enableSeq++;
    // Each scx_sched counts its own events from zero (scx_alloc_and_add_sched).
    this.counters = new Counters();
    this.enabled = true;
    this.aborting = false;
    this.pendingDisable = false;
    this.exitInfo = null;
    this.switchPartial = (flags & SCX_OPS_SWITCH_PARTIAL) !== 0;
    this.enqLast = (flags & SCX_OPS_ENQ_LAST) !== 0;
    const timeoutMs = ops.timeout_ms && ops.timeout_ms > 0 ? Math.min(ops.timeout_ms, SCX_WATCHDOG_MAX_TIMEOUT_MS) : SCX_WATCHDOG_MAX_TIMEOUT_MS;
    this.timeoutNs = timeoutMs * 1_000_000;
    this.buf.resize(ops.dispatch_max_batch && ops.dispatch_max_batch > 0 ? ops.dispatch_max_batch : SCX_DSP_DFL_MAX_BATCH);
    this.cb.attach(ops, self);
    this.cpuReleased.fill(0);
  }

  /** The end of a disable: queues emptied, the scheduler forgotten. */
  detach(): void {
    this.dsqs.clearAll();
    this.enabled = false;
    this.pendingDisable = false;
    this.ops = null;
    this.table = null;
    this.kickWaits.length = 0;
  }

  /**
   * kick_one_cpu with SCX_KICK_WAIT (Linux 6.19): `kicker` may not go on until `target`, which
   * runs an ext task, has been through its scheduler (its kickSync moved). Kicks already over
   * are dropped here, so the list stays as short as the kicks in flight.
   */
  addKickWait(kicker: number, target: number): void {
    const w = this.kickWaits;
    let n = 0;
    for (let i = 0; i < w.length; i += 3) {
      if (this.kickSync[w[i + 1]] !== w[i + 2]) continue;
      w[n++] = w[i]; w[n++] = w[i + 1]; w[n++] = w[i + 2];
    }
    w.length = n;
    w.push(kicker, target, this.kickSync[target]);
  }

  count(name: string, delta = 1): void {
    this.counters.add(name, delta);
  }

  /** The event counters (SCX_EV_*) of the current or last scheduler instance, by name. */
  get events(): Record<string, number> {
    return this.counters.toRecord();
  }

  // ---- exits ----

  /**
   * Claims the exit (the first claim wins) and schedules the disable. The message is one line
   * (task names and a scheduler's text may hold control characters) and at most what
   * scx_exit_info.msg holds.
   */
  requestExit(kind: ExitKind, msg: string, exitCode = 0): void {
    if (!this.enabled || this.exitInfo !== null) return;
    const line = escapeControls(msg).slice(0, SCX_EXIT_MSG_LEN - 1);
    this.exitInfo = { kind, reason: EXIT_REASON[kind], msg: line, atNs: this.host.now, exitCode };
    this.lastExit = this.exitInfo;
    this.aborting = true;
    this.pendingDisable = true;
  }

  /** A scheduler error detected by the core (SCX_EXIT_ERROR); unwinds the current callback. */
  coreError(msg: string): never {
    this.requestExit("SCX_EXIT_ERROR", msg);
    throw new ScxAbort();
  }

  chargeCallback(cpu: number): void {
    this.host.chargeCallback(cpu);
  }

  // ---- enqueue path ----

  /** Runs the enqueue path for a runnable task (after select_cpu on wakeups). */
  enqueue(t: Task, flags: number): void {
    // runnableAt is the caller's: set when the task woke or left a CPU, kept across re-enqueues
    // (reenqueueLocal), so that the watchdog sees how long it has really waited.
    if (t.ddspDsq >= 0) { commitDirect(this.dsqs, t, flags); return; }
    if (this.aborting || !this.cb.hasEnqueue) {
      t.slice = SCX_SLICE_DFL;
      this.dsqs.insertSafe(t, this.dsqs.global, flags, false);
      return;
    }
    t.place = Place.Bpf;
    t.qseq = this.qseqSeq++;
    const cb = this.cb;
    let r: unknown;
    if (cb.enter(Cb.Enqueue, t, t.cpu)) {
      try { r = cb.enqueue!.call(cb.self, t.view, flags); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
    if (t.ddspDsq >= 0) commitDirect(this.dsqs, t, flags);
    else if (this.aborting && t.place === Place.Bpf) this.dsqs.insertSafe(t, this.dsqs.global, 0, false);
  }

  /** An insert kfunc: a direct dispatch from select_cpu/enqueue, a buffered one from dispatch. */
  dsqInsert(t: Task, dsq: number, slice: number, flags: number, vtime: number | null): void {
    const ctx = this.cb.ctx;
    if (ctx === Ctx.SelectCpu || ctx === Ctx.Enqueue) directDispatch(this, t, dsq, slice, flags, vtime);
    else if (ctx === Ctx.Dispatch) this.buf.add(t, dsq, slice, flags, vtime);
    else this.coreError("scx_bpf_dsq_insert() called outside select_cpu, enqueue or dispatch");
  }

  /** scx_bpf_dsq_move_to_local. */
  moveToLocal(dsqId: number): boolean {
    if (this.cb.ctx !== Ctx.Dispatch) this.coreError("scx_bpf_dsq_move_to_local() called outside ops.dispatch");
    const cpu = this.cb.ctxCpu;
    this.buf.flush(this.host.tasks, cpu);
    // Only user DSQs can be moved from (find_user_dsq): the global DSQ is drained by the core.
    const d = this.dsqs.userDsq(dsqId);
    if (d === undefined) this.coreError(`invalid DSQ ID 0x${dsqId.toString(16)}`);
    return this.buf.moveFrom(d, cpu);
  }

  /**
   * scx_bpf_dsq_move[_vtime] (the kernel's scx_dsq_move): move t, which an iterator over DSQ
   * `src` begun at insert stamp `since` returned, to DSQ `dst`. False when t has left `src` or
   * was queued again since the iteration began. From ops.dispatch (the buffer is flushed first)
   * or outside any callback (a BPF timer, a syscall program). A local target t may not use
   * falls back to the global DSQ, as in the kernel. `slice`/`vtime` null: keep t's.
   */
  moveTask(t: Task, src: number, since: number, dst: number, flags: number, vtimeOrdered: boolean, slice: number | null, vtime: number | null): boolean {
    const ctx = this.cb.ctx;
    // Unlocked contexts (no callback, ops.init, a BPF timer) may move too, as scx_kf_allowed_if_unlocked.
    if (ctx !== Ctx.Dispatch && ctx !== Ctx.None && !UNLOCKED.has(this.cb.currentName())) this.coreError(`scx_bpf_dsq_move() called from ops.${this.cb.currentName()}`);
    const cpu = ctx === Ctx.Dispatch ? this.cb.ctxCpu : t.cpu;
    if (ctx === Ctx.Dispatch) this.buf.flush(this.host.tasks, cpu);
    if (t.place !== Place.Dsq || t.dsq !== src || t.dsqStamp === 0 || t.dsqStamp >= since) return false;
    let d: Dsq;
    if (dst === SCX_DSQ_LOCAL || (dst >= SCX_DSQ_LOCAL_ON && dst < SCX_DSQ_LOCAL_ON + this.dsqs.local.length)) {
      const target = dst === SCX_DSQ_LOCAL ? cpu : dst - SCX_DSQ_LOCAL_ON;
      if (vtimeOrdered) this.coreError("cannot use vtime ordering for built-in DSQs");
      d = this.host.cpuAllowed(t, target) ? this.dsqs.local[target] : this.dsqs.global;
    } else d = this.dsqs.resolve(dst, t, vtimeOrdered, cpu);
    if (slice !== null) t.slice = slice;
    if (vtime !== null) t.dsqVtime = vtime;
    this.dsqs.unlink(t);
    this.dsqs.insert(t, d, flags, vtimeOrdered);
    if (ctx === Ctx.Dispatch) this.buf.roundWork++;
    return true;
  }

  /** Outside any callback, or in ops.init or a BPF timer: the kernel's unlocked contexts. */
  inUnlockedContext(): boolean {
    return this.cb.ctx === Ctx.None || UNLOCKED.has(this.cb.currentName());
  }

  /** The next ext task for `cpu` (see pick.ts): prev to keep it, another task, or null. */
  pick(cpu: number, prev: Task | null): Task | null {
    this.kickSync[cpu]++;
    if (this.cpuReleased[cpu] === 1) this.cpuAcquire(cpu);
    return pickNext(this, cpu, prev);
  }

  /**
   * switch_class: a task of a higher class (`next`) takes a CPU that sched_ext held. Called once
   * until the CPU comes back (balance_one then calls ops.cpu_acquire).
   */
  cpuRelease(cpu: number, next: Task): void {
    if (this.cpuReleased[cpu] === 1 || this.aborting || this.ops === null) return;
    this.cpuReleased[cpu] = 1;
    const fn = this.ops.cpu_release;
    if (typeof fn !== "function") return;
    const reason = next.cls === Cls.Dl ? SCX_CPU_PREEMPT_DL : next.cls === Cls.Rt ? SCX_CPU_PREEMPT_RT : SCX_CPU_PREEMPT_UNKNOWN;
    const args: CpuReleaseArgs = { reason, task: next.view };
    this.cb.invokeThunk("cpu_release", null, () => fn.call(this.table, asCpu(cpu), args), cpu);
  }

  private cpuAcquire(cpu: number): void {
    this.cpuReleased[cpu] = 0;
    const fn = this.ops?.cpu_acquire;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("cpu_acquire", null, () => fn.call(this.table, asCpu(cpu), null), cpu);
  }

  /** The running ext task leaves the CPU but stays runnable. */
  putPrev(t: Task, cpu: number, flags: number): void {
    this.kickSync[cpu]++;
    t.runnableAt = this.host.now;
    this.stopping(t, true);
    if (t.slice > 0 && !this.aborting && flags === 0) {
      this.dsqs.insert(t, this.dsqs.local[cpu], SCX_ENQ_HEAD, false);
      return;
    }
    this.enqueue(t, flags);
  }

  // ---- attribute changes (sched_change.ts) ----

  /** ops.dequeue: the task leaves the BPF scheduler's custody (an attribute change). */
  dequeue(t: Task, flags: number): void {
    const fn = this.ops?.dequeue;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("dequeue", t, () => fn.call(this.table, t.view, flags), t.cpu);
  }

  /** ops.set_weight (reweight_task_scx). */
  setWeight(t: Task, weight: number): void {
    const fn = this.ops?.set_weight;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("set_weight", t, () => fn.call(this.table, t.view, weight), t.cpu);
  }

  /** ops.set_cpumask (set_cpus_allowed_scx). */
  setCpumask(t: Task, mask: Uint8Array | null): void {
    const fn = this.ops?.set_cpumask;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("set_cpumask", t, () => fn.call(this.table, t.view, mask), t.cpu);
  }

  /** ops.cgroup_prep_move: 0 lets the move go on; anything else refuses it (a thrown callback counts as refusal). */
  cgroupPrepMove(t: Task, from: string, to: string): unknown {
    const fn = this.ops?.cgroup_prep_move;
    if (typeof fn !== "function" || this.aborting) return 0;
    const r = this.cb.invokeThunk("cgroup_prep_move", t, () => fn.call(this.table, t.view, from, to), t.cpu);
    return this.cb.threw ? -22 : r ?? 0;
  }

  cgroupMove(t: Task, from: string, to: string): void {
    const fn = this.ops?.cgroup_move;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("cgroup_move", t, () => fn.call(this.table, t.view, from, to), t.cpu);
  }

  cgroupCancelMove(t: Task, from: string, to: string): void {
    const fn = this.ops?.cgroup_cancel_move;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("cgroup_cancel_move", t, () => fn.call(this.table, t.view, from, to), t.cpu);
  }

  cgroupSetWeight(path: string, weight: number): void {
    const fn = this.ops?.cgroup_set_weight;
    if (typeof fn === "function" && !this.aborting) this.cb.invokeThunk("cgroup_set_weight", null, () => fn.call(this.table, path, weight));
  }

  // ---- notifications ----

  // The notifications are hot: each calls through enter/fail/leave itself (see callbacks.ts).

  runnable(t: Task, flags: number): void {
    const cb = this.cb;
    if (!cb.hasRunnable || this.aborting) return;
    let r: unknown;
    if (cb.enter(Cb.Runnable, t, cb.ctxCpu)) {
      try { r = cb.runnable!.call(cb.self, t.view, flags); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  running(t: Task): void {
    const cb = this.cb;
    if (!cb.hasRunning || this.aborting) return;
    let r: unknown;
    if (cb.enter(Cb.Running, t, t.cpu)) {
      try { r = cb.running!.call(cb.self, t.view); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  stopping(t: Task, runnable: boolean): void {
    const cb = this.cb;
    if (!cb.hasStopping || this.aborting) return;
    let r: unknown;
    if (cb.enter(Cb.Stopping, t, t.cpu)) {
      try { r = cb.stopping!.call(cb.self, t.view, runnable); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  quiescent(t: Task, flags: number): void {
    const cb = this.cb;
    if (!cb.hasQuiescent || this.aborting) return;
    let r: unknown;
    if (cb.enter(Cb.Quiescent, t, cb.ctxCpu)) {
      try { r = cb.quiescent!.call(cb.self, t.view, flags); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  tick(t: Task): void {
    if (this.cb.hasTick && !this.aborting) this.cb.invoke(Cb.Tick, t, t.cpu, 0);
  }

  updateIdle(cpu: number, idle: boolean): void {
    const cb = this.cb;
    if (!cb.hasUpdateIdle || this.aborting) return;
    let r: unknown;
    if (cb.enter(Cb.UpdateIdle, null, cpu)) {
      try { r = cb.updateIdle!.call(cb.self, asCpu(cpu), idle); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  /** sched_yield: ops.yield, or by default give up the rest of the slice. */
  yieldTask(t: Task): void {
    if (this.cb.hasYield && !this.aborting) this.cb.invoke(Cb.Yield, t, this.cb.ctxCpu, 0);
    else t.slice = 0;
  }

  /** ops.init_task; returns its result (0 also when absent or when it threw: the exit is claimed then). */
  initTask(t: Task, fork: boolean): unknown {
    if (!this.cb.hasInitTask) return 0;
    const r = this.cb.invoke(Cb.InitTask, t, this.cb.ctxCpu, fork ? 1 : 0);
    return this.cb.threw ? 0 : r;
  }

  enableTask(t: Task): void {
    const cb = this.cb;
    if (!cb.hasEnable) return;
    let r: unknown;
    if (cb.enter(Cb.Enable, t, cb.ctxCpu)) {
      try { r = cb.enable!.call(cb.self, t.view); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  /** ops.disable: the task leaves the ext class (it dies, changes policy, or the scheduler goes). */
  disableTask(t: Task): void {
    const cb = this.cb;
    if (!cb.hasDisable) return;
    let r: unknown;
    if (cb.enter(Cb.Disable, t, cb.ctxCpu)) {
      try { r = cb.disable!.call(cb.self, t.view); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  /** ops.exit_task: the scheduler is done with the task (it died, or the scheduler goes). */
  exitTask(t: Task): void {
    const cb = this.cb;
    if (!cb.hasExitTask) return;
    let r: unknown;
    if (cb.enter(Cb.ExitTask, t, cb.ctxCpu)) {
      try { r = cb.exitTask!.call(cb.self, t.view, EXIT_ARGS); } catch (e) { cb.fail(e); }
    }
    cb.leave(r);
  }

  /** Wake-up placement: ops.select_cpu or the default; may set up a direct dispatch. */
  selectCpu(t: Task, prev: number, wakeFlags: number): number {
    const host = this.host;
    if (t.nrCpusAllowed === 1) return host.firstAllowed(t);
    if (this.aborting || !this.cb.hasSelect) {
      const r = host.selectOut;
      const sync = (wakeFlags & SCX_WAKE_SYNC) !== 0 ? host.wakerCpu : -1;
      // select_task_rq runs on the CPU making the wakeup: the waker's, a sleep's timer interrupt's,
      // else the task's own (a fork runs on the parent's CPU, where sched_fork put the child).
      const from = host.wakerCpu >= 0 ? host.wakerCpu : host.irqCpu >= 0 ? host.irqCpu : t.cpu;
      this.idle.selectDfl(t.cpusAllowed, prev, r, sync, sync >= 0 && this.dsqs.local[sync].nr === 0, from);
      if (r.isIdle && !this.aborting) { t.slice = SCX_SLICE_DFL; t.ddspDsq = SCX_DSQ_LOCAL; t.ddspFlags = 0; }
      return r.cpu;
    }
    const cb = this.cb;
    let r: unknown;
    if (cb.enter(Cb.SelectCpu, t, prev)) {
      try { r = cb.selectCpu!.call(cb.self, t.view, asCpu(prev), wakeFlags); } catch (e) { cb.fail(e); }
    }
    r = cb.leave(r);
    let cpu = prev;
    if (cb.threw) t.ddspDsq = -1;
    else if (typeof r !== "number" || !Number.isInteger(r) || r < 0 || r >= host.topo.nrCpus) {
      this.requestExit("SCX_EXIT_ERROR", `select_cpu returned invalid CPU ${printable(r)}`);
      t.ddspDsq = -1;
    } else cpu = r;
    if (!host.cpuAllowed(t, cpu)) {
      this.count("SCX_EV_SELECT_CPU_FALLBACK");
      cpu = host.cpuAllowed(t, prev) ? prev : host.firstAllowed(t);
    }
    return cpu;
  }
}

/** task_should_scx: a fair-class policy, and SCHED_EXT itself under SWITCH_PARTIAL (RT and DL never). */
export function wantsExt(core: ExtCore, policy: Policy): boolean {
  if (policyClass(policy) !== Cls.Fair) return false;
  return core.switchPartial ? policy === Policy.Ext : true;
}
