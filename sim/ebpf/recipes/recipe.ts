/**
 * Loader recipes: what a scheduler's user-space half does around loading its BPF object (the
 * kernel samples' scx_*.c, the scx family's Rust main.rs), as data plus a small function.
 * scxlab picks a recipe by the object's sched_ext_ops name. `-o` then accepts the upstream
 * command-line options by their long names (dashes or underscores), besides any `.rodata`
 * variable by its own name; an object without a recipe runs with its compiled defaults.
 */
import type { RodataValue } from "../obj/rodata.js";
import { kernelValue } from "../../ext/kernel_abi.js";

/**
 * What a loader refuses, as upstream's user space would (an option out of range, a machine it
 * cannot handle, one of its setup programs failing): the user's input, reported as such. Any
 * other error thrown by a recipe is a bug in scxlab and is not dressed up as bad input.
 */
export class RecipeError extends Error {
  override readonly name = "RecipeError";
}

/** The machine as a loader sees it (libbpf_num_possible_cpus, the topology crate). */
export interface RecipeMachine {
  readonly nrCpus: number;
  readonly nrNodes: number;
  readonly nrLlcs: number;
  /** SMT sibling of a CPU, or -1. */
  sibling(cpu: number): number;
  llc(cpu: number): number;
  node(cpu: number): number;
  /** 1024 = the biggest CPU. */
  capacity(cpu: number): number;
}

/** An upstream command-line option the recipe maps (its default as upstream gives it). */
export interface RecipeOption {
  readonly default: string;
  readonly help: string;
}

/** A SEC("syscall") program run with BPF_PROG_TEST_RUN: its context bytes and the CPU it runs on. */
export interface SyscallRun {
  readonly prog: string;
  readonly ctx: Uint8Array;
  readonly cpu: number;
  /** After attach (the loader runs it once the scheduler is enabled), else before. */
  readonly afterAttach?: boolean;
}

/** What user space does: data sizes, .rodata values, ops flags, syscall programs. */
export interface RecipePlan {
  /** RESIZE_ARRAY: global array variable → elements. */
  readonly resize?: readonly (readonly [string, number])[];
  /** `.rodata` writes, in order (`name` or `name[i]`). */
  readonly rodata: readonly (readonly [string, RodataValue])[];
  /** sched_ext_ops.flags as the loader sets them (the kernel's bits), when it overrides them. */
  readonly flags?: number;
  readonly syscalls?: readonly SyscallRun[];
  /** What user space writes into the object's maps after load and before the syscall programs (bpf_map_update_elem, BPF_ANY). */
  readonly maps?: readonly MapWrite[];
  /** Writes through the skeleton's `.bss`/`.data` after load (`skel.maps.bss_data.x[i] = v`), before the syscall programs. */
  readonly data?: readonly (readonly [string, RodataValue])[];
  /**
   * User-space steps that depend on what programs return (scx_arena's ArenaLib: allocate a mask
   * in the arena, fill it through the mapping, pass it to the next program), after `syscalls`
   * and before attach. Throws Error with a one-line reason where the loader would bail.
   */
  readonly setup?: (io: RecipeIo) => void;
  /**
   * User-space work the loader repeats while the scheduler runs (scx_rusty's tuner): each step
   * runs every `intervalNs` of simulated time from attach, as a timer between scheduling events
   * (costing what a BPF timer's expiry costs), and reads the CPUs' busy time and writes the
   * skeleton's `.bss`/`.data` as the Rust side does through the mmapped maps.
   */
  readonly periodic?: readonly PeriodicStep[];
}

/** One periodic user-space step of a loader. */
export interface PeriodicStep {
  readonly intervalNs: number;
  /** Run once at attach, before the first interval (a baseline reading). */
  readonly start?: (io: PeriodicIo) => void;
  readonly step: (io: PeriodicIo) => void;
}

/** What a periodic step sees: the clock, /proc/stat's busy time, the skeleton's writable globals. */
export interface PeriodicIo {
  now(): number;
  /** Busy ns of `cpu` so far (tasks and kernel work), as /proc/stat's busy columns add up. */
  cpuBusyNs(cpu: number): number;
  /** `skel.maps.bss_data.x = v`: a writable global, or a member or element of one, by path. */
  writeData(path: string, value: RodataValue): void;
}

/** What a recipe's `setup` may do: run syscall programs and write the arena as user space does. */
export interface RecipeIo {
  /** BPF_PROG_TEST_RUN of SEC("syscall") `prog` with context `ctx`: R0 and the context after the run. */
  run(prog: string, ctx: Uint8Array): { readonly ret: number; readonly ctx: Uint8Array };
  /** Store `bytes` at user address `addr` of the object's arena (faulting pages in, as the mmap does). */
  writeArena(addr: number, bytes: Uint8Array): void;
  /** sizeof(struct `name`) in the object's BTF (what the Rust side's generated types know). */
  structSize(name: string): number;
}

/** One map element user space writes: raw key and value bytes. */
export interface MapWrite {
  readonly map: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface LoaderRecipe {
  /** sched_ext_ops.name of the objects it is for. */
  readonly ops: string;
  /** What it was written from. */
  readonly source: string;
  readonly options: Readonly<Record<string, RecipeOption>>;
  /** The plan for this machine, given the options' values (defaults filled in). */
  plan(m: RecipeMachine, opt: RecipeOptions): RecipePlan;
}

/** Option values with parsing that fails with a clear line. */
export interface RecipeOptions {
  str(name: string): string;
  /** A non-negative integer. */
  num(name: string): number;
  bool(name: string): boolean;
}

const opsFlag = (name: string): number => Number(kernelValue(`SCX_OPS_${name}`));

/** The kernel's sched_ext_ops flag bits the loaders set (from sim/ext's table of kernel constants). */
export const OPS = {
  ENQ_LAST: opsFlag("ENQ_LAST"), ENQ_EXITING: opsFlag("ENQ_EXITING"), SWITCH_PARTIAL: opsFlag("SWITCH_PARTIAL"),
  ENQ_MIGRATION_DISABLED: opsFlag("ENQ_MIGRATION_DISABLED"), ALLOW_QUEUED_WAKEUP: opsFlag("ALLOW_QUEUED_WAKEUP"),
  BUILTIN_IDLE_PER_NODE: opsFlag("BUILTIN_IDLE_PER_NODE"), ALWAYS_ENQ_IMMED: opsFlag("ALWAYS_ENQ_IMMED"),
} as const;

/** SCX_SLICE_DFL, what `__COMPAT_ENUM_OR_ZERO("scx_public_consts", "SCX_SLICE_DFL")` reads. */
export const SCX_SLICE_DFL_NS = Number(kernelValue("SCX_SLICE_DFL"));

/** Little-endian s32 fields as a syscall program's context (struct cpu_arg, struct domain_arg). */
export function s32Ctx(...fields: number[]): Uint8Array {
  const b = new Uint8Array(4 * fields.length);
  const dv = new DataView(b.buffer);
  fields.forEach((f, i) => dv.setInt32(4 * i, f, true));
  return b;
}

/** Little-endian u32 bytes (a map key or value such as cosmos's cpu → node). */
export function u32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/**
 * A CPU list as the scx loaders parse --primary-domain: "all"/"auto"/"performance" (every CPU,
 * as on a machine without energy profiles), "powersave" (the smallest-capacity CPUs), a list
 * "0-3,8", or a hex mask "0xf". Returns undefined for text it cannot read.
 */
export function cpuList(text: string, m: RecipeMachine): number[] | undefined {
  const all = Array.from({ length: m.nrCpus }, (_, c) => c);
  const t = text.trim();
  if (t === "all" || t === "auto" || t === "performance" || t === "turbo") return all;
  if (t === "powersave") {
    const min = Math.min(...all.map((c) => m.capacity(c)));
    return all.filter((c) => m.capacity(c) === min);
  }
  if (/^0x[0-9a-fA-F]+$/.test(t)) {
    const v = BigInt(t);
    return all.filter((c) => ((v >> BigInt(c)) & 1n) === 1n);
  }
  const out: number[] = [];
  for (const part of t.split(",")) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (r === null) return undefined;
    const a = Number(r[1]), b = r[2] === undefined ? a : Number(r[2]);
    if (b < a || b >= m.nrCpus) return undefined;
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

/** CPUs by capacity, biggest first (stable by id), as the Rust loaders sort them. */
export function cpusByCapacity(m: RecipeMachine): number[] {
  return Array.from({ length: m.nrCpus }, (_, c) => c).sort((a, b) => m.capacity(b) - m.capacity(a) || a - b);
}

/** Whether any CPU has an SMT sibling. */
export function hasSmt(m: RecipeMachine): boolean {
  for (let c = 0; c < m.nrCpus; c++) if (m.sibling(c) >= 0) return true;
  return false;
}
