/**
 * Translates one linked program into the source of a JavaScript module: one function per
 * subprogram, registers as int32-half locals, control flow as labelled blocks and loops
 * (structure.ts; a `for(;;) switch(pc)` over the jump targets when the jumps do not nest), and
 * run-time checks inlined where the verifier would have proven safety. See engine.ts for the names in scope and why JavaScript.
 */
import { ALU, ATOMIC, CALL_HELPER, CALL_KFUNC, CALL_PSEUDO, CLS, JMP, LD_IMM64, MAY_GOTO, MODE, PSEUDO, SRC_X, sizeBytes, type DecodedInsns } from "./isa.js";
import { alu32, alu64, cond32, cond64, endian, immOperand, regOperand, type Operand } from "./codegen_alu.js";
import { BpfLoadError } from "./program.js";
import { structure, type Jump, type Scope, type StructurePlan } from "./structure.js";
import { ADDR_SPACE_CAST, addrSpaceCast, addrSpaceCastRefusal } from "./codegen_arena.js";

/** Fault codes passed to F(insn, code, a, b) in translated code. */
export const FAULT = { BUDGET: 1, READ: 2, WRITE: 3, R10: 4, DEPTH: 5, NO_KFUNC: 6, FELL_OFF: 7, MISALIGNED: 8 } as const;

/** kernel BPF_MAX_LOOPS: may_goto falls through this many times per function invocation. */
const MAY_GOTO_LOOPS = 8 * 1024 * 1024;
const STACK_SIZE = 512;

/** What the translator needs to know beyond the instructions. */
export interface GenInput {
  readonly program: string;
  readonly d: DecodedInsns;
  /** Sorted first instruction of every subprogram (0 first). */
  readonly entries: readonly number[];
  /** Value of a pseudo ld_imm64 (src 1, 2, 4) at insn i, as [lo, hi] int32 halves. */
  imm64(i: number): readonly [number, number];
  /** Index in the native table of helper `id` / kfunc `index`; -1 when absent. */
  helperSlot(id: number): number;
  kfuncSlot(index: number): number;
  readonly captureRegs: boolean;
  /**
   * Whether n bytes at addr are, and will stay, loadable (storable with `write`) for as long as
   * the program lives: global data, whose region is never retired or frozen after translation.
   */
  stable(addr: number, n: number, write: boolean): boolean;
  /** 1 at the second slot of every ld_imm64. */
  readonly secondSlot: Uint8Array;
  /** High 32 bits of the arena's user address (marks arena pointers), or 0 without an arena. */
  readonly arenaHi: number;
}

// The memory's views, held in locals and re-read after every call (a helper may grow the memory).
const VIEWS = "T=M.tags,U8=M.u8,I8=M.i8,U16=M.u16,I16=M.i16,I32=M.i32";
const ARGS = "a1l,a1h,a2l,a2h,a3l,a3h,a4l,a4h,a5l,a5h";
const CALL_ARGS = "r1l,r1h,r2l,r2h,r3l,r3h,r4l,r4h,r5l,r5h";

/** Source of the module body: defines f<entry> for every subprogram and returns them in order. */
export function generate(g: GenInput): string {
  const parts: string[] = [];
  for (let k = 0; k < g.entries.length; k++) {
    const end = k + 1 < g.entries.length ? g.entries[k + 1]! : g.d.length;
    parts.push(subprogram(g, g.entries[k]!, end));
  }
  parts.push(`return [${g.entries.map((e) => `f${e}`).join(",")}];`);
  return parts.join("\n");
}

function subprogram(g: GenInput, start: number, end: number): string {
  const jumps = jumpsOf(g, start, end);
  const tails = new Map<number, string>();
  for (const j of jumps) {
    if (j.to > j.from || tails.has(j.to)) continue;
    const text = tailText(g, j.to, end, start === 0);
    if (text !== null) tails.set(j.to, text);
  }
  const plan = structure(start, end, jumps.filter((j) => j.to > j.from || !tails.has(j.to)));
  const out: string[] = [];
  out.push(`function f${start}(${ARGS}){`);
  out.push("var r0l=0,r0h=0,r1l=a1l,r1h=a1h,r2l=a2l,r2h=a2h,r3l=a3l,r3h=a3h,r4l=a4l,r4h=a4h,r5l=a5l,r5h=a5h,");
  out.push(`r6l=0,r6h=0,r7l=0,r7h=0,r8l=0,r8h=0,r9l=0,r9h=0,t=0,a=0,v=0,w=0,mg=${MAY_GOTO_LOOPS};`);
  out.push(`if(S.depth>=FT.length)F(${start},${FAULT.DEPTH},0,0);var r10l=FT[S.depth++],r10h=0;`);
  out.push(`var ${VIEWS};`);
  if (plan !== null) structured(g, start, end, plan, tails, out);
  else dispatched(g, start, end, new Set(jumps.map((j) => j.to)), out);
  out.push("}");
  return usedViews(out.join("\n"));
}

/**
 * Keep only the views a subprogram indexes in its declaration and its reloads after calls: each
 * reload is a property load, and a view reloaded for nothing still makes V8 redo its checks.
 */
function usedViews(text: string): string {
  const used = VIEWS.split(",").filter((v) => v.startsWith("T=") || text.includes(`${v.slice(0, v.indexOf("="))}[`));
  return text.split(VIEWS).join(used.join(","));
}

/** The body as nested labelled blocks and loops (structure.ts). */
function structured(g: GenInput, start: number, end: number, plan: StructurePlan, tails: ReadonlyMap<number, string>, out: string[]): void {
  const jump = (i: number, target: number): string => {
    if (target <= i) {
      const tail = tails.get(target);
      return tail !== undefined ? `{${tail}}` : `{${charge(i, target)}continue l${target};}`;
    }
    const r = plan.redirect.get(i);
    return r === undefined ? `break b${target};` : `{en=${r.entry};break b${r.via};}`;
  };
  if (plan.redirect.size > 0) out.push("var en=0;");
  const open: Scope[] = [];
  const closeAt = (p: number): void => {
    for (let s = open[open.length - 1]; s !== undefined && s.close === p; s = open[open.length - 1]) {
      open.pop();
      // A loop whose last jump falls through leaves it.
      out.push(s.kind === "loop" ? `break l${s.target};}` : "}");
    }
  };
  // Registers' known addresses hold along straight-line code; any label forgets them.
  const known: (number | undefined)[] = [];
  for (let i = start; i < end; i++) {
    const depth = open.length;
    closeAt(i);
    const scopes = plan.scopes.get(i);
    if (scopes !== undefined || open.length !== depth) known.length = 0;
    for (const s of scopes ?? []) {
      open.push(s);
      out.push(s.kind === "loop" ? `l${s.target}:for(;;){` : `b${s.target}:{`);
    }
    const entries = plan.dispatch.get(i);
    if (entries !== undefined) {
      // Entered past its head: go on to the entry point (clearing `en` on the last hop).
      const hops = entries.map((e) => `if(en===${e.entry}){${e.via === e.entry ? "en=0;" : ""}break b${e.via};}`);
      out.push(`if(en!==0){${hops.join("")}}`);
    }
    out.push(insn(g, i, end, start === 0, jump, known));
    track(g, i, known);
    if (g.d.op[i] === LD_IMM64) i++;
  }
  closeAt(end);
  out.push(`F(${end - 1},${FAULT.FELL_OFF},0,0);`);
}

/** The body as `for(;;) switch(pc)` over the jump targets, for control flow that does not nest. */
function dispatched(g: GenInput, start: number, end: number, labels: ReadonlySet<number>, out: string[]): void {
  const jump = (i: number, target: number): string =>
    target > i ? `{pc=${target};continue;}` : `{${charge(i, target)}pc=${target};continue;}`;
  const looped = labels.size > 0;
  if (looped) out.push(`var pc=${start};for(;;){switch(pc){`);
  for (let i = start; i < end; i++) {
    if (looped && (labels.has(i) || i === start)) out.push(`case ${i}:`);
    out.push(insn(g, i, end, start === 0, jump));
    if (g.d.op[i] === LD_IMM64) i++;
  }
  if (looped) out.push("}");
  out.push(`F(${end - 1},${FAULT.FELL_OFF},0,0);`);
  if (looped) out.push("}");
}

/** Longest straight-line run a backward jump may copy in place of jumping (see tailText). */
const TAIL_MAX = 8;

/**
 * The code from `t` to the exit that ends it, when that is a short run with no jumps: clang
 * merges the tails of a function's return paths (a counter update, then exit) and jumps back to
 * them from later paths. Such a jump is no loop, so its target is copied in place (and charges
 * no budget) rather than making a loop of the code between.
 */
function tailText(g: GenInput, t: number, end: number, isMain: boolean): string | null {
  const parts: string[] = [];
  for (let i = t; i < end && i < t + TAIL_MAX; i++) {
    const op = g.d.op[i]!, cls = op & 7, code = op & 0xf0;
    if (cls === CLS.JMP32 || (cls === CLS.JMP && code !== JMP.CALL && code !== JMP.EXIT)) return null;
    parts.push(insn(g, i, end, isMain, () => ""));
    if (op === (CLS.JMP | JMP.EXIT)) return parts.join("");
    if (op === LD_IMM64) i++;
  }
  return null;
}

/** Every jump inside [start, end); refuses jumps leaving the subprogram. */
function jumpsOf(g: GenInput, start: number, end: number): Jump[] {
  const { d } = g;
  const jumps: Jump[] = [];
  for (let i = start; i < end; i++) {
    const op = d.op[i]!;
    const cls = op & 7;
    if (op === LD_IMM64) { i++; continue; }
    if (cls !== CLS.JMP && cls !== CLS.JMP32) continue;
    const code = op & 0xf0;
    if (code === JMP.CALL || code === JMP.EXIT) continue;
    const t = op === (CLS.JMP32 | JMP.JA) ? i + d.imm[i]! + 1 : i + d.off[i]! + 1;
    if (t < start || t >= end) throw new BpfLoadError(g.program, i, `jump to ${t} leaves the subprogram [${start}, ${end})`);
    if (g.secondSlot[t] === 1) throw new BpfLoadError(g.program, i, `jump into the middle of ld_imm64 at ${t - 1}`);
    jumps.push({ from: i, to: t });
  }
  return jumps;
}

/** Charge a backward jump from i to target against the instruction budget. */
function charge(i: number, target: number): string {
  return `if((S.budget-=${i - target + 1})<0)F(${i},${FAULT.BUDGET},0,0);`;
}

/** Text of a jump from instruction i to target, in the body's control-flow style. */
type JumpText = (i: number, target: number) => string;

function fault(i: number, code: number): string {
  return `F(${i},${code},0,0);`;
}

function checkReg(g: GenInput, i: number, r: number): void {
  if (r > 10) throw new BpfLoadError(g.program, i, `invalid register r${r}`);
}

function insn(g: GenInput, i: number, end: number, isMain: boolean, jump: JumpText, known: Known = UNKNOWN): string {
  const { d } = g;
  const op = d.op[i]!, dst = d.dst[i]!, src = d.src[i]!, off = d.off[i]!, imm = d.imm[i]!;
  checkReg(g, i, dst);
  checkReg(g, i, src);
  const cls = op & 7;
  const refuse = (why: string): never => {
    throw new BpfLoadError(g.program, i, `${why} (opcode 0x${op.toString(16).padStart(2, "0")})`);
  };
  switch (cls) {
    case CLS.ALU:
    case CLS.ALU64: {
      const code = op & 0xf0;
      if (dst === 10) return fault(i, FAULT.R10);
      if (code === ALU.END) {
        return endian(dst, imm, (op & SRC_X) !== 0, cls === CLS.ALU64) ?? refuse(`byte swap of ${imm} bits`);
      }
      if (cls === CLS.ALU64 && code === ALU.MOV && (op & SRC_X) !== 0 && off === ADDR_SPACE_CAST) {
        return addrSpaceCast(g.arenaHi, dst, src, imm) ?? refuse(addrSpaceCastRefusal(g.arenaHi, imm));
      }
      const s: Operand = (op & SRC_X) !== 0 ? regOperand(src) : immOperand(imm);
      const body = cls === CLS.ALU64 ? alu64(code, dst, s, off) : alu32(code, dst, s, off);
      return body ?? refuse("unsupported ALU instruction");
    }
    case CLS.JMP:
    case CLS.JMP32:
      return jmp(g, i, isMain, jump) ?? refuse("unsupported jump instruction");
    case CLS.LD: {
      if (op !== LD_IMM64) return refuse("legacy packet load (LD_ABS/LD_IND)");
      if (i + 1 >= end) return refuse("ld_imm64 missing its second slot");
      if (dst === 10) return fault(i, FAULT.R10);
      const [lo, hi] = src === 0 ? [imm, d.imm[i + 1]!] : g.imm64(i);
      return `r${dst}l=${lo | 0};r${dst}h=${hi | 0};`;
    }
    case CLS.LDX:
      return load(i, op, dst, src, off, access(g, known)) ?? refuse("unsupported load");
    case CLS.ST:
      if ((op & 0xe0) !== MODE.MEM) return refuse("unsupported store");
      return store(i, op, dst, off, immOperand(imm), access(g, known));
    case CLS.STX:
      if ((op & 0xe0) === MODE.MEM) return store(i, op, dst, off, regOperand(src), access(g, known));
      if ((op & 0xe0) === MODE.ATOMIC) return atomic(i, op, dst, src, off, imm, access(g, known)) ?? refuse(`unsupported atomic operation 0x${imm.toString(16)}`);
      return refuse("unsupported store");
    default:
      return refuse("unknown instruction class");
  }
}

function jmp(g: GenInput, i: number, isMain: boolean, jump: JumpText): string | null {
  const { d } = g;
  const op = d.op[i]!, dst = d.dst[i]!, src = d.src[i]!, off = d.off[i]!, imm = d.imm[i]!;
  const code = op & 0xf0;
  const is32 = (op & 7) === CLS.JMP32;
  if (code === JMP.JA) return jump(i, is32 ? i + imm + 1 : i + off + 1);
  if (code === JMP.EXIT) return is32 ? null : exit(isMain);
  if (code === JMP.CALL) return is32 ? null : call(g, i, src, imm);
  if (op === MAY_GOTO) {
    if (src !== 0) return null;
    return `if(mg===0)${jump(i, i + off + 1)}mg--;`;
  }
  const s: Operand = (op & SRC_X) !== 0 ? regOperand(src) : immOperand(imm);
  const c = is32 ? cond32(code, dst, s) : cond64(code, dst, s);
  return c === null ? null : `if${c}${jump(i, i + off + 1)}`;
}

function exit(isMain: boolean): string {
  let capture = "";
  if (isMain) {
    const regs: string[] = [];
    for (let r = 0; r <= 10; r++) regs.push(`CR[${2 * r}]=r${r}l;CR[${2 * r + 1}]=r${r}h;`);
    capture = `if(CR!==null){${regs.join("")}}`;
  }
  return `S.depth--;${capture}X[1]=r0h;return r0l;`;
}

function call(g: GenInput, i: number, src: number, imm: number): string | null {
  if (src === CALL_PSEUDO) {
    const t = i + imm + 1;
    if (!g.entries.includes(t)) throw new BpfLoadError(g.program, i, `call to ${t}, which is not a subprogram entry`);
    return `r0l=f${t}(${CALL_ARGS});r0h=X[1];${VIEWS};`;
  }
  let slot: number;
  if (src === CALL_HELPER) {
    slot = g.helperSlot(imm);
    if (slot < 0) throw new BpfLoadError(g.program, i, `helper ${imm} is not supported`);
  } else if (src === CALL_KFUNC) {
    slot = g.kfuncSlot(imm);
    if (slot < 0) return `F(${i},${FAULT.NO_KFUNC},${imm},0);`;
  } else {
    return null;
  }
  const args: string[] = [];
  for (let r = 1; r <= 5; r++) args.push(`AL[${r}]=r${r}l;AH[${r}]=r${r}h;`);
  return `S.pc=${i};${args.join("")}v=N${slot}(A);` +
    `if(v===v){r0l=v|0;r0h=r0l===v?r0l>>31:Math.floor(v/4294967296)|0;}else{r0l=A.retLo;r0h=A.retHi;}${VIEWS};`;
}

/** Address computation and region check of a load or store. */
type Access = (i: number, base: number, off: number, n: number, write: boolean) => string;

/**
 * Stack accesses at constant offsets need no check, nor accesses through a register known to
 * hold a global-data address (`known`), when the generator's `stable` says the region's tags
 * can never change; the rest test the region tags at run time.
 */
function access(g: GenInput, known: Known): Access {
  return (i, base, off, n, write) => {
    if (base === 10 && off >= -STACK_SIZE && off + n <= 0) return `a=r10l+(${off});`;
    const k = known[base];
    if (k !== undefined && g.stable(k + off, n, write)) return `a=${k + off};`;
    const bad = write ? "t<=0" : "t===0";
    // A naturally aligned access never crosses a granule: only a misaligned one reads the last granule's tag.
    const second = n === 1 ? "" : `||((a&${n - 1})!==0&&(T[(a+${n - 1})>>3]|0)!==t)`;
    // A register with a high half is an arena pointer (or wild: then the arena answers -1).
    return `a=r${base}h===0?r${base}l+(${off}):S.ar.at(r${base}h,r${base}l,${off},${write ? 1 : 0});t=T[a>>3]|0;` +
      `if(${bad}${second})F(${i},${write ? FAULT.WRITE : FAULT.READ},a,${n});`;
  };
}

/** Per register, the global-data address it is known to hold (high half 0), or undefined. */
type Known = readonly (number | undefined)[];
const UNKNOWN: Known = [];

/**
 * What instruction i leaves known in `known`: an ld_imm64 of a map value's address, copied by
 * mov; anything else that writes a register forgets it (calls forget R0-R5).
 */
function track(g: GenInput, i: number, known: (number | undefined)[]): void {
  const { d } = g;
  const op = d.op[i]!, dst = d.dst[i]!, src = d.src[i]!, cls = op & 7;
  if (op === LD_IMM64) {
    const v = src === PSEUDO.MAP_VALUE ? g.imm64(i) : undefined;
    known[dst] = v !== undefined && v[1] === 0 ? v[0] : undefined;
  } else if (cls === CLS.ALU64 && op === (CLS.ALU64 | ALU.MOV | SRC_X) && d.off[i] === 0) {
    known[dst] = known[src];
  } else if (cls === CLS.ALU || cls === CLS.ALU64 || cls === CLS.LDX) {
    known[dst] = undefined;
  } else if (cls === CLS.STX && (op & 0xe0) === MODE.ATOMIC) {
    known[src] = undefined;
    known[0] = undefined;
  } else if (op === (CLS.JMP | JMP.CALL)) {
    for (let r = 0; r <= 5; r++) known[r] = undefined;
  }
}

// Aligned accesses index the typed arrays directly; misaligned ones (legal in BPF, rare in
// compiled code) go through byte-wise runtime functions.
function load(i: number, op: number, dst: number, src: number, off: number, access: Access): string | null {
  const mode = op & 0xe0;
  if (mode !== MODE.MEM && mode !== MODE.MEMSX) return null;
  if (dst === 10) return fault(i, FAULT.R10);
  const n = sizeBytes(op);
  const dl = `r${dst}l`, dh = `r${dst}h`;
  const a = access(i, src, off, n, false);
  const sx = mode === MODE.MEMSX;
  switch (n) {
    case 1: return `${a}${dl}=${sx ? "I8" : "U8"}[a];${dh}=${sx ? `${dl}>>31` : "0"};`;
    case 2: return `${a}${dl}=(a&1)===0?${sx ? "I16" : "U16"}[a>>1]:LD16(a,${sx ? 1 : 0});${dh}=${sx ? `${dl}>>31` : "0"};`;
    case 4: return `${a}${dl}=(a&3)===0?I32[a>>2]:LD32(a);${dh}=${sx ? `${dl}>>31` : "0"};`;
    default:
      if (sx) return null;
      return `${a}if((a&3)===0){${dl}=I32[a>>2];${dh}=I32[(a>>2)+1];}else{${dl}=LD32(a);${dh}=LD32(a+4);}`;
  }
}

function store(i: number, op: number, dst: number, off: number, s: Operand, access: Access): string {
  const n = sizeBytes(op);
  const a = access(i, dst, off, n, true);
  switch (n) {
    case 1: return `${a}U8[a]=${s.l};`;
    case 2: return `${a}if((a&1)===0)U16[a>>1]=${s.l};else ST16(a,${s.l});`;
    case 4: return `${a}if((a&3)===0)I32[a>>2]=${s.l};else ST32(a,${s.l});`;
    default: return `${a}if((a&3)===0){I32[a>>2]=${s.l};I32[(a>>2)+1]=${s.h};}else{ST32(a,${s.l});ST32(a+4,${s.h});}`;
  }
}

function atomic(i: number, op: number, dst: number, src: number, off: number, imm: number, access: Access): string | null {
  const n = sizeBytes(op);
  if (n !== 4 && n !== 8) return null;
  const fetch = (imm & ATOMIC.FETCH) !== 0;
  if (fetch && src === 10) return fault(i, FAULT.R10);
  const sl = `r${src}l`, sh = `r${src}h`;
  const a = access(i, dst, off, n, true);
  const lo = (x: string): string => `I32[a>>2]=${x};`;
  const hi = (x: string): string => `I32[(a>>2)+1]=${x};`;
  const ret = n === 4 ? `${sl}=v;${sh}=0;` : `${sl}=v;${sh}=w;`;
  // Atomics must be naturally aligned, as the kernel requires.
  const aligned = `if((a&${n - 1})!==0)F(${i},${FAULT.MISALIGNED},a,${n});`;
  const rd = `${aligned}v=I32[a>>2];${n === 8 ? "w=I32[(a>>2)+1];" : ""}`;
  let body: string;
  switch (imm & ~ATOMIC.FETCH) {
    case ATOMIC.ADD:
      body = n === 4 ? lo(`(v+${sl})|0`) : `t=(v>>>0)+(${sl}>>>0);${lo("t|0")}${hi(`(w+${sh}+(t>4294967295?1:0))|0`)}`;
      break;
    case ATOMIC.OR: body = lo(`v|${sl}`) + (n === 8 ? hi(`w|${sh}`) : ""); break;
    case ATOMIC.AND: body = lo(`v&${sl}`) + (n === 8 ? hi(`w&${sh}`) : ""); break;
    case ATOMIC.XOR: body = lo(`v^${sl}`) + (n === 8 ? hi(`w^${sh}`) : ""); break;
    case ATOMIC.XCHG & ~ATOMIC.FETCH:
      if (!fetch) return null;
      body = lo(sl) + (n === 8 ? hi(sh) : "");
      break;
    case ATOMIC.CMPXCHG & ~ATOMIC.FETCH: {
      if (!fetch) return null;
      const same = n === 4 ? "v===r0l" : "v===r0l&&w===r0h";
      const store = lo(sl) + (n === 8 ? hi(sh) : "");
      return `${a}${rd}if(${same}){${store}}r0l=v;r0h=${n === 4 ? "0" : "w"};`;
    }
    default: return null;
  }
  return `${a}${rd}${body}${fetch ? ret : ""}`;
}
