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
  return keyFromBytes(mem.bytes(addr, size));
}

/** The same key from raw bytes (host side). */
export function keyFromBytes(b: Uint8Array): MapKey {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length === 4) return dv.getUint32(0, true);
  if (b.length === 8) {
    const hi = dv.getUint32(4, true);
    if (hi < 0x200000) return hi * 4294967296 + dv.getUint32(0, true);
  }
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Copy `len` bytes between two addresses of BpfMemory (checked: a bad pointer throws RangeError). */
export function copyValue(mem: BpfMemory, dst: BpfAddr, src: BpfAddr, len: number): void {
  mem.bytes(src, len);
  mem.bytes(dst, len);
  mem.u8.copyWithin(dst, src, src + len);
}

/** Zero `len` bytes at `dst` (host write; ignores read-only protection only through hostBytes). */
export function zeroValue(mem: BpfMemory, dst: BpfAddr, len: number): void {
  mem.hostBytes(dst, len).fill(0);
}
