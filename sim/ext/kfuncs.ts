/**
 * The kfunc facade (`scx`) handed to a scheduler: thin checks of the calling context, then the
 * core. Misuse that the kernel reports as a scheduler error (a kfunc called from the wrong
 * callback, a bad CPU) ejects the scheduler with SCX_EXIT_ERROR.
 */
import type { Kernel } from "../kernel.js";
import { TaskView } from "./task_view.js";
import { asCpu, type CpuId, type DsqId } from "./ids.js";
import type { Scx, ScxTask, SelectCpuResult, TaskStorage } from "./ops.js";
import type { DsqCursor } from "./dsq_cursor.js";
import { Ctx, describeThrown } from "./callbacks.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_USER_MAX, SCX_ENQ_REENQ, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_PICK_IDLE_CORE, SCX_PICK_IDLE_IN_NODE, SCX_WAKE_SYNC } from "./consts.js";
import { EBUSY, EEXIST, EINVAL, ENOENT, ENOMEM, EPERM } from "../bpf/errno.js";
import { trackBpfTimer } from "./lifecycle.js";
import { Cls, Place, type Task } from "../task.js";
import { Counters } from "../counters.js";
import { CPUPERF_ONE } from "../cpuperf.js";
import { printable } from "../printable.js";

const taskOf = TaskView.taskOf;

class SlotStorage<T> implements TaskStorage<T> {
  private readonly values: (T | undefined)[] = [];
  private readonly pids: number[] = [];
  constructor(private readonly init: (p: ScxTask) => T) {}

  get(p: ScxTask): T {
    const t = taskOf(p), slot = t.slot;
    if (this.pids[slot] !== t.pid) {
      this.values[slot] = this.init(p);
      this.pids[slot] = t.pid;
    }
    return this.values[slot] as T;
  }
}

/** User DSQs a scheduler may create (scx_bpf_create_dsq then returns -ENOMEM). */
export const USER_DSQS_MAX = 65_536;
/** BPF timers a scheduler may create. */
export const BPF_TIMERS_MAX = 4096;
/** Firings of one BPF timer at one instant before it counts as re-arming itself with no delay. */
export const TIMER_SAME_INSTANT_MAX = 10_000;

export class ScxKfuncs implements Scx {
  private readonly out: SelectCpuResult = { cpu: asCpu(0), isIdle: false };
  /**
   * The scheduler's stats, of one instance (ExtCore.instance) like the kernel's events. A holder
   * changed in place: a facade made with Object.create(scx) (a test's wrapper) shares it.
   */
  private readonly own = { of: 0, counters: new Counters() };
  /** Readers of a loaded object's counters, with the instance the object enables when attached. */
  private readonly statReaders: { readonly instance: number; readonly read: () => Readonly<Record<string, number>> }[] = [];
  /** What went wrong reading statistics (a reader that threw or gave no record), for the run's warnings. */
  readonly statProblems: string[] = [];
  /** The CPU each BPF timer was last started on, where its expiries are charged (bpf_timer_start). */
  private readonly timerCpu: number[] = [];

  /** scx_bpf_select_cpu_and's allowed CPUs, reused. */
  private readonly andMask: Uint8Array;
  /** Every CPU: the mask a null one stands for. */
  private readonly allCpus: Uint8Array;

  constructor(private readonly k: Kernel) {
    this.andMask = new Uint8Array(k.topo.nrCpus);
    this.allCpus = new Uint8Array(k.topo.nrCpus).fill(1);
  }

  now(): number { return this.k.now; }
  nrCpus(): number { return this.k.topo.nrCpus; }
  hz(): number { return this.k.hz; }
  cpuLlc(cpu: CpuId): number { return this.k.topo.llcOf[this.cpuOk(cpu)]; }
  cpuNode(cpu: CpuId): number { return this.k.topo.nodeOf[this.cpuOk(cpu)]; }
  cpuCapacity(cpu: CpuId): number { return this.k.topo.capacity[this.cpuOk(cpu)]; }
  cpuSibling(cpu: CpuId): CpuId { return asCpu(this.k.topo.sibling[this.cpuOk(cpu)]); }
  nrLlcs(): number { return this.k.topo.nrLlcs; }
  nrNodes(): number { return this.k.topo.nrNodes; }
  cpuperfCap(cpu: CpuId): number { return this.k.topo.capacity[this.cpuOk(cpu)]; }
  cpuperfCur(cpu: CpuId): number { return this.k.perf.current(this.cpuOk(cpu)); }

  cpuperfSet(cpu: CpuId, perf: number): void {
    this.cpuOk(cpu);
    if (!Number.isInteger(perf) || perf < 0 || perf > CPUPERF_ONE) this.k.ext.coreError(`invalid cpuperf target ${printable(perf)} for CPU ${cpu}`);
    this.k.perf.set(cpu, perf);
  }

  dsqInsert(p: ScxTask, dsq: DsqId, sliceNs: number, enqFlags: number): void {
    this.k.ext.dsqInsert(taskOf(p), dsq, sliceNs, enqFlags, null);
  }

  dsqInsertVtime(p: ScxTask, dsq: DsqId, sliceNs: number, vtime: number, enqFlags: number): void {
    this.k.ext.dsqInsert(taskOf(p), dsq, sliceNs, enqFlags, vtime);
  }

  dsqMoveToLocal(dsq: DsqId): boolean { return this.k.ext.moveToLocal(dsq); }

  dsqNrQueued(dsq: DsqId): number {
    const d = this.k.ext.dsqs.dsqOf(dsq);
    if (d === undefined) return -ENOENT;
    return d.nr;
  }

  dsqPeek(dsq: DsqId): ScxTask | null {
    const dsqs = this.k.ext.dsqs;
    const d = dsqs.userDsq(dsq);
    if (d === undefined) return null;
    const t = dsqs.peek(d);
    return t === null ? null : t.view;
  }

  dsqTasks(dsq: DsqId, out: ScxTask[]): number {
    const dsqs = this.k.ext.dsqs;
    const d = dsq === SCX_DSQ_GLOBAL ? dsqs.global : dsqs.userDsq(dsq);
    if (d === undefined) { out.length = 0; return -ENOENT; }
    dsqs.snapshot(d, out);
    return 0;
  }

  dsqIterStamp(): number { return this.k.ext.dsqs.stamp; }

  dsqWalkStart(c: DsqCursor, dsq: DsqId, rev: boolean): number {
    const dsqs = this.k.ext.dsqs;
    const d = dsq === SCX_DSQ_GLOBAL ? dsqs.global : dsqs.userDsq(dsq);
    dsqs.openCursor(c, d, rev);
    return d === undefined ? -ENOENT : 0;
  }

  dsqWalkNext(c: DsqCursor): ScxTask | null {
    const t = this.k.ext.dsqs.cursorNext(c);
    return t === null ? null : t.view;
  }

  dsqWalkEnd(c: DsqCursor): void { this.k.ext.dsqs.closeCursor(c); }

  dsqMove(p: ScxTask, src: DsqId, since: number, dst: DsqId, enqFlags: number, slice: number | null, vtime: number | null, byVtime: boolean): boolean {
    return this.k.ext.moveTask(taskOf(p), src, since, dst, enqFlags, byVtime, slice, vtime);
  }

  createDsq(dsq: DsqId, _node: number): number {
    if (!Number.isInteger(dsq) || dsq < 0 || dsq >= SCX_DSQ_USER_MAX) return -EINVAL;
    const dsqs = this.k.ext.dsqs;
    if (dsqs.userDsq(dsq) !== undefined) return -EEXIST;
    // The kernel's bound is memory (create_dsq's allocation failing); ours is a count.
    if (dsqs.nrUser >= USER_DSQS_MAX) return -ENOMEM;
    return dsqs.addUser(dsq) ? 0 : -EEXIST;
  }

  destroyDsq(dsq: DsqId): void {
    const core = this.k.ext;
    const d = core.dsqs.userDsq(dsq);
    if (d === undefined) return;
    if (d.nr > 0) core.coreError(`destroying non-empty DSQ 0x${dsq.toString(16)}`);
    core.dsqs.removeUser(dsq);
  }

  dispatchNrSlots(): number {
    const core = this.k.ext;
    return core.cb.ctx === Ctx.Dispatch ? core.buf.maxBatch - core.buf.n : 0;
  }

  /** scx_bpf_dispatch_cancel: drops the last buffered insert; with none, an underflow error. */
  dispatchCancel(): void {
    const core = this.k.ext;
    if (core.cb.ctx !== Ctx.Dispatch) core.coreError("scx_bpf_dispatch_cancel() called outside ops.dispatch");
    if (core.buf.n === 0) core.coreError("dispatch buffer underflow");
    core.buf.n--;
  }

  /**
   * scx_bpf_reenqueue_local: every task on this CPU's local DSQ goes back through ops.enqueue,
   * once. As in the kernel, the DSQ is emptied first, so tasks that enqueue puts back here are
   * not taken again. Not from select_cpu or enqueue (scx_kf_allowed: no enqueue-time kfunc):
   * an enqueue re-enqueueing its own CPU would never end.
   */
  reenqueueLocal(): number {
    const core = this.k.ext, ctx = core.cb.ctx;
    if (ctx === Ctx.None || ctx === Ctx.SelectCpu || ctx === Ctx.Enqueue) {
      core.coreError(`scx_bpf_reenqueue_local() called from ${ctx === Ctx.None ? "outside a callback" : `ops.${core.cb.currentName()}`}`);
    }
    const local = core.dsqs.local[core.cb.ctxCpu], taken: Task[] = [];
    for (let t = core.dsqs.take(local, -1); t !== null; t = core.dsqs.take(local, -1)) taken.push(t);
    for (const t of taken) {
      t.place = Place.Bpf;
      core.enqueue(t, SCX_ENQ_REENQ);
    }
    return taken.length;
  }

  kickCpu(cpu: CpuId, flags: number): void {
    const k = this.k;
    this.cpuOk(cpu);
    if (flags & SCX_KICK_IDLE) {
      // "Kick only if idle" and "preempt" or "wait for it" contradict each other; the kernel
      // treats the combination as a scheduler error.
      if (flags & (SCX_KICK_PREEMPT | SCX_KICK_WAIT)) this.k.ext.coreError("scx_bpf_kick_cpu(): SCX_KICK_IDLE combined with SCX_KICK_PREEMPT or SCX_KICK_WAIT");
      if (k.curr[cpu] < 0) k.resched(cpu);
      // The CPU in balance kicks itself (bpfland's enqueue of an SCX_ENQ_LAST task): the kernel
      // cannot skip it yet (can_skip_idle_kick sees SCX_RQ_IN_BALANCE) and honours it from irq
      // work once the CPU is idle (kick_one_cpu_if_idle).
      else if (k.ext.dsqs.balancing === cpu) k.ext.idleKickAfterPick = cpu;
      return;
    }
    // kick_one_cpu: a CPU running a higher class is not the scheduler's; the kick is dropped.
    if (k.curr[cpu] >= 0 && k.currCls[cpu] !== Cls.Ext) return;
    // SCX_KICK_WAIT: the kicking CPU waits for the target only if an ext task runs there, and
    // never for itself (kick_cpus_irq_workfn); the wait is over in Kernel.syncKicks.
    if ((flags & SCX_KICK_WAIT) !== 0 && k.curr[cpu] >= 0) {
      const self = this.currentCpu();
      if (self !== cpu) k.ext.addKickWait(self, cpu);
    }
    if (flags & SCX_KICK_PREEMPT) k.preemptExt(cpu);
    else k.resched(cpu);
  }

  selectCpuDfl(p: ScxTask, prevCpu: CpuId, wakeFlags: number): SelectCpuResult {
    const core = this.k.ext;
    if (core.cb.ctx !== Ctx.SelectCpu) core.coreError("scx_bpf_select_cpu_dfl() called outside select_cpu");
    const sync = (wakeFlags & SCX_WAKE_SYNC) !== 0 ? this.k.wakerCpu : -1;
    core.idle.selectDfl(taskOf(p).cpusAllowed, this.cpuOk(prevCpu), this.out, sync, sync >= 0 && core.dsqs.local[sync].nr === 0, this.currentCpu());
    return this.out;
  }

  selectCpuAnd(p: ScxTask, prevCpu: CpuId, wakeFlags: number, allowed: Uint8Array, flags: number): CpuId {
    const core = this.k.ext, ctx = core.cb.ctx;
    // select_cpu_from_kfunc: under p's pi_lock (select_cpu), in enqueue, or unlocked.
    if (ctx !== Ctx.SelectCpu && ctx !== Ctx.Enqueue && !core.inUnlockedContext()) return asCpu(-EPERM);
    const t = taskOf(p), prev = this.cpuOk(prevCpu), topo = this.k.topo, n = topo.nrCpus;
    const inNode = (flags & SCX_PICK_IDLE_IN_NODE) !== 0;
    const both = this.andMask;
    let any = false;
    for (let c = 0; c < n; c++) {
      const ok = allowed[c] === 1 && (t.cpusAllowed === null || t.cpusAllowed[c] === 1) && (!inNode || topo.nodeOf[c] === topo.nodeOf[prev]);
      both[c] = ok ? 1 : 0;
      any ||= ok;
    }
    if (t.nrCpusAllowed === 1) return both[prev] === 1 && core.idle.testAndClear(prev) ? prev : asCpu(-EBUSY);
    if (!any) return asCpu(-EBUSY);
    const sync = (wakeFlags & SCX_WAKE_SYNC) !== 0 ? this.k.wakerCpu : -1;
    const c = core.idle.selectAnd(both, prev, (flags & SCX_PICK_IDLE_CORE) !== 0, inNode, sync, sync >= 0 && core.dsqs.local[sync].nr === 0, this.currentCpu());
    return asCpu(c >= 0 ? c : -EBUSY);
  }

  currentTask(): ScxTask | null {
    const w = this.k.waker ?? this.k.irqCurrent;
    return w === null ? null : w.view;
  }

  inHardirq(): boolean {
    return this.k.irqCpu >= 0;
  }

  currentCpu(): CpuId {
    if (this.k.wakerCpu >= 0) return asCpu(this.k.wakerCpu);
    if (this.k.irqCpu >= 0) return asCpu(this.k.irqCpu);
    const cb = this.k.ext.cb;
    return asCpu(cb.ctxTask === null ? cb.ctxCpu : cb.ctxTask.cpu);
  }

  testAndClearCpuIdle(cpu: CpuId): boolean { return this.k.ext.idle.testAndClear(this.cpuOk(cpu)); }

  pickIdleCpu(mask: Uint8Array | null, flags: number): CpuId {
    const c = this.k.ext.idle.pickAny(mask, (flags & SCX_PICK_IDLE_CORE) !== 0, this.currentCpu());
    return asCpu(c >= 0 ? c : -EBUSY);
  }

  pickAnyCpu(mask: Uint8Array | null, flags: number): CpuId {
    const c = this.pickIdleCpu(mask, flags);
    if (c >= 0) return c;
    // scx_bpf_pick_any_cpu falls back on cpumask_any_distribute, not the first allowed CPU.
    const any = this.k.ext.idle.anyDistribute(mask ?? this.allCpus, this.currentCpu());
    return asCpu(any >= 0 ? any : -EBUSY);
  }

  cpumaskAnyDistribute(mask: Uint8Array): CpuId {
    return asCpu(this.k.ext.idle.anyDistribute(mask, this.currentCpu()));
  }

  isCpuIdle(cpu: CpuId): boolean { return this.k.curr[this.cpuOk(cpu)] < 0; }
  /** As the kernel's (task_rq(p)->curr == p): also true in the callbacks of a task leaving its CPU. */
  taskRunning(p: ScxTask): boolean {
    const t = taskOf(p);
    return this.k.curr[t.cpu] === t.slot;
  }
  taskCpu(p: ScxTask): CpuId { return asCpu(taskOf(p).cpu); }
  cpuCurr(cpu: CpuId): ScxTask | null {
    const t = this.k.currOf(this.cpuOk(cpu));
    return t === null ? null : t.view;
  }
  nrQueuedLocal(cpu: CpuId): number { return this.k.ext.dsqs.local[this.cpuOk(cpu)].nr; }
  cpuBusyNs(cpu: CpuId): number { return this.k.cpuBusyNs(this.cpuOk(cpu)); }
  cpuAllowed(p: ScxTask, cpu: CpuId): boolean { return this.k.cpuAllowed(taskOf(p), cpu); }

  error(msg: string): void {
    this.k.ext.requestExit("SCX_EXIT_ERROR_BPF", messageOf(msg));
  }

  /** scx_bpf_exit: the code is an s64, which a BPF program cannot get wrong and a module can. */
  exit(code: number, msg: string): void {
    if (!Number.isInteger(code) || Math.abs(code) >= 2 ** 63) this.k.ext.coreError(`scx_bpf_exit(): invalid exit code ${printable(code)} (expected an s64)`);
    this.k.ext.requestExit("SCX_EXIT_UNREG_BPF", messageOf(msg), code);
  }

  randomU32(): number { return this.k.rngScx.u32(); }

  taskStorage<T>(init: (p: ScxTask) => T): TaskStorage<T> { return new SlotStorage(init); }

  /** A BPF timer; -ENOMEM past BPF_TIMERS_MAX (the kernel's bound is the map holding them). */
  timerCreate(fn: () => void): number {
    const core = this.k.ext, k = this.k;
    if (core.bpfTimers.length >= BPF_TIMERS_MAX) return -ENOMEM;
    let lastNs = -1, sameInstant = 0;
    const id = k.timerCreate(() => {
      if (!core.enabled || core.aborting) return;
      // Re-armed with no delay, a timer fires again at the same instant, forever: simulated
      // time cannot pass as the kernel's would. Past a bound that is a scheduler error.
      if (k.now !== lastNs) { lastNs = k.now; sameInstant = 0; }
      else if (++sameInstant >= TIMER_SAME_INSTANT_MAX) {
        core.requestExit("SCX_EXIT_ERROR", `BPF timer ${id} fired ${sameInstant} times at ${k.now} ns (re-armed with no delay)`);
        return;
      }
      const cost = k.costs.timerNs;
      if (cost > 0) k.chargeNs(this.timerCpu[id] ?? 0, cost);
      // It fires on the CPU that started it (hrtimers are per CPU): that is bpf_get_smp_processor_id there.
      core.cb.invokeThunk("timer", null, fn, this.timerCpu[id] ?? 0);
    });
    trackBpfTimer(k, id);
    return id;
  }

  /** bpf_timer_start: a delay of 0 (or less) fires at the current instant, after this event. */
  timerStart(id: number, delayNs: number): void {
    this.timerOk(id);
    if (typeof delayNs !== "number" || Number.isNaN(delayNs)) this.k.ext.coreError(`bpf_timer_start(): invalid delay ${printable(delayNs)}`);
    const cb = this.k.ext.cb;
    this.timerCpu[id] = cb.depth > 0 ? cb.ctxCpu : 0;
    this.k.timerStart(id, delayNs);
  }

  timerCancel(id: number): void {
    this.timerOk(id);
    this.k.timerCancel(id);
  }

  /** A timer id must be one this scheduler created (not the watchdog's, not a stale one). */
  private timerOk(id: number): void {
    if (!this.k.ext.bpfTimers.includes(id)) this.k.ext.coreError(`invalid BPF timer ${printable(id)}`);
  }

  cgroupWeight(cgroup: string): number {
    return this.k.cgroupWeight(cgroup);
  }

  cgroupParent(cgroup: string): string {
    if (cgroup === "/" || cgroup === "") return "";
    const i = cgroup.lastIndexOf("/");
    return i <= 0 ? "/" : cgroup.slice(0, i);
  }

  stat(name: string, delta = 1): void {
    // a module may pass anything; a NaN or a string would poison the counter for the whole run
    if (typeof name !== "string" || typeof delta !== "number" || !Number.isFinite(delta)) this.k.ext.coreError(`scx.stat(): expected a name and a finite delta, got ${printable(name)} and ${printable(delta)}`);
    const own = this.own;
    if (own.of !== this.k.ext.instance) this.newInstance();
    own.counters.add(name, delta);
  }

  /** Called at load, before the link: the object's counters belong to the instance it enables next. */
  statsFrom(read: () => Readonly<Record<string, number>>): void {
    this.statReaders.push({ instance: this.k.ext.instance + 1, read });
  }

  /** The current or last scheduler instance's own counters (scx.stat, then those of statsFrom), by name. */
  get stats(): Record<string, number> {
    const own = this.own;
    if (own.of !== this.k.ext.instance) this.newInstance();
    const out = own.counters.toRecord();
    for (const r of this.statReaders) if (r.instance === own.of) this.addReading(out, r.read);
    return out;
  }

  /** A reader's finite numbers, by name; whatever else it gives (or a throw) is left out and noted. */
  private addReading(out: Record<string, number>, read: () => Readonly<Record<string, number>>): void {
    let why = "";
    try {
      const v: unknown = read();
      if (v === null || typeof v !== "object") why = `returned ${printable(v)}`;
      else {
        for (const [name, x] of Object.entries(v)) {
          if (typeof x === "number" && Number.isFinite(x)) Object.defineProperty(out, name, { value: x, enumerable: true, writable: true, configurable: true });
          else why ||= `gave ${printable(name)} = ${printable(x)}, not a finite number`;
        }
      }
    } catch (e) {
      why = `failed: ${describeThrown(e)}`;
    }
    const problem = `scheduler statistics left out: their reader (scx.statsFrom) ${why}`;
    if (why !== "" && !this.statProblems.includes(problem)) this.statProblems.push(problem);
  }

  private newInstance(): void {
    this.own.counters = new Counters();
    this.own.of = this.k.ext.instance;
  }

  private cpuOk(cpu: CpuId): CpuId {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.k.topo.nrCpus) this.k.ext.coreError(`invalid CPU ${printable(cpu)}`);
    return cpu;
  }
}

/** The text of scx.error/scx.exit: a module may pass anything, or nothing (an empty message). */
function messageOf(msg: unknown): string {
  return typeof msg === "string" ? msg : msg === undefined ? "" : printable(msg);
}
