/**
 * The BPF address space: every byte a program may touch (stack frames, map values, global data,
 * the struct_ops context, kernel-object mirrors) lives in one growable little-endian buffer, and
 * an address is a plain offset into it.
 *
 * Bounds and writability checks must be a couple of array reads, because translated programs do
 * one per load and store. So the buffer is cut into 8-byte granules and a parallel Int32Array
 * `tags` holds, per granule, the owning region's number (1-based), negated when the region is
 * read-only, and 0 where nothing lives. Regions are separated by at least one untagged guard
 * granule and never straddle one another, so an access of at most 8 bytes is inside one region
 * exactly when the tags of its first and last granule are the same non-zero value. Granule 0..511
 * (addresses below 4096) is never allocated, so NULL and small offsets from it always fault.
 *
 * Precision: a region whose size is not a multiple of 8 also owns the few padding bytes up to the
 * next granule (zero-filled, shared with nobody); everything else is byte-exact.
 *
 * Growth replaces the buffer (regions keep their addresses; nothing is ever freed, since object
 * lifetimes are bounded by a run): views from `bytes()` and the typed-array fields must be
 * re-fetched after any `alloc`. A plain ArrayBuffer, not a resizable one, because V8 indexes
 * typed arrays over fixed buffers about twice as fast, and translated code does it constantly.
 */

/** An address in a BpfMemory: a plain number below 2^30; 0 is never valid memory. */
export type BpfAddr = number;

/** What a region holds; used for error messages and for the glue's bookkeeping. */
export type RegionKind = "stack" | "map_value" | "global_data" | "ctx" | "kernel_object" | "rodata";

export interface RegionOpts {
  /** Shown in fault messages, e.g. "map simple.bss" or "task_struct pid 12". */
  name: string;
  writable: boolean;
  kind: RegionKind;
  /** Alignment of the start address (power of two, at least 8). */
  align?: number;
}

/** Size of a granule of the tag table, bytes (the largest BPF access). */
export const GRANULE = 8;
const GRANULE_SHIFT = 3;
/** Lowest address ever handed out; below it every access faults. */
const FIRST_ADDR = 4096;
/** Upper bound of the address space (memory grows on demand up to it). */
const MAX_BYTES = 1 << 30;
const INITIAL_BYTES = 1 << 16;

/** The address space shared by all programs of one loaded object (and by its maps). */
export class BpfMemory {
  // Views of the current buffer, all replaced together when it grows (re-read after alloc).
  buffer: ArrayBuffer;
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  i32: Int32Array;
  /** For host-side accessors; translated code uses the typed arrays (much faster in V8). */
  view: DataView;
  /** Per-granule owner: region number + 1, negated when read-only, 0 when unowned. */
  tags: Int32Array;
  private top = FIRST_ADDR;
  private readonly starts: number[] = [];
  private readonly sizes: number[] = [];
  private readonly opts: RegionOpts[] = [];

  constructor() {
    this.buffer = new ArrayBuffer(INITIAL_BYTES);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.tags = new Int32Array(INITIAL_BYTES >> GRANULE_SHIFT);
  }

  /** Reserve `size` zero-filled bytes as a new region and return its first address. */
  alloc(size: number, opts: RegionOpts): BpfAddr {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`BpfMemory.alloc: bad size ${size} for ${opts.name}`);
    const align = Math.max(GRANULE, opts.align ?? GRANULE);
    if ((align & (align - 1)) !== 0) throw new RangeError(`BpfMemory.alloc: alignment ${align} is not a power of two`);
    const start = roundUp(this.top + GRANULE, align);
    const span = Math.max(GRANULE, roundUp(size, GRANULE));
    const end = start + span;
    if (end > MAX_BYTES) throw new RangeError(`BpfMemory: out of address space allocating ${size} bytes for ${opts.name}`);
    this.ensure(end);
    const id = this.opts.length + 1;
    this.starts.push(start);
    this.sizes.push(size);
    this.opts.push({ ...opts });
    // Zero-size regions keep a unique address but own no granule, so every access faults.
    if (size > 0) this.tags.fill(opts.writable ? id : -id, start >> GRANULE_SHIFT, end >> GRANULE_SHIFT);
    this.top = end;
    return start;
  }

  /** A view of `len` bytes at `addr` (inside one region); valid until the next `alloc`. */
  bytes(addr: BpfAddr, len: number): Uint8Array {
    this.check(addr, len, false);
    return new Uint8Array(this.buffer, addr, len);
  }

  /**
   * Throw the RangeError `bytes(addr, len)` would, without making a view: host code on a hot
   * path checks a span this way and then indexes `u8` directly (no allocation per call).
   */
  assertSpan(addr: BpfAddr, len: number): void {
    this.check(addr, len, false);
  }

  /** Whether `bytes(addr, len)` would succeed: host code on a hot path tests a span this way. */
  readable(addr: BpfAddr, len: number): boolean {
    return len <= 0 || (len <= GRANULE ? this.accessible(addr, len, false) : this.spanAccessible(addr, len, false));
  }

  /** Make the region starting at or containing `addr` read-only (e.g. `.rodata` once loaded). */
  freeze(addr: BpfAddr): void {
    const r = this.regionIndexAt(addr);
    if (r < 0) throw new RangeError(`BpfMemory.freeze: ${hex(addr)} is not in any region`);
    const id = r + 1;
    this.opts[r] = { ...this.opts[r]!, writable: false };
    const start = this.starts[r]!;
    const size = this.sizes[r]!;
    if (size > 0) this.tags.fill(-id, start >> GRANULE_SHIFT, (start + roundUp(size, GRANULE)) >> GRANULE_SHIFT);
  }

  /**
   * Take a region out of the address space (a freed bpf_obj_new object): every access to it
   * faults until `revive` hands the same region out again, zero-filled.
   */
  retire(addr: BpfAddr): void {
    const r = this.regionIndexAt(addr);
    if (r < 0 || this.starts[r] !== addr) throw new RangeError(`BpfMemory.retire: ${hex(addr)} does not start a region`);
    const size = this.sizes[r]!;
    if (size > 0) this.tags.fill(0, addr >> GRANULE_SHIFT, (addr + roundUp(size, GRANULE)) >> GRANULE_SHIFT);
  }

  /** Give a retired region back its tags, zero-filled. */
  revive(addr: BpfAddr): void {
    const r = this.regionIndexAt(addr);
    if (r < 0 || this.starts[r] !== addr) throw new RangeError(`BpfMemory.revive: ${hex(addr)} does not start a region`);
    const size = this.sizes[r]!, span = roundUp(size, GRANULE);
    this.u8.fill(0, addr, addr + span);
    if (size > 0) this.tags.fill(this.opts[r]!.writable ? r + 1 : -(r + 1), addr >> GRANULE_SHIFT, (addr + span) >> GRANULE_SHIFT);
  }

  /** The region holding `addr`, or undefined. */
  regionAt(addr: BpfAddr): { start: BpfAddr; size: number; opts: Readonly<RegionOpts> } | undefined {
    const r = this.regionIndexAt(addr);
    if (r < 0) return undefined;
    return { start: this.starts[r]!, size: this.sizes[r]!, opts: this.opts[r]! };
  }

  /**
   * Whether `len` (1..8) bytes at `addr` lie in one region (and, for `write`, a writable one).
   * The translated programs inline the same test.
   */
  accessible(addr: BpfAddr, len: number, write: boolean): boolean {
    if (addr < 0 || !Number.isInteger(addr)) return false;
    const t = this.tags[addr >> GRANULE_SHIFT] ?? 0;
    if (t === 0 || (write && t < 0)) return false;
    return (this.tags[(addr + len - 1) >> GRANULE_SHIFT] ?? 0) === t;
  }

  /** Describe an address for error messages: "map simple.bss+16" or "unmapped 0x10". */
  describe(addr: BpfAddr): string {
    const r = this.regionIndexAt(addr);
    if (r < 0) return `unmapped address ${hex(addr)}`;
    return `${this.opts[r]!.name}+${addr - this.starts[r]!}`;
  }

  readU8(addr: BpfAddr): number { this.check(addr, 1, false); return this.u8[addr]!; }
  readU16(addr: BpfAddr): number { this.check(addr, 2, false); return this.view.getUint16(addr, true); }
  readU32(addr: BpfAddr): number { this.check(addr, 4, false); return this.view.getUint32(addr, true); }
  readU64(addr: BpfAddr): bigint { this.check(addr, 8, false); return this.view.getBigUint64(addr, true); }
  writeU8(addr: BpfAddr, v: number): void { this.check(addr, 1, true); this.u8[addr] = v; }
  writeU16(addr: BpfAddr, v: number): void { this.check(addr, 2, true); this.view.setUint16(addr, v, true); }
  writeU32(addr: BpfAddr, v: number): void { this.check(addr, 4, true); this.view.setUint32(addr, v >>> 0, true); }
  writeU64(addr: BpfAddr, v: bigint): void { this.check(addr, 8, true); this.view.setBigUint64(addr, BigInt.asUintN(64, v), true); }

  /**
   * Host-side writes that ignore read-only protection (the loader filling `.rodata` before it
   * freezes it, or the glue updating a kernel-object mirror programs may only read).
   */
  hostBytes(addr: BpfAddr, len: number): Uint8Array {
    this.check(addr, len, false);
    return new Uint8Array(this.buffer, addr, len);
  }

  private check(addr: BpfAddr, len: number, write: boolean): void {
    if (len <= 0) return;
    // Longer host accesses are checked granule by granule at both ends and through the middle.
    const ok = len <= GRANULE ? this.accessible(addr, len, write) : this.spanAccessible(addr, len, write);
    if (!ok) {
      throw new RangeError(`BpfMemory: ${write ? "write" : "read"} of ${len} bytes at ${this.describe(addr)} is outside ${write ? "writable " : ""}memory`);
    }
  }

  private spanAccessible(addr: BpfAddr, len: number, write: boolean): boolean {
    if (!this.accessible(addr, 1, write)) return false;
    const r = this.regionIndexAt(addr);
    return addr + len <= this.starts[r]! + roundUp(this.sizes[r]!, GRANULE);
  }

  private regionIndexAt(addr: BpfAddr): number {
    if (addr < 0 || !Number.isInteger(addr)) return -1;
    const t = this.tags[addr >> GRANULE_SHIFT] ?? 0;
    if (t !== 0) return Math.abs(t) - 1;
    // Zero-size regions own no granule: find one starting exactly here.
    let lo = 0, hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.starts[mid]!;
      if (s === addr) return mid;
      if (s < addr) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  private ensure(end: number): void {
    if (end <= this.buffer.byteLength) return;
    let n = this.buffer.byteLength;
    while (n < end) n *= 2;
    n = Math.min(n, MAX_BYTES);
    const u8 = new Uint8Array(n);
    u8.set(this.u8);
    const tags = new Int32Array(n >> GRANULE_SHIFT);
    tags.set(this.tags);
    this.buffer = u8.buffer;
    this.u8 = u8;
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.tags = tags;
  }
}

function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
