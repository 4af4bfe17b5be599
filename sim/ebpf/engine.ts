/**
 * The eBPF engine: each program is translated once, at load, into JavaScript (one `new Function`
 * per program) and then runs as ordinary optimised code; nothing is interpreted per instruction.
 *
 * Why JavaScript over WebAssembly: scheduler callbacks are a few dozen instructions and spend
 * much of their time in kfuncs and map helpers written in TypeScript. A JS translation calls
 * those directly and monomorphically, with arguments passed through one shared typed array (no
 * allocation per call), while a wasm module pays a boundary crossing per call and converts every
 * i64 argument to a BigInt (an allocation). WebAssembly was not built and measured here; the
 * choice rests on that per-call cost. Registers are pairs of int32 locals (`r3l`, `r3h`) that V8
 * keeps in machine registers: 64-bit add/sub/compare are a few integer ops, multiplication is
 * Math.imul pieces, and only division of operands wider than 32 bits goes through BigInt.
 * Measured on this machine (2 shared cores, noisy): an 18-instruction enqueue-like program with
 * three checked 8-byte loads and one kfunc call runs in ~70-110 ns; memory through DataView was
 * 3-5x slower than typed arrays, and typed arrays over a resizable ArrayBuffer about 2x slower
 * than over a plain one, hence BpfMemory's layout. End to end, the kernel's scx_simple (fifo)
 * runs the M/M/4 yardstick at about half the speed of the TypeScript `simple` (100,000
 * customers, four interleaved pairs: 2.3-2.8 s against 1.0-1.4 s), with identical results.
 *
 * Run-time enforcement of what the verifier would have proven (faults throw BpfRuntimeError):
 * - every load and store is checked against BpfMemory's region tags (one or two typed-array
 *   reads), stores also against read-only regions; stack accesses at constant offsets from R10
 *   inside the 512-byte frame are safe by construction and unchecked;
 * - an instruction budget per invocation, charged on every backward jump with the length of the
 *   loop body it closes (straight-line code is bounded by its length);
 * - at most 32 nested frames (bpf-to-bpf calls and callbacks run by helpers), 512 bytes each;
 * - a load the kernel would run as BPF_PROBE_MEM (through a kernel-object pointer) and that
 *   misses faults here instead of reading 0: without a verifier we cannot tell those loads from
 *   a map-value dereference that skipped its NULL check, and the issue asks for the exit;
 * - writes to R10 fault. Registers a program reads before writing hold 0 (R1 holds the context;
 *   R2-R5 the arguments of a callback), which the verifier would have refused to load.
 * - `may_goto` falls through 8M times per function invocation, then jumps, as the kernel's
 *   BPF_MAX_LOOPS; the budget still applies.
 * - a load or store through a register whose high half is set is an arena access (the kernel's
 *   PROBE_MEM32; maps/arena.ts): the arena maps it to its page, an unallocated page reads 0
 *   and takes writes into a sink, and any other high half faults as a wild pointer.
 */
import type { BpfMemory } from "./memory.js";
import { NO_ARENA, arenaOf, type ArenaAccess } from "./maps/arena.js";
import { decode, CALL_HELPER, CALL_KFUNC, CALL_PSEUDO, CLS, JMP, LD_IMM64, PSEUDO, type DecodedInsns } from "./isa.js";
import { FAULT, generate } from "./codegen.js";
import { BpfCallArgs, BpfLoadError, BpfRuntimeError, type BpfEnv, type BpfNativeFn, type CompileOptions, type CompiledProgram, type LinkedProgram } from "./program.js";
import { HI, unalignedAccess, bswap32, mulhu, sar64, sdiv64, shl64, shr64, smod64, udiv64, umod64 } from "./runtime.js";

/** A translated subprogram: R1..R5 as int32 halves in, R0's low half out (high half in HI[1]). */
type SubprogramFn = (
  a1l: number, a1h: number, a2l: number, a2h: number, a3l: number,
  a3h: number, a4l: number, a4h: number, a5l: number, a5h: number,
) => number;

const DEFAULT_BUDGET = 1_000_000;
const MAX_FRAMES = 32;
const FRAME_BYTES = 512;
/** Function addresses (ld_imm64 src 4) live above all memory: FUNC_BASE + 8 * slot. */
const FUNC_BASE = 0x4000_0000;
const TWO32 = 4294967296;

/** Per-address-space execution state, shared by every program loaded into that memory. */
interface ExecState {
  depth: number;
  budget: number;
  /** Instruction of the native call in progress (for faults raised inside helpers). */
  pc: number;
  /** R10 of each frame depth. */
  readonly frameTops: Int32Array;
  readonly functions: SubprogramFn[];
  readonly args: BpfCallArgs;
  /** The address space's arena, for loads and stores through arena pointers. */
  ar: ArenaAccess;
}

const states = new WeakMap<BpfMemory, ExecState>();

function execState(memory: BpfMemory): ExecState {
  let st = states.get(memory);
  if (st === undefined) {
    const frameTops = new Int32Array(MAX_FRAMES);
    for (let k = 0; k < MAX_FRAMES; k++) {
      frameTops[k] = memory.alloc(FRAME_BYTES, { name: `stack frame ${k}`, writable: true, kind: "stack" }) + FRAME_BYTES;
    }
    st = { depth: 0, budget: 0, pc: 0, frameTops, functions: [], args: new BpfCallArgs(), ar: NO_ARENA };
    states.set(memory, st);
  }
  return st;
}

/** Translate a linked program for `env`. Throws BpfLoadError for what the engine does not run. */
export function compileProgram(p: LinkedProgram, env: BpfEnv, opts: CompileOptions = {}): CompiledProgram {
  const d = decode(p.insns);
  const st = execState(env.memory);
  const arena = arenaOf(env.memory);
  if (arena !== undefined) st.ar = arena;
  const secondSlot = secondSlots(p.name, d);
  const entries = subprogramEntries(p.name, d, secondSlot);
  const natives: BpfNativeFn[] = [];
  const helperSlots = new Map<number, number>();
  const kfuncSlots = new Map<number, number>();
  const slotOf = (cache: Map<number, number>, key: number, fn: BpfNativeFn | undefined): number => {
    let s = cache.get(key);
    if (s === undefined) {
      s = fn === undefined ? -1 : natives.push(fn) - 1;
      cache.set(key, s);
    }
    return s;
  };
  // Function addresses are handed out per memory, so a run's values never depend on other runs.
  const funcSlots = new Map<number, number>();
  const imm64 = (i: number): readonly [number, number] => {
    const src = d.src[i]!, imm = d.imm[i]!;
    switch (src) {
      case PSEUDO.MAP_FD: return [env.mapAddr(imm), 0];
      case PSEUDO.MAP_VALUE: {
        // Above 2^32 only for an arena's globals (a user address).
        const v = env.mapValueAddr(imm, d.imm[i + 1]!);
        return [v | 0, Math.floor(v / TWO32) | 0];
      }
      case PSEUDO.FUNC: {
        let slot = funcSlots.get(imm);
        if (slot === undefined) { slot = st.functions.length + funcSlots.size; funcSlots.set(imm, slot); }
        return [FUNC_BASE + 8 * slot, 0];
      }
      default: throw new BpfLoadError(p.name, i, `ld_imm64 with src_reg ${src} is not supported`);
    }
  };
  const resolved = resolveAll(d, secondSlot, env.memory.tags, imm64, (id) => slotOf(helperSlots, id, env.helper(id)), (index) => slotOf(kfuncSlots, index, env.kfunc(index)));
  const key = resolved === null ? null
    : `${p.name}\n${opts.captureRegs === true ? 1 : 0};${arena?.hi ?? 0};${[...helperSlots].join(",")};${[...kfuncSlots].join(",")};${resolved}\n${LATIN1.decode(p.insns)}`;
  let tr = key === null ? undefined : translations.get(key);
  if (tr === undefined) {
    const source = generate({
      program: p.name, d, entries, secondSlot, arenaHi: arena?.hi ?? 0, captureRegs: opts.captureRegs === true, imm64, stable: (addr, n, write) => stableData(env.memory, addr, n, write),
      helperSlot: (id) => slotOf(helperSlots, id, env.helper(id)),
      kfuncSlot: (index) => slotOf(kfuncSlots, index, env.kfunc(index)),
    });
    const prelude = `"use strict";var ${natives.map((_, k) => `N${k}=NAT[${k}]`).join(",") || "N_=0"};\n`;
    // Named for profilers and stack traces (the name sanitised: it comes from the object).
    tr = { source, factory: factoryFor(`${prelude}${source}\n//# sourceURL=bpf/${p.name.replace(/[^A-Za-z0-9_.]/g, "_")}.js\n`) };
    if (key !== null) {
      if (translations.size >= FACTORIES_MAX) translations.clear();
      translations.set(key, tr);
    }
  }
  const { source, factory } = tr;
  const exitRegs = new Int32Array(22);
  const memory = env.memory;
  const ua = unalignedAccess(memory);
  const fail = (insnIndex: number, code: number, a: number, b: number): never => {
    const where = opts.sourceOf?.(insnIndex);
    const detail = faultMessage(memory, code, a, b, p.kfuncNames, opts.insnBudget ?? DEFAULT_BUDGET);
    throw new BpfRuntimeError(p.name, insnIndex, where === undefined ? detail : `${detail} (${where})`);
  };
  const fns = factory(
    st, memory, ua.ld16, ua.ld32, ua.st16, ua.st32, HI, st.args, st.args.lo, st.args.hi, fail,
    mulhu, udiv64, umod64, sdiv64, smod64, shl64, shr64, sar64, bswap32, natives, st.frameTops,
    opts.captureRegs === true ? exitRegs : null,
  );
  for (const [entry, slot] of [...funcSlots].sort((x, y) => x[1] - y[1])) {
    st.functions[slot] = fns[entries.indexOf(entry)]!;
  }
  return new Compiled(p.name, source, fns[0]!, st, opts.insnBudget ?? DEFAULT_BUDGET, exitRegs);
}

type Factory = (...deps: unknown[]) => SubprogramFn[];

/**
 * Whether n bytes at addr lie in global data for good: `.data`/`.bss` regions are never frozen
 * or retired once programs are translated, `.rodata` is read-only from before (loads only).
 */
function stableData(m: BpfMemory, addr: number, n: number, write: boolean): boolean {
  const r = m.regionAt(addr);
  if (r === undefined || !(r.opts.kind === "global_data" || (r.opts.kind === "rodata" && !write))) return false;
  return m.accessible(addr, n, write);
}

/**
 * Translations by what determines their text: the program's name and instructions, the value of
 * every pseudo ld_imm64, which native each call reaches, and the options. A sweep's runs of one
 * object load it afresh into fresh memories, which hand out the same addresses in the same
 * order, so every run after the first skips generating the text (~20 ms for bpfland's programs).
 */
const translations = new Map<string, { readonly source: string; readonly factory: Factory }>();
const LATIN1 = new TextDecoder("latin1");

/**
 * Resolve, in instruction order, every pseudo ld_imm64 and every helper and kfunc call, as the
 * generator would (so the same slots are handed out); returns the ld_imm64 values as text, or
 * null when one of them is refused (the generator then reports it, in its own order).
 */
function resolveAll(
  d: DecodedInsns, second: Uint8Array, tags: Int32Array, imm64: (i: number) => readonly [number, number],
  helperSlot: (id: number) => number, kfuncSlot: (index: number) => number,
): string | null {
  const values: number[] = [];
  for (let i = 0; i < d.length; i++) {
    if (second[i] === 1) continue;
    const op = d.op[i]!;
    if (op === LD_IMM64 && d.src[i] !== PSEUDO.IMM) {
      try {
        const [lo, hi] = imm64(i);
        // The region there too: whether an access through it needs a check (stableData).
        values.push(i, lo, hi, hi === 0 ? tags[lo >> 3] ?? 0 : 0);
      } catch {
        return null;
      }
    } else if (op === (CLS.JMP | JMP.CALL)) {
      if (d.src[i] === CALL_HELPER) helperSlot(d.imm[i]!);
      else if (d.src[i] === CALL_KFUNC) kfuncSlot(d.imm[i]!);
    }
  }
  return values.join(",");
}

/** Factories seen in this thread, by their text; bounded, as a run may load hostile objects. */
const factories = new Map<string, Factory>();
const FACTORIES_MAX = 64;

/**
 * One Function per distinct translation, reused by every run that loads the same program (the
 * same object and options give the same text): the subprograms each run gets are new closures
 * over its own memory and natives, but share the factory's compiled code and type feedback, so
 * V8 optimises a scheduler's programs once per thread instead of warming them up again at
 * every run, as it does for the TypeScript schedulers.
 */
function factoryFor(text: string): Factory {
  let f = factories.get(text);
  if (f === undefined) {
    if (factories.size >= FACTORIES_MAX) factories.clear();
    f = new Function(
      "S", "M", "LD16", "LD32", "ST16", "ST32", "X", "A", "AL", "AH", "F", "MULHU", "UDIV", "UMOD", "SDIV", "SMOD", "SHL", "SHR", "SAR", "BSWAP", "NAT", "FT", "CR",
      text,
    ) as Factory;
    factories.set(text, f);
  }
  return f;
}

class Compiled implements CompiledProgram {
  private r0l = 0;
  private r0h = 0;
  constructor(
    readonly name: string,
    readonly source: string,
    private readonly main: SubprogramFn,
    private readonly st: ExecState,
    private readonly budget: number,
    readonly exitRegs: Int32Array,
  ) {}

  run(r1: number): number {
    const st = this.st;
    const depth = st.depth;
    if (depth === 0) st.budget = this.budget;
    try {
      this.r0l = this.main(r1 | 0, Math.floor(r1 / TWO32) | 0, 0, 0, 0, 0, 0, 0, 0, 0);
    } catch (e) {
      st.depth = depth;
      throw asRuntimeError(e, this.name, st.pc);
    }
    this.r0h = HI[1]!;
    return this.r0l;
  }

  lastR0(): bigint {
    return (BigInt(this.r0h >>> 0) << 32n) | BigInt(this.r0l >>> 0);
  }
}

/**
 * Call a BPF function by the address a program took of it (ld_imm64 src 4), as bpf_loop and
 * bpf_timer do. Arguments are safe integers (pointers, indexes); returns R0 as a signed number.
 */
export function invokeBpfFunction(memory: BpfMemory, fnAddr: number, r1: number, r2: number, r3: number, r4: number, r5: number): number {
  const st = execState(memory);
  const slot = (fnAddr - FUNC_BASE) / 8;
  const fn = Number.isInteger(slot) ? st.functions[slot] : undefined;
  if (fn === undefined) throw new BpfRuntimeError("callback", st.pc, `0x${fnAddr.toString(16)} is not a BPF function address`);
  const depth = st.depth;
  if (depth === 0) st.budget = DEFAULT_BUDGET;
  try {
    const lo = fn(r1 | 0, Math.floor(r1 / TWO32) | 0, r2 | 0, Math.floor(r2 / TWO32) | 0, r3 | 0,
      Math.floor(r3 / TWO32) | 0, r4 | 0, Math.floor(r4 / TWO32) | 0, r5 | 0, Math.floor(r5 / TWO32) | 0);
    return HI[1]! * TWO32 + (lo >>> 0);
  } catch (e) {
    st.depth = depth;
    throw asRuntimeError(e, "callback", st.pc);
  }
}

/** Whether `v` is an address taken of a BPF function in `memory`. */
export function isBpfFunctionAddr(memory: BpfMemory, v: number): boolean {
  const slot = (v - FUNC_BASE) / 8;
  return Number.isInteger(slot) && execState(memory).functions[slot] !== undefined;
}

function asRuntimeError(e: unknown, program: string, pc: number): unknown {
  if (e instanceof BpfRuntimeError) return e;
  if (e instanceof RangeError) return new BpfRuntimeError(program, pc, `in a helper: ${e.message}`);
  return e;
}

function faultMessage(m: BpfMemory, code: number, a: number, b: number, kfuncs: readonly string[], budget: number): string {
  switch (code) {
    case FAULT.BUDGET: return `instruction budget of ${budget} exceeded (an unbounded loop?)`;
    case FAULT.READ: return `invalid read of ${b} bytes at ${m.describe(a)}`;
    case FAULT.WRITE: {
      const r = m.regionAt(a);
      const why = r !== undefined && !r.opts.writable ? "read-only" : "invalid";
      return `${why} write of ${b} bytes at ${m.describe(a)}`;
    }
    case FAULT.R10: return "write to the read-only frame pointer R10";
    case FAULT.MISALIGNED: return `misaligned atomic access of ${b} bytes at ${m.describe(a)}`;
    case FAULT.DEPTH: return `call depth over ${MAX_FRAMES} frames`;
    case FAULT.NO_KFUNC: return `call to kfunc ${kfuncs[a] ?? `#${a}`}, which this kernel does not have`;
    default: return "execution fell off the end of the subprogram";
  }
}

function secondSlots(name: string, d: DecodedInsns): Uint8Array {
  const second = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    if (d.op[i] !== LD_IMM64) continue;
    if (i + 1 >= d.length) throw new BpfLoadError(name, i, "ld_imm64 missing its second slot");
    second[++i] = 1;
  }
  return second;
}

function subprogramEntries(name: string, d: DecodedInsns, second: Uint8Array): number[] {
  const entries = new Set<number>([0]);
  for (let i = 0; i < d.length; i++) {
    if (second[i] === 1) continue;
    let t = -1;
    if (d.op[i] === (CLS.JMP | JMP.CALL) && d.src[i] === CALL_PSEUDO) t = i + d.imm[i]! + 1;
    else if (d.op[i] === LD_IMM64 && d.src[i] === PSEUDO.FUNC) t = d.imm[i]!;
    else continue;
    if (t < 0 || t >= d.length || second[t] === 1) throw new BpfLoadError(name, i, `function target ${t} is outside the program`);
    entries.add(t);
  }
  return [...entries].sort((x, y) => x - y);
}

