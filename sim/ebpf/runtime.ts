/**
 * 64-bit arithmetic on int32 halves that is too long to inline in translated code. Functions
 * returning a 64-bit value return the low half and leave the high half in `HI[0]` (a shared
 * typed array, so nothing is allocated). Division and modulo of non-negative operands below
 * 2^52 (nanosecond clocks and vtimes, weights) are done in doubles, exactly; larger ones go
 * through BigInt, which allocates.
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

/** Operands below 2^52 (hi < 2^20): their double quotient, corrected, is exact. */
const SMALL_HI = 0x100000;
const TWO32 = 4294967296;
/** Remainder of the last `smallDivide`. */
let smallRem = 0;

/**
 * floor(a / b) for 0 <= a, b < 2^52, b > 0, as halves (high in HI[0]); the remainder is left in
 * `smallRem`. The double quotient is off by at most one, and q * b stays below 2^53, so the
 * correction is exact.
 */
function smallDivide(al: number, ah: number, bl: number, bh: number): number {
  const a = ah * TWO32 + (al >>> 0), b = bh * TWO32 + (bl >>> 0);
  let q = Math.floor(a / b), r = a - q * b;
  if (r < 0) { q--; r += b; } else if (r >= b) { q++; r -= b; }
  smallRem = r;
  HI[0] = Math.floor(q / TWO32);
  return q | 0;
}

/** Both operands non-negative and below 2^52, the divisor not zero (hi halves as given, int32). */
function small(ah: number, bl: number, bh: number): boolean {
  return ah >= 0 && ah < SMALL_HI && bh >= 0 && bh < SMALL_HI && (bl | bh) !== 0;
}

/** Halves of `smallRem` (below 2^52) as a runtime result. */
function remainder(): number {
  HI[0] = Math.floor(smallRem / TWO32);
  return smallRem | 0;
}

function fromBig(v: bigint): number {
  HI[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

/** Unsigned 64-bit division; x / 0 = 0 as BPF defines. */
export function udiv64(al: number, ah: number, bl: number, bh: number): number {
  if (small(ah | 0, bl, bh | 0)) return smallDivide(al, ah | 0, bl, bh | 0);
  const b = toBig(bl, bh);
  return fromBig(b === 0n ? 0n : toBig(al, ah) / b);
}

/** Unsigned 64-bit modulo; x % 0 = x. */
export function umod64(al: number, ah: number, bl: number, bh: number): number {
  if (small(ah | 0, bl, bh | 0)) { smallDivide(al, ah | 0, bl, bh | 0); return remainder(); }
  const b = toBig(bl, bh);
  const a = toBig(al, ah);
  return fromBig(b === 0n ? a : a % b);
}

/** Signed 64-bit division truncating toward zero; x / 0 = 0, INT64_MIN / -1 = INT64_MIN. */
export function sdiv64(al: number, ah: number, bl: number, bh: number): number {
  if (small(ah | 0, bl, bh | 0)) return smallDivide(al, ah | 0, bl, bh | 0);
  const b = toBigSigned(bl, bh);
  return fromBig(b === 0n ? 0n : toBigSigned(al, ah) / b);
}

/** Signed 64-bit modulo with the dividend's sign; x % 0 = x. */
export function smod64(al: number, ah: number, bl: number, bh: number): number {
  if (small(ah | 0, bl, bh | 0)) { smallDivide(al, ah | 0, bl, bh | 0); return remainder(); }
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
