/**
 * The attached scheduler's callbacks and the one way the core calls them. `attach` copies the
 * ops table once, as the kernel copies struct sched_ext_ops at registration. `invoke` enters
 * the callback's kfunc context, charges its cost, turns whatever it throws into an exit and
 * gives the caller its context back, for the callbacks that are not on the hot path (tick,
 * yield, init_task, and the rare ones as a thunk). The hot paths (select_cpu, enqueue,
 * dispatch, the notifications and the per-task enable/disable/exit_task) use its three steps,
 * `enter`, `fail` and `leave`, around a call of their own, so that each site sees one function
 * (monomorphic) and V8 can inline the scheduler's callback there.
 *
 * What a callback cannot do to the kernel, whatever it is written like: leave an exception of
 * any shape unhandled (anything thrown becomes SCX_EXIT_ERROR_BPF with a printable message),
 * return a promise (the kernel has no asynchronous callbacks: SCX_EXIT_ERROR, and its
 * rejection is handled here so it never reaches the process), or drive simulated time from
 * inside itself (`depth` lets the kernel refuse that). A callback that never returns cannot be
 * stopped in its own thread; `progress` and `abandonAt` let a watchdog outside replay the run
 * and eject the scheduler at that call instead.
 */
import type { ExitKind } from "../result.js";
import type { Task } from "../task.js";
import { SCHED_EXT_CALLBACKS, SCHED_EXT_DATA, type ExitTaskArgs, type InitTaskArgs, type SchedExtOps } from "./ops.js";
import { ScxAbort } from "./exit.js";
import { EngineBug } from "../errors.js";
import { escapeControls } from "../printable.js";

/** Which kind of callback is running, for kfunc context checks. */
export const enum Ctx {
  None = 0,
  SelectCpu = 1,
  Enqueue = 2,
  Dispatch = 3,
  Other = 4,
}

/** The callbacks as `enter` and `invoke` name them; `Thunk` runs a closure (the rare ones, with odd arguments). */
export const enum Cb {
  SelectCpu = 0,
  Enqueue = 1,
  Dispatch = 2,
  Runnable = 3,
  Running = 4,
  Stopping = 5,
  Quiescent = 6,
  Tick = 7,
  Yield = 8,
  UpdateIdle = 9,
  InitTask = 10,
  Enable = 11,
  Disable = 12,
  ExitTask = 13,
  Thunk = 14,
}

/** Names as in struct sched_ext_ops, for exit messages; the thunk's comes with it. */
const NAMES = [
  "select_cpu", "enqueue", "dispatch", "runnable", "running", "stopping", "quiescent", "tick", "yield",
  "update_idle", "init_task", "enable", "disable", "exit_task", "",
];
/**
 * The kfunc context callback `cb` runs in: its own for the first three, Other for the rest.
 * Arithmetic rather than a table, so that it folds to a constant where `cb` is one (the hot sites).
 */
function ctxOf(cb: Cb): Ctx {
  return cb <= Cb.Dispatch ? cb + 1 : Ctx.Other;
}
/** Bit `cb` set for the callbacks whose cost the cost model charges to their CPU (select_cpu, enqueue, dispatch, running, stopping). */
const CHARGED = 1 << Cb.SelectCpu | 1 << Cb.Enqueue | 1 << Cb.Dispatch | 1 << Cb.Running | 1 << Cb.Stopping;

/** Arguments of init_task and exit_task: shared, read-only, so per-task calls allocate nothing. */
const INIT_FORK: InitTaskArgs = Object.freeze({ fork: true });
const INIT_LOAD: InitTaskArgs = Object.freeze({ fork: false });
export const EXIT_ARGS: ExitTaskArgs = Object.freeze({ cancelled: false });

/** What invoke needs of the core around a call. */
export interface CallbackHost {
  chargeCallback(cpu: number): void;
  requestExit(kind: ExitKind, msg: string): void;
}

type Fn<K extends keyof SchedExtOps> = NonNullable<SchedExtOps[K]>;

const noop = (): void => {};

/** Callbacks that may run inside one another (enqueue inside dispatch through reenqueueLocal). */
const MAX_DEPTH = 8;

function tooDeep(d: number): never {
  throw new EngineBug(`callbacks nested ${d} deep`);
}

/** The members of struct sched_ext_ops, read once when a scheduler is enabled. */
const MEMBERS = [...SCHED_EXT_DATA, ...SCHED_EXT_CALLBACKS] as const;

/**
 * A plain copy of the ops table's members, as the kernel copies the struct at registration;
 * null when reading it threw (a getter or a Proxy), which the kernel would see as -EFAULT.
 */
export function copyOps(ops: SchedExtOps): SchedExtOps | null {
  const copy: Record<string, unknown> = {};
  try {
    for (const m of MEMBERS) copy[m] = ops[m];
  } catch {
    return null;
  }
  return copy as unknown as SchedExtOps;
}

/**
 * A printable message for anything a callback threw: an Error, a string, a null-prototype object,
 * a Proxy. It becomes the exit's one-line msg, so control and bidi characters come out escaped.
 */
export function describeThrown(e: unknown): string {
  return escapeControls(thrownText(e));
}

function thrownText(e: unknown): string {
  try {
    if (e instanceof Error) {
      const m: unknown = e.message;
      if (typeof m === "string") return m;
    }
  } catch {
    // a throwing message getter or prototype trap: fall through to the plain conversion
  }
  try {
    return String(e);
  } catch {
    return `a thrown ${typeof e} that cannot be printed`;
  }
}

/** Whether `e` is the core's own unwind; `instanceof` on a Proxy runs its traps, which may throw. */
function isAbort(e: unknown): boolean {
  try {
    return e instanceof ScxAbort;
  } catch {
    return false;
  }
}

/** Whether `r` is a promise or other thenable; reading `then` may itself throw (then it is not one). */
function isThenable(r: object): boolean {
  try {
    return typeof (r as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

export class Callbacks {
  /** The table as attached; callbacks run with it as `this`. */
  self: SchedExtOps | null = null;
  selectCpu: Fn<"select_cpu"> | null = null;
  enqueue: Fn<"enqueue"> | null = null;
  dispatch: Fn<"dispatch"> | null = null;
  runnable: Fn<"runnable"> | null = null;
  running: Fn<"running"> | null = null;
  stopping: Fn<"stopping"> | null = null;
  quiescent: Fn<"quiescent"> | null = null;
  tick: Fn<"tick"> | null = null;
  private yield: Fn<"yield"> | null = null;
  updateIdle: Fn<"update_idle"> | null = null;
  private initTask: Fn<"init_task"> | null = null;
  enable: Fn<"enable"> | null = null;
  disable: Fn<"disable"> | null = null;
  exitTask: Fn<"exit_task"> | null = null;
  hasSelect = false; hasEnqueue = false; hasDispatch = false; hasTick = false;
  hasRunnable = false; hasRunning = false; hasStopping = false; hasQuiescent = false;
  hasYield = false; hasUpdateIdle = false; hasInitTask = false; hasEnable = false;
  hasDisable = false; hasExitTask = false;
  /** ops.cpu_acquire or ops.cpu_release is defined (the kernel's SCX_OPS_HAS_CPU_PREEMPT). */
  hasCpuPreempt = false;

  /** The running callback's kfunc context, task and CPU (the caller's come back after it). */
  ctx: Ctx = Ctx.None;
  ctxTask: Task | null = null;
  ctxCpu = 0;
  /** Whether the last invoke ended in an exception (or was abandoned, or returned a promise). */
  threw = false;
  /** Callbacks running right now (more than one when enqueue runs inside dispatch). */
  depth = 0;
  /** The callers' contexts, innermost last (typed arrays: entering allocates nothing). */
  private readonly outerCtx = new Int32Array(MAX_DEPTH);
  private readonly outerCpu = new Int32Array(MAX_DEPTH);
  private readonly outerCb = new Int32Array(MAX_DEPTH);
  private readonly outerTask: (Task | null)[] = new Array<Task | null>(MAX_DEPTH).fill(null);
  /** The innermost running callback, for messages. */
  private current: Cb = Cb.Thunk;
  /**
   * Callbacks invoked so far this run, and how deep the running ones are nested, mirrored into
   * `progress` [calls, depth] for a watchdog in another thread (unwatched: a private array, so
   * that entering and leaving store without a branch).
   */
  private calls = 0;
  private progress: Float64Array = new Float64Array(2);
  private abandonCall = -1;
  private abandonWhy = "";
  private thunk: (() => unknown) | null = null;
  private thunkName = "";

  constructor(private readonly host: CallbackHost) {}

  /**
   * Takes the callbacks of `copy` (see copyOps; a member that is not a function counts as
   * absent); they run with `self`, the table as the scheduler wrote it, as `this`.
   */
  attach(copy: SchedExtOps, self: SchedExtOps): void {
    const f = <K extends keyof SchedExtOps>(k: K): Fn<K> | null => (typeof copy[k] === "function" ? copy[k] as Fn<K> : null);
    this.self = self;
    this.selectCpu = f("select_cpu"); this.hasSelect = this.selectCpu !== null;
    this.enqueue = f("enqueue"); this.hasEnqueue = this.enqueue !== null;
    this.dispatch = f("dispatch"); this.hasDispatch = this.dispatch !== null;
    this.runnable = f("runnable"); this.hasRunnable = this.runnable !== null;
    this.running = f("running"); this.hasRunning = this.running !== null;
    this.stopping = f("stopping"); this.hasStopping = this.stopping !== null;
    this.quiescent = f("quiescent"); this.hasQuiescent = this.quiescent !== null;
    this.tick = f("tick"); this.hasTick = this.tick !== null;
    this.yield = f("yield"); this.hasYield = this.yield !== null;
    this.updateIdle = f("update_idle"); this.hasUpdateIdle = this.updateIdle !== null;
    this.initTask = f("init_task"); this.hasInitTask = this.initTask !== null;
    this.enable = f("enable"); this.hasEnable = this.enable !== null;
    this.disable = f("disable"); this.hasDisable = this.disable !== null;
    this.exitTask = f("exit_task"); this.hasExitTask = this.exitTask !== null;
    this.hasCpuPreempt = f("cpu_acquire") !== null || f("cpu_release") !== null;
  }

  /**
   * Enters callback `cb` for task `t` (or null) on `cpu`, keeping the caller's context to give
   * back in `leave`. False when this call is the one to abandon (see `watch`): the exit is
   * claimed, and the caller must skip the call but still `leave`.
   */
  enter(cb: Cb, t: Task | null, cpu: number): boolean {
    // The outermost callback's caller has nothing to keep: outside callbacks the context is
    // always (None, no task, CPU 0, no callback), which `leave` puts back as constants.
    const depth = this.depth + 1;
    this.depth = depth;
    if (depth !== 1) this.saveOuter();
    this.ctx = ctxOf(cb);
    this.ctxTask = t;
    this.ctxCpu = cpu;
    this.current = cb;
    this.threw = false;
    if ((CHARGED >> cb & 1) !== 0) this.host.chargeCallback(cpu);
    const calls = this.calls + 1;
    this.calls = calls;
    if (calls === this.abandonCall) return this.abandon();
    const progress = this.progress;
    progress[0] = calls;
    progress[1] = depth;
    return true;
  }

  /** Keeps the context of the callback that runs another one (enqueue inside dispatch). */
  private saveOuter(): void {
    const d = this.depth - 1;
    if (d >= MAX_DEPTH) tooDeep(d);
    this.outerCtx[d] = this.ctx;
    this.outerCpu[d] = this.ctxCpu;
    this.outerCb[d] = this.current;
    this.outerTask[d] = this.ctxTask;
  }

  /** The call a watchdog saw never return: ejects the scheduler there instead of calling it. */
  private abandon(): false {
    this.threw = true;
    this.host.requestExit("SCX_EXIT_ERROR", `${this.currentName()}: ${this.abandonWhy}`);
    return false;
  }

  /** The callback threw `e`: anything but the core's own unwind becomes SCX_EXIT_ERROR_BPF. */
  fail(e: unknown): void {
    this.threw = true;
    if (!isAbort(e)) this.host.requestExit("SCX_EXIT_ERROR_BPF", `${this.currentName()}: ${describeThrown(e)}`);
  }

  /** Leaves the callback that returned `r`, giving the caller its context back; returns r, or undefined for a promise. */
  leave(r: unknown): unknown {
    // Only an object or a function can be a thenable; the usual results (undefined, a CPU) skip the test.
    if (typeof r === "object" ? r !== null : typeof r === "function") r = this.refuseThenable(r as object);
    const d = this.depth - 1;
    this.depth = d;
    this.progress[1] = d;
    if (d !== 0) {
      this.restoreOuter(d);
      return r;
    }
    this.ctx = Ctx.None;
    this.ctxCpu = 0;
    this.current = Cb.Thunk;
    this.ctxTask = null;
    return r;
  }

  /** Gives the callback that ran another one (see saveOuter) its context back. */
  private restoreOuter(d: number): void {
    this.ctx = this.outerCtx[d];
    this.ctxCpu = this.outerCpu[d];
    this.current = this.outerCb[d];
    this.ctxTask = this.outerTask[d];
    this.outerTask[d] = null;
  }

  /**
   * Calls callback `cb` (one off the hot path) for task `t` (or null) on `cpu`; `arg` is
   * init_task's fork flag as 0/1. Returns what the callback returned, or undefined when it
   * threw (the exit is claimed then).
   */
  invoke(cb: Cb.Tick | Cb.Yield | Cb.InitTask | Cb.Thunk, t: Task | null, cpu: number, arg: number): unknown {
    let r: unknown;
    if (this.enter(cb, t, cpu)) {
      const self = this.self;
      try {
        switch (cb) {
          case Cb.Tick: r = this.tick!.call(self, t!.view); break;
          case Cb.Yield: r = this.yield!.call(self, t!.view, null); break;
          case Cb.InitTask: r = this.initTask!.call(self, t!.view, arg !== 0 ? INIT_FORK : INIT_LOAD); break;
          case Cb.Thunk: r = this.thunk!(); break;
        }
      } catch (e) {
        r = undefined;
        this.fail(e);
      }
    }
    return this.leave(r);
  }

  /**
   * Whether the innermost callback is one the kernel makes for `t` while SCX_TASK_QUEUED is set
   * although the simulator has not placed it yet, or no longer: ops.runnable and ops.enqueue
   * (enqueue_task_scx sets the flag first), ops.dequeue, ops.stopping and ops.quiescent
   * (dequeue_task_scx clears it last; put_prev_task_scx calls stopping only while it is set).
   */
  queuedFor(t: Task): boolean {
    if (this.ctxTask !== t) return false;
    const c = this.current;
    return c === Cb.Runnable || c === Cb.Enqueue || c === Cb.Stopping || c === Cb.Quiescent || (c === Cb.Thunk && this.thunkName === "dequeue");
  }

  /** Name of the innermost running callback, as in struct sched_ext_ops. */
  currentName(): string {
    return this.current === Cb.Thunk ? this.thunkName : NAMES[this.current];
  }

  /** `r` itself, or undefined when it is a thenable (refused: see refusePromise). */
  private refuseThenable(r: object): unknown {
    if (!isThenable(r)) return r;
    this.refusePromise(r);
    return undefined;
  }

  /**
   * A callback returned a thenable: an error (the kernel's callbacks run to completion), and
   * a native promise's rejection is handled so that it cannot end the process.
   */
  private refusePromise(r: object): void {
    this.threw = true;
    try {
      if (r instanceof Promise) Promise.prototype.then.call(r, undefined, noop);
    } catch {
      // a Proxy that throws on the prototype check is no native promise: nothing to handle
    }
    this.host.requestExit("SCX_EXIT_ERROR", `${this.currentName()}: returned a promise; sched_ext callbacks are synchronous`);
  }

  /**
   * Mirrors the count of callbacks invoked into `progress[0]` and the depth of the running ones
   * into `progress[1]` (a SharedArrayBuffer a watchdog reads: a count that stays put while the
   * depth is above 0 is a callback that has not returned), and treats call number `call` (1-based), if given, as one that never returned:
   * the scheduler is ejected there with `why`. Replaying a run with the count a watchdog saw
   * when it gave up ejects the scheduler at the very callback that hung, deterministically.
   */
  watch(progress: Float64Array | null, abandon: { call: number; why: string } | null): void {
    this.progress = progress ?? new Float64Array(2);
    this.abandonCall = abandon === null ? -1 : abandon.call;
    this.abandonWhy = abandon === null ? "" : abandon.why;
  }

  /** Runs a rarely called callback (init, exit, the cgroup ones, a timer) through invoke. */
  invokeThunk(name: string, t: Task | null, fn: () => unknown, cpu = this.ctxCpu): unknown {
    const outerThunk = this.thunk, outerName = this.thunkName;
    this.thunk = fn;
    this.thunkName = name;
    const r = this.invoke(Cb.Thunk, t, cpu, 0);
    this.thunk = outerThunk;
    this.thunkName = outerName;
    return r;
  }
}
