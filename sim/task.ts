/**
 * One fixed-shape record per task. Created once per task slot; open-loop instances reuse the
 * slots of exited tasks, so the steady state allocates no tasks. Fields are grouped by who owns
 * them: identity, where the task is, its program position, accounting, and each class's state.
 */
import type { ScxTask } from "./ext/ops.js";

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

export const enum Cls {
  Fair = 0,
  Ext = 1,
}

export class Task implements ScxTask {
  // identity
  pid = 0;
  group = "";
  /** Whether comm carries the instance number ("web-3") or is the bare task name. */
  commIndexed = false;
  groupIdx = 0;
  specIdx = 0;
  instance = 0;
  nice = 0;
  fairWeight = 1024;
  weight = 100;
  /** 0 other, 1 ext, 2 idle, 3 batch */
  policy = 0;
  cpusAllowed: Uint8Array | null = null;
  nrCpusAllowed = 0;
  cgroup = "/";
  expectedRunNs = 0;
  dlDeadlineNs = 0;
  dlPeriodNs = 0;
  openLoop = false;

  // where it is
  place: Place = Place.Free;
  block: Block = Block.None;
  cls: Cls = Cls.Fair;
  cpu = 0;
  lastRanCpu = -1;
  /** Bumped whenever a pending wake event for this task becomes stale. */
  wakeGen = 0;

  // program position
  phase = 0;
  phaseIter = 0;
  event = 0;
  loopsLeft = 0;
  /** CPU work left in the current run event, ns at capacity 1024 (Infinity for a runtime event). */
  workLeft = 0;
  /** For a runtime event: the wall time at which it ends; otherwise Infinity. */
  runtimeEnd = Number.POSITIVE_INFINITY;
  inBurst = false;
  /** Resumes received while not suspended (a binary flag, like a futex word). */
  pendingResume = 0;
  /** Per-timer next expiry (ns), indexed by the spec's timer index. */
  timerNext: Float64Array | null = null;
  waitingOn = -1;
  /** Mutex to re-take after a condvar wait, or -1. */
  relockMutex = -1;

  // accounting
  startNs = 0;
  exitNs = -1;
  cpuNs = 0;
  sumExecNs = 0;
  waitNs = 0;
  nvcsw = 0;
  nivcsw = 0;
  migrations = 0;
  runnableAt = 0;
  wakeAt = -1;
  activatedAtNs = 0;
  /** Pending extra work from a migration (cache refill), ns. */
  refillNs = 0;
  recordIdx = -1;

  // sched_ext state
  slice = 0;
  dsqVtime = 0;
  dsq = 0;
  /** Stamp of the DSQ entry that holds this task, for lazy removal. */
  dsqStamp = 0;
  qseq = 0;
  /** Direct-dispatch target chosen in select_cpu/enqueue, or -1. */
  ddspDsq = -1;
  ddspFlags = 0;
  scxEnabled = false;

  // fair state
  vruntime = 0;
  /** vruntime relative to the runqueue's floor, kept while sleeping or migrating. */
  fairLag = 0;
  /** Set by sched_yield under fair: lose ties at the next pick. */
  yielded = false;
  fairStamp = 0;
  fairSliceStart = 0;

  slot: number;

  constructor(slot: number) {
    this.slot = slot;
  }

  /** comm, e.g. "web-3": built when read, since most tasks' names never are. */
  get comm(): string {
    return this.commIndexed ? `${this.group}-${this.instance}` : this.group;
  }
}

/**
 * Fields that hold times, virtual times or DSQ ids outgrow V8's small integers during a run. V8
 * chose each field's representation from the first values stored (small integers here), and
 * widening it later deprecates the Task shape: every existing task is migrated, its boxes
 * reallocated, the next time it is touched. With 10^5 live tasks that is a GC storm in the middle
 * of a run. One throwaway task holding doubles in those fields settles the shape first.
 */
const DOUBLE_FIELDS = [
  "workLeft", "runtimeEnd", "startNs", "exitNs", "cpuNs", "sumExecNs", "waitNs", "runnableAt", "wakeAt", "activatedAtNs",
  "refillNs", "slice", "dsqVtime", "dsq", "ddspDsq", "vruntime", "fairLag", "fairSliceStart",
] as const satisfies readonly (keyof Task)[];
{
  const t = new Task(0) as unknown as Record<string, number>;
  for (const k of DOUBLE_FIELDS) t[k] = 0.5;
}
