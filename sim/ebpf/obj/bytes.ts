/**
 * Bounds-checked little-endian reads over an object file's bytes. Every offset in an ELF or BTF
 * header is hostile until checked, so all reads go through here and fail with a named error.
 */
import { fail } from "./errors.js";

/** A window on a byte array; `what` names it in errors ("section .BTF"). */
export class ByteReader {
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Fail unless `[off, off+len)` lies inside the window. */
  need(off: number, len: number, field: string): void {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0 || off + len > this.bytes.length) {
      fail(`${this.what}: ${field} at offset ${off} (+${len}) is past the end (${this.bytes.length} bytes)`);
    }
  }

  u8(off: number, field = "byte"): number { this.need(off, 1, field); return this.bytes[off]!; }
  u16(off: number, field = "u16"): number { this.need(off, 2, field); return this.dv.getUint16(off, true); }
  u32(off: number, field = "u32"): number { this.need(off, 4, field); return this.dv.getUint32(off, true); }
  i32(off: number, field = "i32"): number { this.need(off, 4, field); return this.dv.getInt32(off, true); }
  u64(off: number, field = "u64"): bigint { this.need(off, 8, field); return this.dv.getBigUint64(off, true); }

  /** A u64 that must fit a safe JS number (file offsets and sizes). */
  size64(off: number, field: string): number {
    const v = this.u64(off, field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${this.what}: ${field} ${v} is too large`);
    return Number(v);
  }

  /** A sub-window `[off, off+len)`, checked. */
  slice(off: number, len: number, what: string): ByteReader {
    this.need(off, len, what);
    return new ByteReader(this.bytes.subarray(off, off + len), what);
  }
}

/** A NUL-terminated string table (ELF .strtab, BTF strings). */
export class StringTable {
  private readonly cache = new Map<number, string>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  /** The string at `off`; fails when `off` is outside the table or the string is unterminated. */
  at(off: number): string {
    const hit = this.cache.get(off);
    if (hit !== undefined) return hit;
    if (!Number.isInteger(off) || off < 0 || off >= this.bytes.length) {
      if (off === 0 && this.bytes.length === 0) return "";
      fail(`${this.what}: string offset ${off} is outside the table (${this.bytes.length} bytes)`);
    }
    const end = this.bytes.indexOf(0, off);
    if (end < 0) fail(`${this.what}: string at offset ${off} is not NUL-terminated`);
    let s = "";
    for (let i = off; i < end; i++) s += String.fromCharCode(this.bytes[i]!);
    this.cache.set(off, s);
    return s;
  }
}
