/**
 * 64-bit arithmetic on int32 halves that is too long to inline in translated code. Functions
 * returning a 64-bit value return the low half and leave the high half in `HI[0]` (a shared
 * typed array, so nothing is allocated). Division and modulo of operands beyond 32 bits go
 * through BigInt: rare in scheduler code, and exact.
 */

/**
 * Shared result halves: [0] the high half of a runtime function's 64-bit result, [1] the high
 * half of R0 returned by a translated subprogram (the low half is its JavaScript return value).
 */
export const HI = new Int32Array(2);

/** High 32 bits of the unsigned 64-bit product of two uint32 (given as int32). */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p01 = a0 * b1, p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function toBigSigned(lo: number, hi: number): bigint {
  return (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): number {
  HI[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

/** Unsigned 64-bit division; x / 0 = 0 as BPF defines. */
export function udiv64(al: number, ah: number, bl: number, bh: number): number {
  const b = toBig(bl, bh);
  return fromBig(b === 0n ? 0n : toBig(al, ah) / b);
}

/** Unsigned 64-bit modulo; x % 0 = x. */
export function umod64(al: number, ah: number, bl: number, bh: number): number {
  const b = toBig(bl, bh);
  const a = toBig(al, ah);
  return fromBig(b === 0n ? a : a % b);
}

/** Signed 64-bit division truncating toward zero; x / 0 = 0, INT64_MIN / -1 = INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number): number {
  const b = toBigSigned(bl, bh);
  return fromBig(b === 0n ? 0n : toBigSigned(al, ah) / b);
}

/** Signed 64-bit modulo with the dividend's sign; x % 0 = x. */
export function smod64(al: number, ah: number, bl: number, bh: number): number {
  const b = toBigSigned(bl, bh);
  const a = toBigSigned(al, ah);
  return fromBig(b === 0n ? a : a % b);
}

/** 64-bit left shift by c in 0..63. */
export function shl64(lo: number, hi: number, c: number): number {
  if (c === 0) { HI[0] = hi; return lo; }
  if (c < 32) { HI[0] = (hi << c) | (lo >>> (32 - c)); return lo << c; }
  HI[0] = lo << (c - 32);
  return 0;
}

/** 64-bit logical right shift by c in 0..63. */
export function shr64(lo: number, hi: number, c: number): number {
  if (c === 0) { HI[0] = hi; return lo; }
  if (c < 32) { HI[0] = (hi >>> c) | 0; return (lo >>> c) | (hi << (32 - c)); }
  HI[0] = 0;
  return (hi >>> (c - 32)) | 0;
}

/** 64-bit arithmetic right shift by c in 0..63. */
export function sar64(lo: number, hi: number, c: number): number {
  if (c === 0) { HI[0] = hi; return lo; }
  if (c < 32) { HI[0] = hi >> c; return (lo >>> c) | (hi << (32 - c)); }
  HI[0] = hi >> 31;
  return hi >> (c - 32);
}

/** Byte-swap a 32-bit value (as int32). */
export function bswap32(x: number): number {
  return (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/** The byte-wise accessors for misaligned loads and stores, bound to one memory's bytes. */
export interface Unaligned {
  ld16(a: number, signed: number): number;
  ld32(a: number): number;
  st16(a: number, v: number): void;
  st32(a: number, v: number): void;
}

/** Byte-wise accessors reading the memory's current bytes (it may have grown since translation). */
export function unalignedAccess(m: { readonly u8: Uint8Array }): Unaligned {
  return {
    ld16: (a, signed) => {
      const u8 = m.u8;
      const v = u8[a]! | (u8[a + 1]! << 8);
      return signed !== 0 ? (v << 16) >> 16 : v;
    },
    ld32: (a) => {
      const u8 = m.u8;
      return u8[a]! | (u8[a + 1]! << 8) | (u8[a + 2]! << 16) | (u8[a + 3]! << 24);
    },
    st16: (a, v) => { const u8 = m.u8; u8[a] = v; u8[a + 1] = v >>> 8; },
    st32: (a, v) => { const u8 = m.u8; u8[a] = v; u8[a + 1] = v >>> 8; u8[a + 2] = v >>> 16; u8[a + 3] = v >>> 24; },
  };
}
