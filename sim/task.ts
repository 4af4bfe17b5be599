/**
 * One small fixed-shape object per task slot, created once; open-loop instances reuse the slots
 * of exited tasks, so the steady state allocates no tasks. A task's state lives in three places,
 * chosen for memory and the cache with 10^5 to 10^6 tasks: its numbers in a contiguous row of a
 * shared chunk (TaskTable; doubles, int32s and int8s through three views of one buffer), the few
 * references in the object, and what every task of its spec shares in a TaskTemplate.
 */
import type { ScxTask } from "./ext/ops.js";
import { TaskView } from "./ext/task_view.js";
import type { PolicySpec, TaskSpec } from "./plan.js";
import { niceToWeight, scxWeight, WEIGHT_IDLEPRIO } from "./weights.js";

/** Where a live task is: exactly one of these at every instant. */
export const enum Place {
  /** Not started yet (waiting for its delay), blocked, or sleeping. */
  Sleeping = 0,
  Running = 1,
  /** Queued on a fair runqueue. */
  FairRq = 2,
  /** Queued on a dispatch queue (local, global or user). */
  Dsq = 3,
  /** Held by the BPF scheduler between enqueue and dispatch. */
  Bpf = 4,
  Dead = 5,
  /** A free slot, not a task. */
  Free = 6,
  /** Queued on an RT runqueue. */
  RtRq = 7,
  /** Queued on a deadline runqueue. */
  DlRq = 8,
  /** A SCHED_DEADLINE task that used up its runtime, waiting for its replenishment timer. */
  Throttled = 9,
}

/** Why a sleeping task sleeps; decides what wakes it. */
export const enum Block {
  None = 0,
  NotStarted = 1,
  Sleep = 2,
  Timer = 3,
  Suspend = 4,
  Mutex = 5,
  CondVar = 6,
  Barrier = 7,
}

/** Scheduling classes; Linux orders them stop > dl > rt > fair > ext > idle (see schedule()). */
export const enum Cls {
  Fair = 0,
  Ext = 1,
  Rt = 2,
  Dl = 3,
  /** What a CPU that runs nothing is in (currCls only). */
  Idle = -1,
}

/** The task's scheduling policy (SCHED_*); SCHED_EXT tasks alone join a SWITCH_PARTIAL scheduler. */
export const enum Policy {
  Normal = 0,
  Ext = 1,
  Idle = 2,
  Batch = 3,
  Fifo = 4,
  Rr = 5,
  Deadline = 6,
}

/** The class a policy's tasks belong to when no sched_ext scheduler takes them (__setscheduler_class). */
export function policyClass(p: Policy): Cls {
  return p === Policy.Deadline ? Cls.Dl : p === Policy.Fifo || p === Policy.Rr ? Cls.Rt : Cls.Fair;
}

/**
 * A task's row in its chunk of the task table: one stretch of memory read through three typed
 * views, doubles first, then int32s, then int8s. Offsets count elements of each view from the
 * row's start. The fields a wakeup reads and writes come first in each part.
 */
const enum F {
  wakeAt = 0,
  runnableAt = 1,
  activatedAtNs = 2,
  slice = 3,
  dsqVtime = 4,
  dsq = 5,
  ddspDsq = 6,
  workLeft = 7,
  runtimeEnd = 8,
  refillNs = 9,
  cpuNs = 10,
  sumExecNs = 11,
  waitNs = 12,
  vruntime = 13,
  fairSliceStart = 14,
  fairLag = 15,
  startNs = 16,
  exitNs = 17,
  nextWorkNs = 18,
  // Counters that may pass 2^31 in a long run (stamps are global sequence numbers; loops are
  // the spec's, which may be any safe integer): doubles, like the times.
  dsqStamp = 19,
  qseq = 20,
  fairStamp = 21,
  loopsLeft = 22,
  phaseIter = 23,
}
/** Doubles per row before the int32 part. */
const F_LEN = 24;

/** Int32 fields: small integers (indexes, CPUs, pids, per-task counts, OR-ed flag words). */
const enum I {
  wakeGen = 0,
  cpu = 1,
  waitingOn = 2,
  pid = 3,
  groupIdx = 4,
  specIdx = 5,
  recordIdx = 6,
  lastRanCpu = 7,
  migrations = 8,
  nvcsw = 9,
  nivcsw = 10,
  phase = 11,
  event = 12,
  relockMutex = 13,
  ddspFlags = 14,
  instance = 15,
}
const I_LEN = 16;

/** Int8 fields: enums and flags. */
const enum U {
  place = 0,
  block = 1,
  cls = 2,
  openLoop = 3,
  inBurst = 4,
  scxEnabled = 5,
  yielded = 6,
  inRequest = 7,
}
const U_LEN = 8;

/** A row's length in doubles (the int32 and int8 parts rounded up to whole doubles). */
const STRIDE = F_LEN + Math.ceil((I_LEN * 4 + U_LEN) / 8);
/** Where the int32 and int8 parts start, in elements of their views from the row's start (a row starts at double `o`, int32 `2o`, int8 `8o`). */
const I_AT = F_LEN * 2;
const U_AT = F_LEN * 8 + I_LEN * 4;
/** Task rows per chunk. */
const ROWS_PER_CHUNK = 1024;

/** One chunk of rows and its three views. */
interface Chunk {
  readonly f: Float64Array;
  readonly i: Int32Array;
  readonly u: Int8Array;
}

function newChunk(): Chunk {
  const buf = new ArrayBuffer(ROWS_PER_CHUNK * STRIDE * 8);
  return { f: new Float64Array(buf), i: new Int32Array(buf), u: new Int8Array(buf) };
}

export class Task {
  readonly slot: number;
  // The row's first element in each view of its chunk. With 10^6 tasks a JS field costs 8 bytes
  // (and a boolean as much as a time), a row's int32 4 and its int8 1: one object per task with
  // every field in it weighed 312 bytes, a row and this object together weigh about 360.
  private readonly f: Float64Array;
  private readonly i: Int32Array;
  private readonly u: Int8Array;
  private readonly o: number;
  /** What the task's spec gives all its tasks: weights, affinity, names (shared, read-only). */
  tpl: TaskTemplate = NO_TEMPLATE;
  /** Per-timer next expiry (ns), indexed by the spec's timer index. */
  timerNext: Float64Array | null = null;
  /** What a scheduler's callbacks get for this task: made once per slot, so calls allocate nothing. */
  readonly view: ScxTask;

  constructor(slot: number, chunk: Chunk, work: TaskOracle) {
    this.slot = slot;
    this.f = chunk.f;
    this.i = chunk.i;
    this.u = chunk.u;
    this.o = (slot % ROWS_PER_CHUNK) * STRIDE;
    this.resetNumbers(0);
    this.nextWorkNs = -1;
    this.waitingOn = -1;
    this.recordIdx = -1;
    this.lastRanCpu = -1;
    this.relockMutex = -1;
    this.place = Place.Free;
    this.view = new TaskView(this, work);
  }

  /** Sets the times and vtimes (the doubles before nextWorkNs) to their values for a task created at `at` (runtimeEnd, exitNs, wakeAt and ddspDsq have "none" values). */
  resetNumbers(at: number): void {
    const f = this.f, o = this.o;
    for (let i = 0; i < F.nextWorkNs; i++) f[o + i] = 0;
    f[o + F.runtimeEnd] = Number.POSITIVE_INFINITY;
    f[o + F.exitNs] = -1;
    f[o + F.wakeAt] = -1;
    f[o + F.ddspDsq] = -1;
    f[o + F.startNs] = at;
    f[o + F.runnableAt] = at;
    f[o + F.activatedAtNs] = at;
  }

  // Doubles: times, virtual times, DSQ ids and counters that outgrow int32.
  get wakeAt(): number { return this.f[this.o + F.wakeAt]; }
  set wakeAt(v: number) { this.f[this.o + F.wakeAt] = v; }
  get runnableAt(): number { return this.f[this.o + F.runnableAt]; }
  set runnableAt(v: number) { this.f[this.o + F.runnableAt] = v; }
  get activatedAtNs(): number { return this.f[this.o + F.activatedAtNs]; }
  set activatedAtNs(v: number) { this.f[this.o + F.activatedAtNs] = v; }
  get slice(): number { return this.f[this.o + F.slice]; }
  set slice(v: number) { this.f[this.o + F.slice] = v; }
  get dsqVtime(): number { return this.f[this.o + F.dsqVtime]; }
  set dsqVtime(v: number) { this.f[this.o + F.dsqVtime] = v; }
  get dsq(): number { return this.f[this.o + F.dsq]; }
  set dsq(v: number) { this.f[this.o + F.dsq] = v; }
  /** Direct-dispatch target chosen in select_cpu/enqueue, or -1. */
  get ddspDsq(): number { return this.f[this.o + F.ddspDsq]; }
  set ddspDsq(v: number) { this.f[this.o + F.ddspDsq] = v; }
  /** CPU work left in the current run event, ns at capacity 1024 (Infinity for a runtime event). */
  get workLeft(): number { return this.f[this.o + F.workLeft]; }
  set workLeft(v: number) { this.f[this.o + F.workLeft] = v; }
  /** For a runtime event: the wall time at which it ends; otherwise Infinity. */
  get runtimeEnd(): number { return this.f[this.o + F.runtimeEnd]; }
  set runtimeEnd(v: number) { this.f[this.o + F.runtimeEnd] = v; }
  /** Pending extra work from a migration (cache refill), ns. */
  get refillNs(): number { return this.f[this.o + F.refillNs]; }
  set refillNs(v: number) { this.f[this.o + F.refillNs] = v; }
  get cpuNs(): number { return this.f[this.o + F.cpuNs]; }
  set cpuNs(v: number) { this.f[this.o + F.cpuNs] = v; }
  get sumExecNs(): number { return this.f[this.o + F.sumExecNs]; }
  set sumExecNs(v: number) { this.f[this.o + F.sumExecNs] = v; }
  get waitNs(): number { return this.f[this.o + F.waitNs]; }
  set waitNs(v: number) { this.f[this.o + F.waitNs] = v; }
  get vruntime(): number { return this.f[this.o + F.vruntime]; }
  set vruntime(v: number) { this.f[this.o + F.vruntime] = v; }
  get fairSliceStart(): number { return this.f[this.o + F.fairSliceStart]; }
  set fairSliceStart(v: number) { this.f[this.o + F.fairSliceStart] = v; }
  /** vruntime relative to the runqueue's floor, kept while sleeping or migrating. */
  get fairLag(): number { return this.f[this.o + F.fairLag]; }
  set fairLag(v: number) { this.f[this.o + F.fairLag] = v; }
  get startNs(): number { return this.f[this.o + F.startNs]; }
  set startNs(v: number) { this.f[this.o + F.startNs] = v; }
  get exitNs(): number { return this.f[this.o + F.exitNs]; }
  set exitNs(v: number) { this.f[this.o + F.exitNs] = v; }
  /** Size of the next run event, drawn ahead when a scheduler asked for it (workAhead), or -1. */
  get nextWorkNs(): number { return this.f[this.o + F.nextWorkNs]; }
  set nextWorkNs(v: number) { this.f[this.o + F.nextWorkNs] = v; }
  /** Stamp of the DSQ entry that holds this task, for lazy removal. */
  get dsqStamp(): number { return this.f[this.o + F.dsqStamp]; }
  set dsqStamp(v: number) { this.f[this.o + F.dsqStamp] = v; }
  get qseq(): number { return this.f[this.o + F.qseq]; }
  set qseq(v: number) { this.f[this.o + F.qseq] = v; }
  get fairStamp(): number { return this.f[this.o + F.fairStamp]; }
  set fairStamp(v: number) { this.f[this.o + F.fairStamp] = v; }
  get loopsLeft(): number { return this.f[this.o + F.loopsLeft]; }
  set loopsLeft(v: number) { this.f[this.o + F.loopsLeft] = v; }
  get phaseIter(): number { return this.f[this.o + F.phaseIter]; }
  set phaseIter(v: number) { this.f[this.o + F.phaseIter] = v; }
  // A task is in one class at a time, so the RT and deadline classes keep their numbers where
  // sched_ext keeps its slice and vtime (a task that joins ext gets a fresh slice).
  /** SCHED_RR: what is left of the quantum; SCHED_DEADLINE: runtime left in this period (ns). */
  get budgetNs(): number { return this.f[this.o + F.slice]; }
  set budgetNs(v: number) { this.f[this.o + F.slice] = v; }
  /** SCHED_DEADLINE: the absolute deadline of the current period (ns). */
  get dlDeadline(): number { return this.f[this.o + F.dsqVtime]; }
  set dlDeadline(v: number) { this.f[this.o + F.dsqVtime] = v; }

  // Int32s.
  /** Bumped whenever a pending wake event for this task becomes stale. */
  get wakeGen(): number { return this.i[this.o * 2 + I_AT + I.wakeGen]; }
  set wakeGen(v: number) { this.i[this.o * 2 + I_AT + I.wakeGen] = v; }
  get cpu(): number { return this.i[this.o * 2 + I_AT + I.cpu]; }
  set cpu(v: number) { this.i[this.o * 2 + I_AT + I.cpu] = v; }
  get waitingOn(): number { return this.i[this.o * 2 + I_AT + I.waitingOn]; }
  set waitingOn(v: number) { this.i[this.o * 2 + I_AT + I.waitingOn] = v; }
  get pid(): number { return this.i[this.o * 2 + I_AT + I.pid]; }
  set pid(v: number) { this.i[this.o * 2 + I_AT + I.pid] = v; }
  get groupIdx(): number { return this.i[this.o * 2 + I_AT + I.groupIdx]; }
  set groupIdx(v: number) { this.i[this.o * 2 + I_AT + I.groupIdx] = v; }
  get specIdx(): number { return this.i[this.o * 2 + I_AT + I.specIdx]; }
  set specIdx(v: number) { this.i[this.o * 2 + I_AT + I.specIdx] = v; }
  get recordIdx(): number { return this.i[this.o * 2 + I_AT + I.recordIdx]; }
  set recordIdx(v: number) { this.i[this.o * 2 + I_AT + I.recordIdx] = v; }
  get lastRanCpu(): number { return this.i[this.o * 2 + I_AT + I.lastRanCpu]; }
  set lastRanCpu(v: number) { this.i[this.o * 2 + I_AT + I.lastRanCpu] = v; }
  get migrations(): number { return this.i[this.o * 2 + I_AT + I.migrations]; }
  set migrations(v: number) { this.i[this.o * 2 + I_AT + I.migrations] = v; }
  get nvcsw(): number { return this.i[this.o * 2 + I_AT + I.nvcsw]; }
  set nvcsw(v: number) { this.i[this.o * 2 + I_AT + I.nvcsw] = v; }
  get nivcsw(): number { return this.i[this.o * 2 + I_AT + I.nivcsw]; }
  set nivcsw(v: number) { this.i[this.o * 2 + I_AT + I.nivcsw] = v; }
  // program position
  get phase(): number { return this.i[this.o * 2 + I_AT + I.phase]; }
  set phase(v: number) { this.i[this.o * 2 + I_AT + I.phase] = v; }
  get event(): number { return this.i[this.o * 2 + I_AT + I.event]; }
  set event(v: number) { this.i[this.o * 2 + I_AT + I.event] = v; }
  /** Mutex to re-take after a condvar wait, or -1. */
  get relockMutex(): number { return this.i[this.o * 2 + I_AT + I.relockMutex]; }
  set relockMutex(v: number) { this.i[this.o * 2 + I_AT + I.relockMutex] = v; }
  get ddspFlags(): number { return this.i[this.o * 2 + I_AT + I.ddspFlags]; }
  set ddspFlags(v: number) { this.i[this.o * 2 + I_AT + I.ddspFlags] = v; }
  /** Instance number within the spec, for comm. */
  get instance(): number { return this.i[this.o * 2 + I_AT + I.instance]; }
  set instance(v: number) { this.i[this.o * 2 + I_AT + I.instance] = v; }

  // Int8s.
  get place(): Place { return this.u[this.o * 8 + U_AT + U.place]; }
  set place(v: Place) { this.u[this.o * 8 + U_AT + U.place] = v; }
  get block(): Block { return this.u[this.o * 8 + U_AT + U.block]; }
  set block(v: Block) { this.u[this.o * 8 + U_AT + U.block] = v; }
  get cls(): Cls { return this.u[this.o * 8 + U_AT + U.cls]; }
  set cls(v: Cls) { this.u[this.o * 8 + U_AT + U.cls] = v; }
  get openLoop(): boolean { return this.u[this.o * 8 + U_AT + U.openLoop] !== 0; }
  set openLoop(v: boolean) { this.u[this.o * 8 + U_AT + U.openLoop] = v ? 1 : 0; }
  get inBurst(): boolean { return this.u[this.o * 8 + U_AT + U.inBurst] !== 0; }
  set inBurst(v: boolean) { this.u[this.o * 8 + U_AT + U.inBurst] = v ? 1 : 0; }
  get scxEnabled(): boolean { return this.u[this.o * 8 + U_AT + U.scxEnabled] !== 0; }
  set scxEnabled(v: boolean) { this.u[this.o * 8 + U_AT + U.scxEnabled] = v ? 1 : 0; }
  /** Set by sched_yield under fair: lose ties at the next pick. */
  get yielded(): boolean { return this.u[this.o * 8 + U_AT + U.yielded] !== 0; }
  set yielded(v: boolean) { this.u[this.o * 8 + U_AT + U.yielded] = v ? 1 : 0; }
  /** Whether a request is open (only tracked when the spec sets requestOn). */
  get inRequest(): boolean { return this.u[this.o * 8 + U_AT + U.inRequest] !== 0; }
  set inRequest(v: boolean) { this.u[this.o * 8 + U_AT + U.inRequest] = v ? 1 : 0; }

  /** comm, e.g. "web-3": built when read, since most tasks' names never are. */
  get comm(): string {
    return this.tpl.commIndexed || this.openLoop ? `${this.group}-${this.instance}` : this.group;
  }

  // Kept once per spec: the task object stays small, which is what matters when 10^5 of them are
  // mostly out of cache. A run-time change (sched_change.ts) gives the task a template of its own.
  get group(): string { return this.tpl.groupNames[this.groupIdx]!; }
  get nice(): number { return this.tpl.nice; }
  get policy(): Policy { return this.tpl.policy; }
  get fairWeight(): number { return this.tpl.fairWeight; }
  get weight(): number { return this.tpl.weight; }
  get cpusAllowed(): Uint8Array | null { return this.tpl.cpusAllowed; }
  get nrCpusAllowed(): number { return this.tpl.nrCpusAllowed; }
  get cgroup(): string { return this.tpl.cgroup; }
  get expectedRunNs(): number { return this.tpl.expectedRunNs; }
  get dlDeadlineNs(): number { return this.tpl.dlDeadlineNs; }
  get dlPeriodNs(): number { return this.tpl.dlPeriodNs; }
  get dlRuntimeNs(): number { return this.tpl.dlRuntimeNs; }
  get rtPriority(): number { return this.tpl.rtPriority; }
}

/** What a task view asks the kernel: the work a task's job still needs (p.workLeftNs) and p.queued. */
export interface TaskOracle {
  workLeftNs(t: Task): number;
  /** SCX_TASK_QUEUED of p->scx.flags (see sim/ext/task_flags.ts). */
  scxQueued(t: Task): boolean;
}

/** Creates tasks by slot, each with its row in a shared chunk of rows. */
export class TaskTable {
  private chunk: Chunk = newChunk();

  constructor(private readonly work: TaskOracle) {}

  /** A new task for `slot`; slots must be created in order 0, 1, 2, ... */
  create(slot: number): Task {
    if (slot % ROWS_PER_CHUNK === 0 && slot > 0) this.chunk = newChunk();
    return new Task(slot, this.chunk, this.work);
  }
}

/** The template of a task slot that holds no task yet. */
const NO_TEMPLATE: TaskTemplate = Object.freeze({
  groupNames: [""], nice: 0, commIndexed: false, policy: Policy.Normal, fairWeight: 1024, weight: 100, cpusAllowed: null, scxCpusAllowed: null,
  nrCpusAllowed: 0, cgroup: "/", expectedRunNs: 0, dlDeadlineNs: 0, dlPeriodNs: 0, dlRuntimeNs: 0, rtPriority: 0,
  sliceNs: 0, requestBlock: Block.None, wakeSync: false,
});

/** What every task of one spec starts with, worked out once per spec rather than per spawn. */
export interface TaskTemplate {
  /**
   * The plan's group names (a task's group is `groupNames[groupIdx]`): specs alike but for their
   * names share one template (a workload of a million names has one, not a million).
   */
  readonly groupNames: readonly string[];
  readonly nice: number;
  /** Whether comm carries the instance number ("web-3"); open-loop tasks always do. */
  readonly commIndexed: boolean;
  readonly policy: Policy;
  readonly fairWeight: number;
  readonly weight: number;
  /** Shared by the spec's tasks until a run-time change gives one task its own template. */
  readonly cpusAllowed: Uint8Array | null;
  /**
   * The schedulers' copy of cpusAllowed (p.cpusAllowed): a scheduler writing into it changes
   * neither the kernel's mask nor, after the next enable (which restores it), its successor's.
   */
  readonly scxCpusAllowed: Uint8Array | null;
  readonly nrCpusAllowed: number;
  readonly cgroup: string;
  readonly expectedRunNs: number;
  readonly dlDeadlineNs: number;
  readonly dlPeriodNs: number;
  readonly dlRuntimeNs: number;
  /** SCHED_FIFO/SCHED_RR priority, 1..99 (0 for other policies). */
  readonly rtPriority: number;
  /** A fair task's own slice (sched_attr.sched_runtime on SCHED_OTHER, Linux >= 6.12), or 0 for the default. */
  readonly sliceNs: number;
  /** The block that bounds a request (TaskSpec.requestOn), or Block.None: any sleep, timer or suspend. */
  readonly requestBlock: Block;
  /** Wakeups this task makes carry SCX_WAKE_SYNC (TaskSpec.wakeSync: pipe or socket writes). */
  readonly wakeSync: boolean;
}

/** The template of tasks made from `s` on a machine of `nrCpus` CPUs; `groupNames`: the plan's groups. */
export function taskTemplate(s: TaskSpec, nrCpus: number, groupNames: readonly string[]): TaskTemplate {
  const policy = policyOf(s.policy);
  const fairWeight = policy === Policy.Idle ? WEIGHT_IDLEPRIO : niceToWeight(s.nice);
  // CPUs beyond this machine's are dropped; none left, or all of them, means no restriction.
  let mask: Uint8Array | null = null, nr = nrCpus;
  if (s.cpus !== null) {
    const m = new Uint8Array(nrCpus);
    for (const c of s.cpus) if (c < nrCpus) m[c] = 1;
    const n = m.reduce((a, b) => a + b, 0);
    if (n > 0 && n < nrCpus) { mask = m; nr = n; }
  }
  return {
    groupNames, nice: s.nice,
    commIndexed: s.instances > 1 || s.forkOnly,
    policy, fairWeight, weight: scxWeight(fairWeight),
    cpusAllowed: mask,
    scxCpusAllowed: mask === null ? null : mask.slice(),
    nrCpusAllowed: nr,
    cgroup: s.taskgroup ?? "/",
    expectedRunNs: s.expectedRunUs !== null ? Math.round(s.expectedRunUs * 1000) : 0,
    dlDeadlineNs: s.deadline !== null ? Math.round(s.deadline.deadlineUs * 1000) : 0,
    dlPeriodNs: s.deadline !== null ? Math.round(s.deadline.periodUs * 1000) : 0,
    dlRuntimeNs: s.deadline !== null ? Math.round(s.deadline.runtimeUs * 1000) : 0,
    rtPriority: policy === Policy.Fifo || policy === Policy.Rr ? s.rtPriority ?? 1 : 0,
    sliceNs: customSliceNs(policy, s.sliceUs),
    requestBlock: s.requestOn === "sleep" ? Block.Sleep : s.requestOn === "timer" ? Block.Timer : s.requestOn === "suspend" ? Block.Suspend : Block.None,
    wakeSync: s.wakeSync === true,
  };
}

/** The Policy of an rt-app policy name. */
export function policyOf(p: PolicySpec): Policy {
  switch (p) {
    case "SCHED_EXT": return Policy.Ext;
    case "SCHED_IDLE": return Policy.Idle;
    case "SCHED_BATCH": return Policy.Batch;
    case "SCHED_FIFO": return Policy.Fifo;
    case "SCHED_RR": return Policy.Rr;
    case "SCHED_DEADLINE": return Policy.Deadline;
    default: return Policy.Normal;
  }
}

/**
 * A fair task's custom slice: sched_runtime clamped to 0.1..100 ms as __setscheduler_params
 * does for fair policies (Linux >= 6.12); 0 (none) for other policies.
 */
export function customSliceNs(policy: Policy, sliceUs: number | null | undefined): number {
  if (sliceUs === null || sliceUs === undefined || sliceUs <= 0) return 0;
  if (policy === Policy.Fifo || policy === Policy.Rr || policy === Policy.Deadline) return 0;
  return Math.min(100_000_000, Math.max(100_000, Math.round(sliceUs * 1000)));
}

/**
 * The templates of the plan's specs, one object for specs whose templates are equal: a template
 * without an affinity mask holds nothing a task or scheduler can write, so sharing it across
 * specs changes nothing but memory. Masked ones stay per spec (p.cpusAllowed is the spec's own).
 */
export function specTemplates(specs: readonly TaskSpec[], nrCpus: number, groupNames: readonly string[]): TaskTemplate[] {
  const alike = new Map<string, TaskTemplate>();
  const key = (t: TaskTemplate) => JSON.stringify(t, (k, v: unknown) => (k === "groupNames" ? undefined : v));
  return specs.map((s) => {
    const t = taskTemplate(s, nrCpus, groupNames);
    if (t.cpusAllowed !== null) return t;
    const k = key(t), known = alike.get(k);
    if (known !== undefined) return known;
    alike.set(k, t);
    return t;
  });
}
