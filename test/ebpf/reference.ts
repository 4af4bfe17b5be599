/**
 * A deliberately plain BigInt interpreter of the eBPF ISA, written straight from RFC 9669, used to
 * check the engine's translation. Registers are unsigned 64-bit bigints; memory goes through
 * BpfMemory's checked accessors. Supports everything but helper/kfunc calls and pseudo ld_imm64.
 */
import { ALU, ATOMIC, CALL_PSEUDO, CLS, JMP, LD_IMM64, MAY_GOTO, MODE, SRC_X, sizeBytes, decode } from "../../sim/ebpf/isa.js";
import type { BpfMemory } from "../../sim/ebpf/memory.js";

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u32 = (v: bigint): bigint => BigInt.asUintN(32, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const sx = (v: bigint, bits: number): bigint => u64(BigInt.asIntN(bits, v));

function bswap(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let k = 0; k < bytes; k++) out = (out << 8n) | ((v >> BigInt(8 * k)) & 0xffn);
  return out;
}

function aluOp(op: number, d: bigint, s: bigint, off: number, bits: 32 | 64): bigint {
  const mask = bits === 64 ? M64 : 0xffffffffn;
  const wrap = (v: bigint): bigint => (bits === 64 ? u64(v) : u32(v));
  const signed = (v: bigint): bigint => (bits === 64 ? s64(v) : s32(v));
  d &= mask; s &= mask;
  switch (op) {
    case ALU.ADD: return wrap(d + s);
    case ALU.SUB: return wrap(d - s);
    case ALU.MUL: return wrap(d * s);
    case ALU.DIV:
      if (s === 0n) return 0n;
      return off === 1 ? wrap(signed(d) / signed(s)) : d / s;
    case ALU.MOD:
      if (s === 0n) return d;
      return off === 1 ? wrap(signed(d) % signed(s)) : d % s;
    case ALU.OR: return d | s;
    case ALU.AND: return d & s;
    case ALU.XOR: return d ^ s;
    case ALU.LSH: return wrap(d << (s & BigInt(bits - 1)));
    case ALU.RSH: return d >> (s & BigInt(bits - 1));
    case ALU.ARSH: return wrap(signed(d) >> (s & BigInt(bits - 1)));
    case ALU.NEG: return wrap(-d);
    case ALU.MOV:
      if (off === 0) return s;
      return wrap(BigInt.asIntN(off, s));
    default: throw new Error(`reference: ALU op 0x${op.toString(16)}`);
  }
}

function condition(op: number, d: bigint, s: bigint, bits: 32 | 64): boolean {
  const m = bits === 64 ? M64 : 0xffffffffn;
  const ud = d & m, us = s & m;
  const sd = bits === 64 ? s64(ud) : s32(ud), ss = bits === 64 ? s64(us) : s32(us);
  switch (op) {
    case JMP.JEQ: return ud === us;
    case JMP.JNE: return ud !== us;
    case JMP.JSET: return (ud & us) !== 0n;
    case JMP.JGT: return ud > us;
    case JMP.JGE: return ud >= us;
    case JMP.JLT: return ud < us;
    case JMP.JLE: return ud <= us;
    case JMP.JSGT: return sd > ss;
    case JMP.JSGE: return sd >= ss;
    case JMP.JSLT: return sd < ss;
    case JMP.JSLE: return sd <= ss;
    default: throw new Error(`reference: jump op 0x${op.toString(16)}`);
  }
}

export interface ReferenceRun {
  /** R0..R10 at the final exit. */
  regs: bigint[];
}

/**
 * Run `insns` from instruction 0 with R1 = r1 and R10 = `stackTop` (a 512-byte writable region
 * per frame below it: frame k uses stackTops[k]). Throws on faults, like the engine.
 */
export function runReference(insns: Uint8Array, memory: BpfMemory, stackTops: readonly number[], r1 = 0n, maxSteps = 1_000_000): ReferenceRun {
  const d = decode(insns);
  let steps = 0;
  const call = (entry: number, args: bigint[], depth: number): bigint[] => {
    const r: bigint[] = new Array<bigint>(11).fill(0n);
    for (let k = 1; k <= 5; k++) r[k] = args[k] ?? 0n;
    r[10] = BigInt(stackTops[depth]!);
    let mayGoto = 8 * 1024 * 1024;
    let pc = entry;
    for (;;) {
      if (++steps > maxSteps) throw new Error("reference: step limit");
      const op = d.op[pc]!, dst = d.dst[pc]!, src = d.src[pc]!, off = d.off[pc]!, imm = d.imm[pc]!;
      const cls = op & 7;
      const immS = u64(BigInt(imm));
      const addr = (base: number): number => Number(s64(r[base]!) + BigInt(off));
      if (cls === CLS.ALU || cls === CLS.ALU64) {
        const code = op & 0xf0;
        const bits = cls === CLS.ALU64 ? 64 : 32;
        if (code === ALU.END) {
          const n = imm / 8;
          const v = r[dst]! & ((1n << BigInt(imm)) - 1n);
          r[dst] = (op & SRC_X) !== 0 || cls === CLS.ALU64 ? bswap(v, n) : v;
        } else {
          const s = (op & SRC_X) !== 0 ? r[src]! : immS;
          r[dst] = aluOp(code, r[dst]!, s, off, bits);
        }
        pc++;
        continue;
      }
      if (op === LD_IMM64) {
        r[dst] = (u32(BigInt(d.imm[pc + 1]!)) << 32n) | u32(BigInt(imm));
        pc += 2;
        continue;
      }
      if (cls === CLS.LDX) {
        const n = sizeBytes(op);
        const a = addr(src);
        let v = n === 1 ? BigInt(memory.readU8(a)) : n === 2 ? BigInt(memory.readU16(a)) : n === 4 ? BigInt(memory.readU32(a)) : memory.readU64(a);
        if ((op & 0xe0) === MODE.MEMSX) v = sx(v, n * 8);
        r[dst] = v;
        pc++;
        continue;
      }
      if (cls === CLS.ST || cls === CLS.STX) {
        const n = sizeBytes(op);
        const a = addr(dst);
        const s = cls === CLS.ST ? immS : r[src]!;
        if ((op & 0xe0) === MODE.ATOMIC) {
          const old = n === 4 ? BigInt(memory.readU32(a)) : memory.readU64(a);
          const wrap = n === 4 ? u32 : u64;
          let next: bigint;
          switch (imm & ~ATOMIC.FETCH) {
            case ATOMIC.ADD: next = wrap(old + s); break;
            case ATOMIC.OR: next = wrap(old | s); break;
            case ATOMIC.AND: next = wrap(old & s); break;
            case ATOMIC.XOR: next = wrap(old ^ s); break;
            case ATOMIC.XCHG & ~ATOMIC.FETCH: next = wrap(s); break;
            default: next = old === wrap(r[0]!) ? wrap(s) : old; break;
          }
          if (n === 4) memory.writeU32(a, Number(next)); else memory.writeU64(a, next);
          if (imm === ATOMIC.CMPXCHG) r[0] = old;
          else if ((imm & ATOMIC.FETCH) !== 0) r[src] = old;
        } else if (n === 1) memory.writeU8(a, Number(s & 0xffn));
        else if (n === 2) memory.writeU16(a, Number(s & 0xffffn));
        else if (n === 4) memory.writeU32(a, Number(s & 0xffffffffn));
        else memory.writeU64(a, s);
        pc++;
        continue;
      }
      const code = op & 0xf0;
      if (code === JMP.EXIT) return r;
      if (code === JMP.CALL) {
        if (src !== CALL_PSEUDO) throw new Error("reference: helper calls unsupported");
        r[0] = call(pc + imm + 1, r, depth + 1)[0]!;
        pc++;
        continue;
      }
      if (code === JMP.JA) { pc += (cls === CLS.JMP32 ? imm : off) + 1; continue; }
      if (op === MAY_GOTO) {
        if (mayGoto === 0) pc += off + 1; else { mayGoto--; pc++; }
        continue;
      }
      const s = (op & SRC_X) !== 0 ? r[src]! : immS;
      pc += condition(code, r[dst]!, s, cls === CLS.JMP32 ? 32 : 64) ? off + 1 : 1;
    }
  };
  return { regs: call(0, [0n, r1], 0) };
}
