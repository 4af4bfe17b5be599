/** A tiny assembler for hand-written test programs (raw 8-byte instructions). */
import { ALU, CLS, JMP, LD_IMM64, MODE, SIZE, SRC_K, SRC_X, encode } from "../../sim/ebpf/isa.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import type { BpfEnv, BpfNativeFn, LinkedProgram } from "../../sim/ebpf/program.js";

export type Insn = Uint8Array;

export const ld64 = (dst: number, v: bigint): Insn[] => {
  const u = BigInt.asUintN(64, v);
  return [encode(LD_IMM64, dst, 0, 0, Number(BigInt.asIntN(32, u))), encode(0, 0, 0, 0, Number(BigInt.asIntN(32, u >> 32n)))];
};
export const ldPseudo = (dst: number, src: number, imm: number, imm2 = 0): Insn[] => [encode(LD_IMM64, dst, src, 0, imm), encode(0, 0, 0, 0, imm2)];
export const aluR = (cls: number, op: number, dst: number, src: number, off = 0): Insn => encode(cls | op | SRC_X, dst, src, off, 0);
export const aluK = (cls: number, op: number, dst: number, imm: number, off = 0): Insn => encode(cls | op | SRC_K, dst, 0, off, imm);
export const mov64 = (dst: number, imm: number): Insn => aluK(CLS.ALU64, ALU.MOV, dst, imm);
export const movR = (dst: number, src: number): Insn => aluR(CLS.ALU64, ALU.MOV, dst, src);
export const exit = (): Insn => encode(CLS.JMP | JMP.EXIT, 0, 0, 0, 0);
export const ja = (off: number): Insn => encode(CLS.JMP | JMP.JA, 0, 0, off, 0);
export const jK = (cls: number, op: number, dst: number, imm: number, off: number): Insn => encode(cls | op | SRC_K, dst, 0, off, imm);
export const jR = (cls: number, op: number, dst: number, src: number, off: number): Insn => encode(cls | op | SRC_X, dst, src, off, 0);
export const call = (src: number, imm: number): Insn => encode(CLS.JMP | JMP.CALL, 0, src, 0, imm);
const sizeCode = (n: 1 | 2 | 4 | 8): number => (n === 1 ? SIZE.B : n === 2 ? SIZE.H : n === 4 ? SIZE.W : SIZE.DW);
export const ldx = (n: 1 | 2 | 4 | 8, dst: number, src: number, off: number, signExtend = false): Insn =>
  encode(CLS.LDX | (signExtend ? MODE.MEMSX : MODE.MEM) | sizeCode(n), dst, src, off, 0);
export const stx = (n: 1 | 2 | 4 | 8, dst: number, src: number, off: number): Insn => encode(CLS.STX | MODE.MEM | sizeCode(n), dst, src, off, 0);
export const st = (n: 1 | 2 | 4 | 8, dst: number, off: number, imm: number): Insn => encode(CLS.ST | MODE.MEM | sizeCode(n), dst, 0, off, imm);
export const atomic = (n: 4 | 8, dst: number, src: number, off: number, op: number): Insn => encode(CLS.STX | MODE.ATOMIC | sizeCode(n), dst, src, off, op);

export function program(insns: ReadonlyArray<Insn | Insn[]>, name = "test"): LinkedProgram {
  const flat = insns.flat();
  const bytes = new Uint8Array(flat.length * 8);
  flat.forEach((b, i) => bytes.set(b, i * 8));
  return { name, section: "test", insns: bytes, kfuncNames: [] };
}

/** An environment with the given helpers/kfuncs and maps standing at fixed addresses. */
export function testEnv(natives: { helpers?: Record<number, BpfNativeFn>; kfuncs?: BpfNativeFn[]; maps?: number[] } = {}, memory = new BpfMemory()): BpfEnv {
  return {
    memory,
    helper: (id) => natives.helpers?.[id],
    kfunc: (index) => natives.kfuncs?.[index],
    mapAddr: (k) => natives.maps?.[k] ?? 0,
    mapValueAddr: (k, off) => (natives.maps?.[k] ?? 0) + off,
  };
}
