/**
 * One fixed-shape object per task slot, created once; open-loop instances reuse the slots of
 * exited tasks, so the steady state allocates no tasks. A task's state lives in three places,
 * chosen for the cache and memory with 10^5 to 10^6 tasks: small integers and references in the
 * object (the ones a wakeup touches first; enums and flags packed in one), times, vtimes and cold
 * counters in a row of a shared chunk (TaskTable), and what every task of its spec shares in a
 * TaskTemplate.
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

/** Offsets of a task's doubles in its row of the task table. */
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
}
/** Doubles per row before its int32s. */
const F_LEN = 18;

/**
 * Offsets of a task's int32s, counted in int32s from the row's start (a row starting at double
 * `o` starts at int32 `2o`): counters bumped at most once per switch, and the synchronisation
 * primitives' indexes, which a plain wakeup or pick never reads.
 */
const enum I {
  instance = F_LEN * 2,
  waitingOn,
  relockMutex,
  migrations,
  nvcsw,
  nivcsw,
}
const I_LEN = 6;

/** A row's length in doubles. */
const STRIDE = F_LEN + I_LEN / 2;
/** Task rows per chunk. */
const ROWS_PER_CHUNK = 1024;

/**
 * Bits of Task.bits: the enums and flags of a task in one small integer. Each a field of its own
 * cost 8 bytes (a field is a word, a boolean as big as a pointer); as bits of one field they
 * cost a mask on read, and a read-and-write on the rarer writes.
 */
const enum B {
  placeMask = 15,
  blockShift = 4,
  blockMask = 7 << 4,
  clsShift = 7,
  clsMask = 3 << 7,
  openLoop = 1 << 9,
  inBurst = 1 << 10,
  scxEnabled = 1 << 11,
  yielded = 1 << 12,
  inRequest = 1 << 13,
  scxInited = 1 << 14,
}

/** One chunk of rows, read as doubles and as int32s. */
interface Chunk {
  readonly f: Float64Array;
  readonly i: Int32Array;
}

function newChunk(): Chunk {
  const buf = new ArrayBuffer(ROWS_PER_CHUNK * STRIDE * 8);
  return { f: new Float64Array(buf), i: new Int32Array(buf) };
}

export class Task {
  // Declaration order is memory order: the fields a wakeup reads and writes come first, so that
  // waking a task that has slept out of cache touches as few cache lines as possible. With 10^6
  // tasks every field costs 8 MB: what a plain run's events do not touch lives in the row, and
  // the enums and flags share one field (bits).
  readonly slot: number;
  /** The chunk holding this task's row, as doubles and as int32s, and the row's first double. */
  private readonly f: Float64Array;
  private readonly i: Int32Array;
  private readonly o: number;
  /** What the task's spec gives all its tasks: weights, affinity, names (shared, read-only). */
  tpl: TaskTemplate = NO_TEMPLATE;
  /** place, block, cls and the flags (see B). */
  private bits: number = Place.Free;
  /** Bumped whenever a pending wake event for this task becomes stale. */
  wakeGen = 0;
  cpu = 0;
  /** Stamp of the DSQ entry that holds this task, for lazy removal. */
  dsqStamp = 0;
  qseq = 0;
  pid = 0;
  groupIdx = 0;
  specIdx = 0;
  recordIdx = -1;
  lastRanCpu = -1;

  // program position
  phase = 0;
  phaseIter = 0;
  event = 0;
  loopsLeft = 0;
  /** Size of the next run event, drawn ahead when a scheduler asked for it (workAhead), or -1. */
  nextWorkNs = -1;
  /** Per-timer next expiry (ns), indexed by the spec's timer index. */
  timerNext: Float64Array | null = null;

  // sched_ext and fair state
  ddspFlags = 0;
  fairStamp = 0;
  /** What a scheduler's callbacks get for this task: made once per slot, so calls allocate nothing. */
  readonly view: ScxTask;

  constructor(slot: number, chunk: Chunk, work: TaskOracle) {
    this.slot = slot;
    this.f = chunk.f;
    this.i = chunk.i;
    this.o = (slot % ROWS_PER_CHUNK) * STRIDE;
    this.resetNumbers(0);
    this.waitingOn = -1;
    this.relockMutex = -1;
    this.view = new TaskView(this, work);
  }

  /** Sets every double to its value for a task created at `at` (runtimeEnd, exitNs, wakeAt and ddspDsq have "none" values). */
  resetNumbers(at: number): void {
    const f = this.f, o = this.o;
    for (let i = 0; i < F_LEN; i++) f[o + i] = 0;
    f[o + F.runtimeEnd] = Number.POSITIVE_INFINITY;
    f[o + F.exitNs] = -1;
    f[o + F.wakeAt] = -1;
    f[o + F.ddspDsq] = -1;
    f[o + F.startNs] = at;
    f[o + F.runnableAt] = at;
    f[o + F.activatedAtNs] = at;
  }

  // Enums and flags, in bits.
  get place(): Place { return this.bits & B.placeMask; }
  set place(v: Place) { this.bits = (this.bits & ~B.placeMask) | v; }
  get block(): Block { return (this.bits & B.blockMask) >> B.blockShift; }
  set block(v: Block) { this.bits = (this.bits & ~B.blockMask) | (v << B.blockShift); }
  /** A task's class is one of fair, ext, rt and dl (never Cls.Idle). */
  get cls(): Cls { return (this.bits & B.clsMask) >> B.clsShift; }
  set cls(v: Cls) { this.bits = (this.bits & ~B.clsMask) | (v << B.clsShift); }
  get openLoop(): boolean { return (this.bits & B.openLoop) !== 0; }
  set openLoop(v: boolean) { this.bits = v ? this.bits | B.openLoop : this.bits & ~B.openLoop; }
  get inBurst(): boolean { return (this.bits & B.inBurst) !== 0; }
  set inBurst(v: boolean) { this.bits = v ? this.bits | B.inBurst : this.bits & ~B.inBurst; }
  get scxEnabled(): boolean { return (this.bits & B.scxEnabled) !== 0; }
  set scxEnabled(v: boolean) { this.bits = v ? this.bits | B.scxEnabled : this.bits & ~B.scxEnabled; }
  /**
   * ops.init_task ran and ops.exit_task has not (the kernel's SCX_TASK_READY or ENABLED): a task
   * that leaves the ext class for RT or deadline keeps it, and gets ops.exit_task only when it dies
   * or the scheduler goes away; coming back it gets ops.enable alone.
   */
  get scxInited(): boolean { return (this.bits & B.scxInited) !== 0; }
  set scxInited(v: boolean) { this.bits = v ? this.bits | B.scxInited : this.bits & ~B.scxInited; }
  /** Set by sched_yield under fair: lose ties at the next pick. */
  get yielded(): boolean { return (this.bits & B.yielded) !== 0; }
  set yielded(v: boolean) { this.bits = v ? this.bits | B.yielded : this.bits & ~B.yielded; }
  /** Whether a request is open (only tracked when the spec sets requestOn). */
  get inRequest(): boolean { return (this.bits & B.inRequest) !== 0; }
  set inRequest(v: boolean) { this.bits = v ? this.bits | B.inRequest : this.bits & ~B.inRequest; }

  // Numbers that outgrow small integers (times, virtual times, DSQ ids) live in a row of a shared
  // Float64Array: as object fields V8 would box each in its own heap number, scattered over the
  // heap, and with 10^5 tasks nearly every one a cache miss. A row is contiguous.
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
  // A task is in one class at a time, so the RT and deadline classes keep their numbers where
  // sched_ext keeps its slice and vtime (a task that joins ext gets a fresh slice).
  /** SCHED_RR: what is left of the quantum; SCHED_DEADLINE: runtime left in this period (ns). */
  get budgetNs(): number { return this.f[this.o + F.slice]; }
  set budgetNs(v: number) { this.f[this.o + F.slice] = v; }
  /** SCHED_DEADLINE: the absolute deadline of the current period (ns). */
  get dlDeadline(): number { return this.f[this.o + F.dsqVtime]; }
  set dlDeadline(v: number) { this.f[this.o + F.dsqVtime] = v; }

  // Int32s (the row's int32 view starts at 2o).
  /** Instance number within the spec, for comm. */
  get instance(): number { return this.i[this.o * 2 + I.instance]; }
  set instance(v: number) { this.i[this.o * 2 + I.instance] = v; }
  get waitingOn(): number { return this.i[this.o * 2 + I.waitingOn]; }
  set waitingOn(v: number) { this.i[this.o * 2 + I.waitingOn] = v; }
  /** Mutex to re-take after a condvar wait, or -1. */
  get relockMutex(): number { return this.i[this.o * 2 + I.relockMutex]; }
  set relockMutex(v: number) { this.i[this.o * 2 + I.relockMutex] = v; }
  get migrations(): number { return this.i[this.o * 2 + I.migrations]; }
  set migrations(v: number) { this.i[this.o * 2 + I.migrations] = v; }
  get nvcsw(): number { return this.i[this.o * 2 + I.nvcsw]; }
  set nvcsw(v: number) { this.i[this.o * 2 + I.nvcsw] = v; }
  get nivcsw(): number { return this.i[this.o * 2 + I.nivcsw]; }
  set nivcsw(v: number) { this.i[this.o * 2 + I.nivcsw] = v; }

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
