/**
 * The fault injector: an ops table that wraps any registered scheduler, delegates every callback
 * to it, and from the moment it is armed misbehaves in one chosen way: it calls scx_bpf_error(),
 * throws, inserts into a DSQ that does not exist, or stops dispatching. It has exactly the
 * callbacks of the scheduler it wraps (plus init and exit, which change nothing when the
 * scheduler had none), so until it is armed the run is the scheduler's own. Its ops.exit records
 * the exit info the way a BPF scheduler's UEI_RECORD does, which is what a loader polls.
 */
import type { ExitInfo } from "../../sim/result.js";
import type { CpuId, DsqId, SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import { asDsq, SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_SLICE_DFL } from "../../sim/ext/consts.js";
import type { Fault } from "./faults.js";

/** Every callback of struct sched_ext_ops. */
const CALLBACKS = [
  "select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable", "running", "stopping", "quiescent",
  "yield", "set_weight", "set_cpumask", "update_idle", "init_task", "exit_task", "enable", "disable",
  "cgroup_init", "cgroup_exit", "cgroup_move", "cgroup_set_weight", "init", "exit",
] as const satisfies readonly (keyof SchedExtOps)[];
type Callback = (typeof CALLBACKS)[number];

/** Callbacks of the scheduling path, where an armed error or throw fault goes off. */
const HOT: ReadonlySet<string> = new Set([
  "select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable", "running", "stopping", "quiescent",
  "yield", "set_weight", "set_cpumask", "update_idle",
]);

/** The DSQ id the bad-dsq fault inserts into (never created: the classic forgotten create_dsq). */
export const BAD_DSQ = 0x5ca1ab1e;
/** The DSQ a stalled scheduler parks tasks in and never dispatches from. */
const LIMBO_DSQ = 0x57a11;

export type FaultInScheduler = Extract<Fault, "error" | "throw" | "stall" | "bad-dsq">;

export interface InjectorOptions {
  /** The misbehaviour once armed; null for a pass-through wrapper (it still records the UEI). */
  readonly fault: FaultInScheduler | null;
  /** Overrides the scheduler's timeout_ms (the watchdog limit). */
  readonly timeoutMs?: number | null;
  /** Called from ops.exit, inside the kernel's disable path: read state there, change nothing. */
  readonly onExit?: (ei: ExitInfo) => void;
}

type AnyFn = (...args: unknown[]) => unknown;

export class FaultInjector {
  /** The table to write into the struct_ops map. */
  readonly ops: SchedExtOps;
  readonly fault: FaultInScheduler | null;
  /** Simulated time the fault was armed, or null. */
  armedAtNs: number | null = null;
  /** When and in which callback the scheduler first misbehaved. */
  firedAtNs: number | null = null;
  firedIn: string | null = null;
  /** Stall: time the first task was parked for good, and how many were. */
  firstParkedNs: number | null = null;
  parked = 0;
  /** The exit info ops.exit received (a loader's UEI), or null while the scheduler runs. */
  uei: ExitInfo | null = null;
  private limbo = asDsq(-1);

  constructor(
    readonly inner: SchedExtOps,
    private readonly scx: Scx,
    opts: InjectorOptions,
  ) {
    this.fault = opts.fault;
    const src = inner as unknown as Record<string, unknown>;
    const ops: Record<string, unknown> = { name: inner.name };
    for (const k of ["flags", "timeout_ms", "dispatch_max_batch", "exit_dump_len"] as const) {
      if (inner[k] !== undefined) ops[k] = inner[k];
    }
    if (opts.timeoutMs !== undefined && opts.timeoutMs !== null) ops.timeout_ms = opts.timeoutMs;
    for (const cb of CALLBACKS) {
      const fn = src[cb];
      if (typeof fn === "function") ops[cb] = this.wrap(cb, (fn as AnyFn).bind(inner));
    }
    // Defaults spelled out with kfuncs where the fault needs the callback to exist.
    if (this.fault === "stall" || this.fault === "bad-dsq") {
      ops.enqueue ??= this.wrap("enqueue", (p, flags) => this.scx.dsqInsert(p as ScxTask, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, flags as number));
      ops.select_cpu ??= this.wrap("select_cpu", (p, prev, wf) => {
        const r = this.scx.selectCpuDfl(p as ScxTask, prev as CpuId, wf as number);
        if (r.isIdle) this.scx.dsqInsert(p as ScxTask, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
        return r.cpu;
      });
    }
    if (this.fault === "stall") ops.dispatch ??= this.wrap("dispatch", () => undefined);
    const init = typeof src.init === "function" ? (src.init as AnyFn).bind(inner) : null;
    ops.init = () => {
      const r = init === null ? 0 : (init() as number);
      if (r === 0 && this.fault === "stall") this.limbo = this.createLimbo();
      return r;
    };
    const exit = typeof src.exit === "function" ? (src.exit as AnyFn).bind(inner) : null;
    ops.exit = (ei: ExitInfo) => {
      try {
        exit?.(ei);
      } finally {
        this.uei = { ...ei };
        opts.onExit?.(ei);
      }
    };
    this.ops = ops as unknown as SchedExtOps;
  }

  get name(): string {
    return this.inner.name;
  }

  /** From now on the scheduler misbehaves (a no-op for a pass-through wrapper). */
  arm(): void {
    if (this.fault !== null && this.armedAtNs === null) this.armedAtNs = this.scx.now();
  }

  private wrap(cb: Callback, fn: AnyFn): AnyFn {
    return (...args: unknown[]) => {
      if (this.armedAtNs !== null) {
        const r = this.misbehave(cb, args);
        if (r !== PASS) return r;
      }
      return fn(...args);
    };
  }

  /** What an armed scheduler does instead of `cb`, or PASS to run the real callback. */
  private misbehave(cb: Callback, args: unknown[]): unknown {
    switch (this.fault) {
      case "error": {
        if (this.firedAtNs !== null || !HOT.has(cb)) return PASS;
        this.fired(cb);
        this.scx.error(`injected fault: ${cb}: task context lookup failed for ${subject(cb, args)}`);
        return cb === "select_cpu" ? args[1] : undefined; // bail out, as BPF code does after scx_bpf_error()
      }
      case "throw": {
        if (this.firedAtNs !== null || !HOT.has(cb)) return PASS;
        this.fired(cb);
        throw new TypeError(`injected fault: cannot read properties of undefined (task context of ${subject(cb, args)})`);
      }
      case "bad-dsq": {
        // From select_cpu (a direct dispatch, committed at enqueue time) or from enqueue: a
        // wakeup onto an idle CPU may never reach ops.enqueue.
        if (this.firedAtNs !== null || (cb !== "enqueue" && cb !== "select_cpu")) return PASS;
        this.fired(cb);
        let dsq = BAD_DSQ;
        while (this.scx.dsqNrQueued(asDsq(dsq)) !== -2) dsq++; // make sure it really does not exist
        this.scx.dsqInsert(args[0] as ScxTask, asDsq(dsq), SCX_SLICE_DFL, cb === "enqueue" ? (args[1] as number) : 0);
        return cb === "select_cpu" ? args[1] : undefined;
      }
      case "stall": {
        if (cb === "select_cpu") return args[1]; // no direct dispatch to an idle CPU any more
        if (cb === "dispatch") {
          if (this.firedAtNs === null) this.fired(cb);
          return undefined; // nothing moves from the scheduler's DSQs to the CPUs
        }
        if (cb === "enqueue") {
          if (this.firedAtNs === null) this.fired(cb);
          this.scx.dsqInsert(args[0] as ScxTask, this.limbo, SCX_SLICE_DFL, 0);
          this.parked++;
          this.firstParkedNs ??= this.scx.now();
          return undefined;
        }
        return PASS;
      }
      default:
        return PASS;
    }
  }

  private fired(cb: string): void {
    this.firedAtNs = this.scx.now();
    this.firedIn = cb;
  }

  /** A user DSQ id nobody uses, created for parked tasks. */
  private createLimbo(): DsqId {
    for (let id = LIMBO_DSQ; ; id++) {
      if (this.scx.createDsq(asDsq(id), -1) === 0) return asDsq(id);
    }
  }
}

const PASS = Symbol("pass");

/** What a callback was about, for error messages: a task, or a CPU. */
function subject(cb: string, args: unknown[]): string {
  if (cb === "dispatch" || cb === "update_idle") return `CPU ${String(args[0])}`;
  const p = args[0] as ScxTask | undefined;
  return p && typeof p === "object" ? `${p.comm}[${p.pid}]` : cb;
}
