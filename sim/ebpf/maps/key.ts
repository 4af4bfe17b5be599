/**
 * Turning key bytes in BpfMemory into a JavaScript Map key without allocating for the common
 * sizes: 4-byte keys and 8-byte keys below 2^53 become numbers; anything else a binary string.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";

export type MapKey = number | string;

/** The key of `size` bytes at `addr`; a RangeError from BpfMemory for a bad pointer. */
export function readKey(mem: BpfMemory, addr: BpfAddr, size: number): MapKey {
  if (size === 4) return mem.readU32(addr);
  if (size === 8) {
    const lo = mem.readU32(addr);
    const hi = mem.readU32(addr + 4);
    if (hi < 0x200000) return hi * 4294967296 + lo;
  }
  mem.assertSpan(addr, size);
  return keyString(mem.u8, addr, size);
}

/** The same key from raw bytes (host side). */
export function keyFromBytes(b: Uint8Array): MapKey {
  if (b.length === 4) return u32At(b, 0);
  if (b.length === 8) {
    const hi = u32At(b, 4);
    if (hi < 0x200000) return hi * 4294967296 + u32At(b, 0);
  }
  return keyString(b, 0, b.length);
}

function u32At(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** The binary-string key of `len` bytes of `b` from `at`. */
function keyString(b: Uint8Array, at: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[at + i]!);
  return s;
}

/** Copy `len` bytes between two addresses of BpfMemory (checked: a bad pointer throws RangeError). */
export function copyValue(mem: BpfMemory, dst: BpfAddr, src: BpfAddr, len: number): void {
  mem.assertSpan(src, len);
  mem.assertSpan(dst, len);
  mem.u8.copyWithin(dst, src, src + len);
}

/** Zero `len` bytes at `dst` (host write; ignores read-only protection only through hostBytes). */
export function zeroValue(mem: BpfMemory, dst: BpfAddr, len: number): void {
  mem.assertSpan(dst, len);
  mem.u8.fill(0, dst, dst + len);
}
