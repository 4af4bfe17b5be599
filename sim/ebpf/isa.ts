/**
 * The eBPF instruction encoding (RFC 9669, up to ISA v4): opcode fields and a decoder that turns
 * the loader's raw little-endian bytes into parallel typed arrays the translator walks.
 */

/** Instruction classes (low 3 bits of the opcode). */
export const CLS = { LD: 0, LDX: 1, ST: 2, STX: 3, ALU: 4, JMP: 5, JMP32: 6, ALU64: 7 } as const;

/** Source bit of ALU/JMP opcodes: immediate or register. */
export const SRC_K = 0x00;
export const SRC_X = 0x08;

/** ALU operations (high 4 bits). */
export const ALU = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;

/** Jump operations (high 4 bits). */
export const JMP = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0, JCOND: 0xe0,
} as const;

/** Load/store size field (bits 3-4) and the byte count of each. */
export const SIZE = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;
export function sizeBytes(opcode: number): 1 | 2 | 4 | 8 {
  switch (opcode & 0x18) {
    case SIZE.B: return 1;
    case SIZE.H: return 2;
    case SIZE.W: return 4;
    default: return 8;
  }
}

/** Load/store mode field (bits 5-7). */
export const MODE = { IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60, MEMSX: 0x80, ATOMIC: 0xc0 } as const;

/** Atomic operations (imm of STX|ATOMIC). */
export const ATOMIC = { ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0, FETCH: 0x01, XCHG: 0xe1, CMPXCHG: 0xf1 } as const;

/** src_reg of CALL. */
export const CALL_HELPER = 0;
export const CALL_PSEUDO = 1;
export const CALL_KFUNC = 2;

/** src_reg of ld_imm64 (BPF_PSEUDO_*). */
export const PSEUDO = { IMM: 0, MAP_FD: 1, MAP_VALUE: 2, BTF_ID: 3, FUNC: 4, MAP_IDX: 5, MAP_IDX_VALUE: 6 } as const;

/** The only two-slot instruction: LD | IMM | DW. */
export const LD_IMM64 = CLS.LD | MODE.IMM | SIZE.DW;
/** may_goto: JMP | JCOND | K with src 0 (a bounded loop escape). */
export const MAY_GOTO = CLS.JMP | JMP.JCOND;

/** Decoded program: one entry per 8-byte slot (the second slot of ld_imm64 included). */
export interface DecodedInsns {
  readonly length: number;
  readonly op: Uint8Array;
  readonly dst: Uint8Array;
  readonly src: Uint8Array;
  readonly off: Int16Array;
  readonly imm: Int32Array;
}

/** Split raw little-endian instruction bytes into fields. */
export function decode(bytes: Uint8Array): DecodedInsns {
  if (bytes.length % 8 !== 0) throw new RangeError(`instruction bytes: length ${bytes.length} is not a multiple of 8`);
  const n = bytes.length / 8;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const op = new Uint8Array(n), dst = new Uint8Array(n), src = new Uint8Array(n);
  const off = new Int16Array(n), imm = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    op[i] = bytes[i * 8]!;
    const regs = bytes[i * 8 + 1]!;
    dst[i] = regs & 0x0f;
    src[i] = regs >> 4;
    off[i] = dv.getInt16(i * 8 + 2, true);
    imm[i] = dv.getInt32(i * 8 + 4, true);
  }
  return { length: n, op, dst, src, off, imm };
}

/** Encode one instruction (tests and hand-assembled programs). */
export function encode(op: number, dst: number, src: number, off: number, imm: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = op;
  b[1] = (dst & 0x0f) | ((src & 0x0f) << 4);
  dv.setInt16(2, off, true);
  dv.setInt32(4, imm | 0, true);
  return b;
}

/** Concatenate encoded instructions. */
export function assemble(insns: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  insns.forEach((b, i) => out.set(b, i * 8));
  return out;
}
