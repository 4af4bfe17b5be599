/**
 * The sched_ext constants at the kernel boundary: one table, each constant with the value the
 * kernel gives it (include/linux/sched/ext.h, kernel/sched/ext_internal.h of the modelled
 * kernel, Linux 6.19; what compiled BPF objects and C-derived numbers carry) and, where scxlab's TS API has it, the TS
 * value (consts.ts). The BPF glue (sim/ebpf) converts through this table only, the kernel type
 * model's enums are built from it, and scripts read the kernel's numbers here (SCX_KERNEL).
 *
 * Why two values at all: a double cannot hold bit 63, and JS bit operators work on 32 bits, so
 * the TS API keeps DSQ ids in a band at 2^50 (`SCX_DSQ_LOCAL_ON + cpu` where C writes
 * `SCX_DSQ_LOCAL_ON | cpu`) and the enqueue/dequeue flags above bit 31 at scaled-down bits.
 * Every other flag family (wake, kick, pick-idle, ops flags, the low enqueue bits) has the
 * kernel's value in both. Exit kinds are strings in the TS API; their codes are here.
 */
import type { ExitKind } from "../result.js";
import {
  SCX_DEQ_SCHED_CHANGE, SCX_DEQ_SLEEP, SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_CPU_MASK,
  SCX_DSQ_LOCAL_ON, SCX_DSQ_USER_MAX, SCX_ENQ_CPU_SELECTED, SCX_ENQ_HEAD, SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ,
  SCX_ENQ_WAKEUP, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_OPS_ENQ_EXITING, SCX_OPS_ENQ_LAST,
  SCX_OPS_KEEP_BUILTIN_IDLE, SCX_OPS_SWITCH_PARTIAL, SCX_PICK_IDLE_CORE, SCX_PICK_IDLE_IN_NODE, SCX_SLICE_DFL,
  SCX_SLICE_INF, SCX_WAKE_FORK, SCX_WAKE_SYNC, SCX_WAKE_TTWU, localOn, type DsqId,
} from "./consts.js";

/**
 * The one kernel version scxlab models: sched_ext's paths (SCX_KICK_WAIT's kick_sync wait, the
 * ext dl_server, dropped kicks of CPUs in a higher class), the constants below, and the
 * LINUX_KERNEL_VERSION that BPF objects read from .kconfig (sim/ebpf/obj/kconfig.ts) all follow
 * it. Later behaviour is named where the model takes it (SCX_DEQ_SCHED_CHANGE).
 */
export const MODELLED_LINUX = { major: 6, minor: 19 } as const;
import { asCpu, asDsq } from "./ids.js";
import { SCX_CPU_PREEMPT_DL, SCX_CPU_PREEMPT_RT, SCX_CPU_PREEMPT_STOP, SCX_CPU_PREEMPT_UNKNOWN } from "./ops.js";

/** One constant: the kernel's value and the TS API's (null where the TS API has no such constant). */
export interface AbiConst {
  readonly name: string;
  readonly kernel: bigint;
  readonly ts: number | null;
  /** False for a constant the kernel type model (sim/ebpf's BTF, CO-RE's target) leaves out. */
  readonly btf: boolean;
}

/** A kernel enum: its name, width in bytes and constants. */
export interface AbiEnum {
  readonly name: string;
  readonly size: 4 | 8;
  readonly values: readonly AbiConst[];
}

const B63 = 1n << 63n, B62 = 1n << 62n;
const c = (name: string, kernel: bigint | number, ts: number | null = null, btf = true): AbiConst =>
  ({ name, kernel: BigInt(kernel), ts, btf });

/** The table. */
export const SCX_ABI: readonly AbiEnum[] = [
  { name: "scx_public_consts", size: 8, values: [
    c("SCX_OPS_NAME_LEN", 128), c("SCX_SLICE_DFL", 20_000_000, SCX_SLICE_DFL), c("SCX_SLICE_INF", (1n << 64n) - 1n, SCX_SLICE_INF)] },
  { name: "scx_dsq_id_flags", size: 8, values: [
    c("SCX_DSQ_FLAG_BUILTIN", B63), c("SCX_DSQ_FLAG_LOCAL_ON", B62), c("SCX_DSQ_INVALID", B63, SCX_DSQ_INVALID),
    c("SCX_DSQ_GLOBAL", B63 | 1n, SCX_DSQ_GLOBAL), c("SCX_DSQ_LOCAL", B63 | 2n, SCX_DSQ_LOCAL),
    c("SCX_DSQ_LOCAL_ON", B63 | B62, SCX_DSQ_LOCAL_ON), c("SCX_DSQ_LOCAL_CPU_MASK", 0xffffffffn, SCX_DSQ_LOCAL_CPU_MASK)] },
  { name: "scx_enq_flags", size: 8, values: [
    c("SCX_ENQ_WAKEUP", 1, SCX_ENQ_WAKEUP), c("SCX_ENQ_HEAD", 1 << 4, SCX_ENQ_HEAD), c("SCX_ENQ_CPU_SELECTED", 1 << 10, SCX_ENQ_CPU_SELECTED),
    c("SCX_ENQ_PREEMPT", 1n << 32n, SCX_ENQ_PREEMPT), c("SCX_ENQ_REENQ", 1n << 40n, SCX_ENQ_REENQ), c("SCX_ENQ_LAST", 1n << 41n, SCX_ENQ_LAST),
    c("SCX_ENQ_CLEAR_OPSS", 1n << 56n), c("SCX_ENQ_DSQ_PRIQ", 1n << 57n)] },
  { name: "scx_deq_flags", size: 8, values: [
    c("SCX_DEQ_SLEEP", 1, SCX_DEQ_SLEEP), c("SCX_DEQ_CORE_SCHED_EXEC", 1n << 32n),
    // A 2026 addition (ops.dequeue for property changes), past 6.19's BTF; the sim passes it.
    c("SCX_DEQ_SCHED_CHANGE", 1n << 33n, SCX_DEQ_SCHED_CHANGE, false)] },
  { name: "scx_kick_flags", size: 4, values: [
    c("SCX_KICK_IDLE", 1, SCX_KICK_IDLE), c("SCX_KICK_PREEMPT", 2, SCX_KICK_PREEMPT), c("SCX_KICK_WAIT", 4, SCX_KICK_WAIT)] },
  { name: "scx_pick_idle_cpu_flags", size: 4, values: [
    c("SCX_PICK_IDLE_CORE", 1, SCX_PICK_IDLE_CORE), c("SCX_PICK_IDLE_IN_NODE", 2, SCX_PICK_IDLE_IN_NODE)] },
  { name: "scx_wake_flags", size: 4, values: [
    c("SCX_WAKE_FORK", 4, SCX_WAKE_FORK), c("SCX_WAKE_TTWU", 8, SCX_WAKE_TTWU), c("SCX_WAKE_SYNC", 16, SCX_WAKE_SYNC)] },
  { name: "scx_ops_flags", size: 8, values: [
    c("SCX_OPS_KEEP_BUILTIN_IDLE", 1, SCX_OPS_KEEP_BUILTIN_IDLE), c("SCX_OPS_ENQ_LAST", 2, SCX_OPS_ENQ_LAST),
    c("SCX_OPS_ENQ_EXITING", 4, SCX_OPS_ENQ_EXITING), c("SCX_OPS_SWITCH_PARTIAL", 8, SCX_OPS_SWITCH_PARTIAL),
    c("SCX_OPS_ENQ_MIGRATION_DISABLED", 16), c("SCX_OPS_ALLOW_QUEUED_WAKEUP", 32), c("SCX_OPS_BUILTIN_IDLE_PER_NODE", 64),
    c("SCX_OPS_HAS_CGROUP_WEIGHT", 1 << 16), c("SCX_OPS_ALWAYS_ENQ_IMMED", 1 << 7, null, false)] },
  // scx_bpf_dsq_iter's flags (the high bits are the kernel's own); outside the type model so far.
  { name: "scx_dsq_iter_flags", size: 4, values: [c("SCX_DSQ_ITER_REV", 1 << 16, null, false)] },
  { name: "scx_exit_kind", size: 4, values: [
    c("SCX_EXIT_NONE", 0), c("SCX_EXIT_DONE", 1), c("SCX_EXIT_UNREG", 64), c("SCX_EXIT_UNREG_BPF", 65), c("SCX_EXIT_UNREG_KERN", 66),
    c("SCX_EXIT_SYSRQ", 67), c("SCX_EXIT_ERROR", 1024), c("SCX_EXIT_ERROR_BPF", 1025), c("SCX_EXIT_ERROR_STALL", 1026)] },
  { name: "scx_rq_flags", size: 4, values: [
    c("SCX_RQ_ONLINE", 1), c("SCX_RQ_CAN_STOP_TICK", 2), c("SCX_RQ_BAL_PENDING", 4), c("SCX_RQ_BAL_KEEP", 8), c("SCX_RQ_BYPASSING", 16),
    c("SCX_RQ_CLK_VALID", 32), c("SCX_RQ_BAL_CB_PENDING", 64), c("SCX_RQ_IN_WAKEUP", 1 << 16), c("SCX_RQ_IN_BALANCE", 1 << 17)] },
  { name: "scx_ent_flags", size: 4, values: [
    c("SCX_TASK_QUEUED", 1), c("SCX_TASK_RESET_RUNNABLE_AT", 4), c("SCX_TASK_DEQD_FOR_SLEEP", 8), c("SCX_TASK_STATE_SHIFT", 8),
    c("SCX_TASK_STATE_BITS", 2), c("SCX_TASK_STATE_MASK", 768), c("SCX_TASK_CURSOR", -(2 ** 31))] },
  { name: "scx_task_state", size: 4, values: [
    c("SCX_TASK_NONE", 0), c("SCX_TASK_INIT", 1), c("SCX_TASK_READY", 2), c("SCX_TASK_ENABLED", 3), c("SCX_TASK_NR_STATES", 4)] },
  { name: "scx_ent_dsq_flags", size: 4, values: [c("SCX_TASK_DSQ_ON_PRIQ", 1)] },
  { name: "scx_cpu_preempt_reason", size: 4, values: [
    c("SCX_CPU_PREEMPT_RT", 0, SCX_CPU_PREEMPT_RT), c("SCX_CPU_PREEMPT_DL", 1, SCX_CPU_PREEMPT_DL),
    c("SCX_CPU_PREEMPT_STOP", 2, SCX_CPU_PREEMPT_STOP), c("SCX_CPU_PREEMPT_UNKNOWN", 3, SCX_CPU_PREEMPT_UNKNOWN)] },
];

const ALL = SCX_ABI.flatMap((en) => en.values);
const byName = new Map(ALL.map((v) => [v.name, v]));

/** Every constant of the table by name, with the kernel's value: `SCX_KERNEL.SCX_DSQ_LOCAL === (1n << 63n) | 2n`. */
export const SCX_KERNEL: Readonly<Record<string, bigint>> = Object.freeze(Object.fromEntries(ALL.map((v) => [v.name, v.kernel])));

/** The kernel's value of a constant of the table; throws for a name it does not hold. */
export function kernelValue(name: string): bigint {
  const v = byName.get(name);
  if (v === undefined) throw new RangeError(`no sched_ext constant ${name}`);
  return v.kernel;
}

const kv = (name: string): bigint => kernelValue(name);
const LOCAL_ON_HI = Number(kv("SCX_DSQ_FLAG_LOCAL_ON") >> 32n), BUILTIN_HI = Number(BigInt.asIntN(32, kv("SCX_DSQ_FLAG_BUILTIN") >> 32n));

/** A TS DSQ id as the kernel's u64 (SCX_DSQ_INVALID for what is no DSQ id). */
export function dsqIdToKernel(id: DsqId): bigint {
  if (Number.isInteger(id) && id >= 0 && id < SCX_DSQ_USER_MAX) return BigInt(id);
  if (id === SCX_DSQ_GLOBAL) return kv("SCX_DSQ_GLOBAL");
  if (id === SCX_DSQ_LOCAL) return kv("SCX_DSQ_LOCAL");
  const cpu = id - SCX_DSQ_LOCAL_ON;
  if (Number.isInteger(cpu) && cpu >= 0 && cpu <= SCX_DSQ_LOCAL_CPU_MASK) return kv("SCX_DSQ_LOCAL_ON") | BigInt(cpu);
  return kv("SCX_DSQ_INVALID");
}

/** A kernel DSQ id given as 32-bit halves, as the TS API's DsqId (SCX_DSQ_INVALID when unknown). */
export function dsqIdFromKernelHalves(lo: number, hi: number): DsqId {
  if ((hi & BUILTIN_HI) !== 0) {
    // As the kernel reads it: the CPU is the low 32 bits, whatever else is set (SCX_DSQ_LOCAL_CPU_MASK).
    if ((hi & LOCAL_ON_HI) !== 0) return localOn(asCpu(lo >>> 0));
    if ((hi & ~BUILTIN_HI) !== 0) return SCX_DSQ_INVALID;
    if (lo === Number(kv("SCX_DSQ_GLOBAL") & 0xffffffffn)) return SCX_DSQ_GLOBAL;
    if (lo === Number(kv("SCX_DSQ_LOCAL") & 0xffffffffn)) return SCX_DSQ_LOCAL;
    return SCX_DSQ_INVALID;
  }
  const id = (hi >>> 0) * 4294967296 + (lo >>> 0);
  return id < SCX_DSQ_USER_MAX ? asDsq(id) : SCX_DSQ_INVALID;
}

/** A kernel DSQ id (u64) as the TS API's DsqId. */
export function dsqIdFromKernel(v: bigint): DsqId {
  const u = BigInt.asUintN(64, v);
  return dsqIdFromKernelHalves(Number(BigInt.asIntN(32, u)), Number(BigInt.asIntN(32, u >> 32n)));
}

/** TS flag bits below this keep the kernel's value (the bits above are all moved ones). */
const SAME_BELOW = 1 << 20;

/**
 * One flag family's mapping, from the table: bits whose TS and kernel values are equal pass
 * through (the core's ENQUEUE_RESTORE and DEQUEUE_SAVE ride along that way, as in the kernel);
 * the others move between their TS bit and the kernel's. Kernel bits the TS API lacks drop.
 */
export class FlagMap {
  private readonly ts: number[] = [];
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly pass: number;

  constructor(enumName: string) {
    const en = SCX_ABI.find((e) => e.name === enumName);
    if (en === undefined) throw new RangeError(`no sched_ext enum ${enumName}`);
    let moved = 0;
    for (const v of en.values) {
      if (v.ts === null || BigInt(v.ts) === v.kernel) continue;
      this.ts.push(v.ts);
      this.lo.push(Number(BigInt.asIntN(32, v.kernel)));
      this.hi.push(Number(BigInt.asIntN(32, v.kernel >> 32n)));
      moved |= v.ts;
    }
    this.pass = (SAME_BELOW - 1) & ~moved;
  }

  /** Low 32 bits of the kernel's flags for TS flags `f`. */
  kernelLo(f: number): number {
    let r = f & this.pass;
    for (let i = 0; i < this.ts.length; i++) if ((f & this.ts[i]) !== 0) r |= this.lo[i];
    return r;
  }

  /** High 32 bits of the kernel's flags for TS flags `f`. */
  kernelHi(f: number): number {
    let r = 0;
    for (let i = 0; i < this.ts.length; i++) if ((f & this.ts[i]) !== 0) r |= this.hi[i];
    return r;
  }

  /** TS flags from the kernel's, given as 32-bit halves. */
  fromHalves(lo: number, hi: number): number {
    let r = lo & this.pass;
    for (let i = 0; i < this.ts.length; i++) if ((lo & this.lo[i]) !== 0 || (hi & this.hi[i]) !== 0) r |= this.ts[i];
    return r;
  }

  /** The kernel's u64 flags for TS flags `f`. */
  toKernel(f: number): bigint {
    return (BigInt(this.kernelHi(f) >>> 0) << 32n) | BigInt(this.kernelLo(f) >>> 0);
  }

  /** TS flags from the kernel's u64. */
  fromKernel(v: bigint): number {
    const u = BigInt.asUintN(64, v);
    return this.fromHalves(Number(BigInt.asIntN(32, u)), Number(BigInt.asIntN(32, u >> 32n)));
  }
}

/** Enqueue flags (ops.enqueue's argument, scx_bpf_dsq_insert's): SCX_ENQ_PREEMPT, REENQ and LAST move. */
export const ENQ_FLAGS = new FlagMap("scx_enq_flags");
/** Dequeue flags (ops.dequeue, ops.quiescent): SCX_DEQ_SCHED_CHANGE moves. */
export const DEQ_FLAGS = new FlagMap("scx_deq_flags");

/** An exit kind's code (scx_exit_kind), as ops.exit's scx_exit_info.kind and UEI report it. */
export function exitKindCode(kind: ExitKind): number {
  return Number(kernelValue(kind));
}

/** The exit kind of a code, or null for a code that is none. */
export function exitKindOf(code: number): ExitKind | null {
  if (!Number.isInteger(code)) return null;
  const en = SCX_ABI.find((e) => e.name === "scx_exit_kind")!;
  const v = en.values.find((x) => x.kernel === BigInt(code));
  return v === undefined ? null : (v.name as ExitKind);
}
