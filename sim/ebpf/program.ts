/**
 * What passes between the loader, the engine and native code (helpers, kfuncs): the linked
 * program, the environment it is compiled against, the native calling convention and the errors.
 */
import type { BpfAddr, BpfMemory } from "./memory.js";

/** A program as the loader hands it over: relocated, subprograms appended. */
export interface LinkedProgram {
  readonly name: string;
  readonly section: string;
  /**
   * Raw 8-byte little-endian instructions. bpf-to-bpf calls: src_reg 1, imm = relative insn offset;
   * ld_imm64 src 1 = map index in imm; src 2 = map index in imm, offset in the second slot's imm;
   * src 4 = function address, imm = insn index in this program; call src 0 = helper id;
   * call src 2 = index into `kfuncNames`.
   */
  readonly insns: Uint8Array;
  readonly kfuncNames: readonly string[];
}

/**
 * Arguments and result of a native call, shared by every call (no allocation per call): R1..R5
 * are `lo[i]`/`hi[i]` (i = 1..5), the 32-bit halves as signed int32. A native function must read
 * its arguments before it calls back into BPF (a nested call reuses this object).
 */
export class BpfCallArgs {
  readonly lo = new Int32Array(6);
  readonly hi = new Int32Array(6);
  /** R0 halves when a native function returns `ret64(...)` / `retHalves(...)`. */
  retLo = 0;
  retHi = 0;

  /** Ri as an unsigned number (exact below 2^53). */
  u(i: number): number { return (this.hi[i]! >>> 0) * 4294967296 + (this.lo[i]! >>> 0); }
  /** Ri as a signed number (exact within ±2^53). */
  s(i: number): number { return this.hi[i]! * 4294967296 + (this.lo[i]! >>> 0); }
  /** Low 32 bits of Ri, unsigned. */
  u32(i: number): number { return this.lo[i]! >>> 0; }
  /** Low 32 bits of Ri, signed. */
  s32(i: number): number { return this.lo[i]! | 0; }
  /** Ri as an unsigned 64-bit bigint (allocates: for rare paths). */
  u64(i: number): bigint { return (BigInt(this.hi[i]! >>> 0) << 32n) | BigInt(this.lo[i]! >>> 0); }
  /** Ri as an address in BpfMemory, or -1 (never valid) when it cannot be one. */
  ptr(i: number): BpfAddr { return this.hi[i] === 0 && this.lo[i]! >= 0 ? this.lo[i]! : -1; }
  /** Return a full 64-bit value: `return a.ret64(v)`. */
  ret64(v: bigint): number {
    this.retLo = Number(BigInt.asIntN(32, v));
    this.retHi = Number(BigInt.asIntN(32, v >> 32n));
    return NaN;
  }
  /** Return R0 given as two 32-bit halves: `return a.retHalves(lo, hi)`. */
  retHalves(lo: number, hi: number): number {
    this.retLo = lo | 0;
    this.retHi = hi | 0;
    return NaN;
  }
}

/**
 * A helper or kfunc implemented in TypeScript. It returns R0 as a number: any integer within
 * ±2^53 (negative numbers are sign-extended to 64 bits, so `return -22` is -EINVAL); a value
 * that does not fit is returned with `return args.ret64(v)`. Void functions return 0.
 * Throwing a BpfRuntimeError (or a RangeError from BpfMemory for a bad pointer) ends the program.
 */
export type BpfNativeFn = (args: BpfCallArgs) => number;

/** What a program is compiled against. */
export interface BpfEnv {
  readonly memory: BpfMemory;
  /** Helper by bpf_helper_defs.h number; undefined refuses the program at compile time. */
  helper(id: number): BpfNativeFn | undefined;
  /** kfunc by index into the program's kfuncNames; undefined (an absent __weak kfunc) faults only if called. */
  kfunc(index: number): BpfNativeFn | undefined;
  /** Address standing for the map object (ld_imm64 src 1). */
  mapAddr(mapIndex: number): BpfAddr;
  /** Address of a map's value at `off` (ld_imm64 src 2: global data, direct value access). */
  mapValueAddr(mapIndex: number, off: number): BpfAddr;
}

export interface CompileOptions {
  /** Instructions one invocation may execute (counted on backward jumps and calls). Default 1,000,000. */
  insnBudget?: number;
  /** Record every register at the final exit in `CompiledProgram.exitRegs` (tests). */
  captureRegs?: boolean;
  /** Source position of an instruction ("x.bpf.c:42"), added to fault messages when known. */
  sourceOf?: (insnIndex: number) => string | undefined;
}

/** A translated program, ready to run many times. */
export interface CompiledProgram {
  readonly name: string;
  /** The generated JavaScript (for inspection and tests). */
  readonly source: string;
  /**
   * Run with R1 = `r1` (the context address for struct_ops callbacks; R2..R5 = 0). Returns the
   * low 32 bits of R0 as a signed int32, which is what every sched_ext callback returns.
   */
  run(r1: number): number;
  /** The whole R0 of the last run, unsigned. */
  lastR0(): bigint;
  /** With `captureRegs`: R0..R10 at the last exit as [lo0, hi0, lo1, hi1, ...]. */
  readonly exitRegs: Int32Array;
}

/** A run-time violation of what the verifier would have promised; becomes SCX_EXIT_ERROR_BPF. */
export class BpfRuntimeError extends Error {
  constructor(
    readonly program: string,
    readonly insnIndex: number,
    readonly detail: string,
  ) {
    super(`${program}: insn ${insnIndex}: ${detail}`);
    this.name = "BpfRuntimeError";
  }
}

/** A program the engine refuses to translate (an opcode or feature it does not support). */
export class BpfLoadError extends Error {
  constructor(
    readonly program: string,
    readonly insnIndex: number,
    readonly detail: string,
  ) {
    super(`${program}: insn ${insnIndex}: ${detail}`);
    this.name = "BpfLoadError";
  }
}
