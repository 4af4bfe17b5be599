/**
 * BPF_MAP_TYPE_ARENA: a sparse region of up to 4 GiB shared by the programs and user space,
 * allocated in pages by bpf_arena_alloc_pages. User space sees it at `user_vm_start` (the map's
 * map_extra); programs reach it through pointers of address space 1 (a full user address) cast
 * to address space 0 before a load or store, and the kernel's JIT addresses the page by the low
 * 32 bits of the pointer.
 *
 * Here each allocation is backed by a fresh region of BpfMemory (kept for reuse once freed, as
 * the address space never shrinks) and a page table maps arena page numbers to those regions.
 * A program's arena pointer travels in a register as the user address itself (high half =
 * user_vm_start's high 32 bits, never 0: no BpfMemory address has a high half), so the
 * translated load or store recognises it by its high half and asks `at` for the backing byte.
 * Pages nobody allocated behave as the kernel's fault handler makes them: loads read 0 (a shared
 * read-only zero page) and stores vanish (into a sink page nobody reads).
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { ArenaStore, BpfMapSpec } from "./map_types.js";

/** Bytes per arena page (x86-64 PAGE_SIZE). */
export const ARENA_PAGE = 4096;
const PAGE_SHIFT = 12;
const TWO32 = 4294967296;
/** A page bpf_arena_reserve_pages took out of the free space without backing it. */
const RESERVED = -1;
const EINVAL = 22;
const EALREADY = 114;
/** Where the arena appears when map_extra leaves the choice to mmap (4 GiB aligned, below 2^47). */
const DEFAULT_USER_VM_START = 0x7f00 * TWO32;
/** The largest user address on x86-64 plus one: a map_extra at or above it cannot be mmap()ed. */
export const USER_SPACE_END = 2 ** 47;

/** How translated code reaches an arena (ExecState.ar): `at` as ArenaMap's. */
export interface ArenaAccess {
  at(h: number, l: number, off: number, write: number): BpfAddr;
}

/** For address spaces without an arena: every pointer with a high half is wild. */
export const NO_ARENA: ArenaAccess = { at: () => -1 };

const arenas = new WeakMap<BpfMemory, ArenaMap>();

/** The arena living in `mem`, if its object has one. */
export function arenaOf(mem: BpfMemory): ArenaMap | undefined {
  return arenas.get(mem);
}

export class ArenaMap implements ArenaStore, ArenaAccess {
  readonly storage = "arena";
  /** The user address of arena page 0 (exact: below 2^47). */
  readonly userVmStart: number;
  /** High and low 32 bits of userVmStart (hi as the int32 a register half holds). */
  readonly hi: number;
  readonly lo: number;
  /** Pages the arena spans (max_entries). */
  readonly pages: number;
  /** Per page: the BpfMemory address backing it while allocated, RESERVED, or 0 when free. */
  private readonly mapped: Int32Array;
  /** Per page: the last backing it had (reused when the same run of pages comes back). */
  private readonly backing: Int32Array;
  private readonly zeroPage: BpfAddr;
  private readonly sinkPage: BpfAddr;
  /** No page below this is free (first-fit search starts here). */
  private firstFree = 0;
  private live = 0;
  /** Arena offset of the `__arena` globals (placeGlobals). */
  globalsOffset = 0;

  constructor(readonly spec: BpfMapSpec, private readonly mem: BpfMemory, mapExtra: number) {
    this.pages = spec.maxEntries;
    this.userVmStart = mapExtra !== 0 ? mapExtra : DEFAULT_USER_VM_START;
    this.hi = Math.floor(this.userVmStart / TWO32) | 0;
    this.lo = this.userVmStart % TWO32;
    this.mapped = new Int32Array(this.pages);
    this.backing = new Int32Array(this.pages);
    this.zeroPage = mem.alloc(ARENA_PAGE, { name: `arena ${spec.name} unmapped page`, writable: false, kind: "map_value", align: ARENA_PAGE });
    this.sinkPage = mem.alloc(ARENA_PAGE, { name: `arena ${spec.name} unmapped page`, writable: true, kind: "map_value", align: ARENA_PAGE });
    arenas.set(mem, this);
  }

  /**
   * The BpfMemory address a load (`write` 0) or store (1) of an arena pointer with halves
   * `h`/`l` plus `off` touches, or -1 when `h` is not this arena's (the access then faults as
   * any wild pointer does). The kernel adds `off` to the 32-bit offset in 64 bits, so a sum
   * outside the arena's 4 GiB window lands in its guard pages: a zero read, a lost write.
   */
  at(h: number, l: number, off: number, write: number): BpfAddr {
    if (h !== this.hi) return -1;
    const x = (l >>> 0) + off - this.lo;
    const page = x >= 0 ? Math.floor(x / ARENA_PAGE) : -1;
    const base = page >= 0 && page < this.pages ? this.mapped[page]! : 0;
    const within = x & (ARENA_PAGE - 1);
    if (base > 0) return base + within;
    if (write === 0) return this.zeroPage + within;
    // The kernel's fault handler zeroes the register an atomic would have fetched into: clear
    // the sink's word so that an atomic's read here sees 0 too (a plain store overwrites it).
    const at = this.sinkPage + (within & ~7);
    this.mem.i32[at >> 2] = 0;
    this.mem.i32[(at >> 2) + 1] = 0;
    return this.sinkPage + within;
  }

  /**
   * bpf_arena_alloc_pages: `count` zeroed pages, at the page whose user address has low 32 bits
   * `at` when given (the kernel names a page by those alone), else at the lowest run of free
   * pages that fits. Returns the user address of the first page, or 0 when they do not fit, are
   * taken, or `at` is not page-aligned.
   */
  allocPages(count: number, at?: number): number {
    if (!Number.isInteger(count) || count <= 0 || count > this.pages) return 0;
    let first: number;
    if (at !== undefined) {
      if (at % ARENA_PAGE !== 0) return 0;
      first = ((at - this.lo + TWO32) % TWO32) / ARENA_PAGE;
      if (first > this.pages - count || !this.allFree(first, count)) return 0;
    } else {
      first = this.findFree(count);
      if (first < 0) return 0;
    }
    this.mapRun(first, count);
    return this.userAddr(first);
  }

  /**
   * bpf_arena_free_pages: unmap `count` pages from the one whose user address has low 32 bits
   * `low` (rounded down to its page); pages past the arena's end or not allocated are skipped.
   */
  freePages(low: number, count: number): void {
    const from = Math.floor(low / ARENA_PAGE) * ARENA_PAGE - this.lo;
    if (!Number.isInteger(count) || count <= 0 || from < 0) return;
    const first = from / ARENA_PAGE;
    const end = Math.min(this.pages, first + count);
    for (let p = first; p < end; p++) {
      if (this.mapped[p]! > 0) this.live--;
      this.mapped[p] = 0;
    }
    if (first < this.firstFree) this.firstFree = first;
  }

  /**
   * bpf_arena_reserve_pages: take `count` free pages, from the one whose user address has low 32
   * bits `low`, out of what allocation may hand out, without backing them (they read 0; freeing
   * them gives them back). 0, -EINVAL past the arena's end, -EALREADY when a page is not free;
   * a misaligned address is ignored (0), as in the kernel.
   */
  reservePages(low: number, count: number): number {
    if (count === 0 || low % ARENA_PAGE !== 0) return 0;
    const first = ((low - this.lo + TWO32) % TWO32) / ARENA_PAGE;
    if (first + count > this.pages) return -EINVAL;
    if (!this.allFree(first, count)) return -EALREADY;
    this.mapped.fill(RESERVED, first, first + count);
    return 0;
  }

  /** Map `count` pages ending at the arena's end holding `bytes` (libbpf's placement of `__arena` globals); returns their offset. */
  placeGlobals(bytes: Uint8Array): number {
    const count = Math.ceil(bytes.length / ARENA_PAGE);
    if (count === 0) return 0;
    const first = this.pages - count;
    this.mapRun(first, count);
    this.mem.hostBytes(this.mapped[first]!, bytes.length).set(bytes);
    this.globalsOffset = first * ARENA_PAGE;
    return this.globalsOffset;
  }

  /**
   * A store from user space through the arena's mapping: each page touched that nobody
   * allocated is faulted in (allocated), as arena_vm_fault does; a reserved page or an address
   * outside the arena is refused (the process would get SIGSEGV).
   */
  hostWrite(addr: number, bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length;) {
      const off = addr + k - this.userVmStart;
      const page = Math.floor(off / ARENA_PAGE);
      if (off < 0 || page >= this.pages) throw new RangeError(`arena ${this.spec.name}: user address 0x${(addr + k).toString(16)} is outside the arena`);
      if (this.mapped[page] === RESERVED) throw new RangeError(`arena ${this.spec.name}: user address 0x${(addr + k).toString(16)} is in a reserved page`);
      if (this.mapped[page] === 0) this.mapRun(page, 1);
      const within = off - page * ARENA_PAGE, n = Math.min(bytes.length - k, ARENA_PAGE - within);
      this.mem.hostBytes(this.mapped[page]! + within, n).set(bytes.subarray(k, k + n));
      k += n;
    }
  }

  /** User address of arena page `page`. */
  userAddr(page: number): number {
    return this.userVmStart + page * ARENA_PAGE;
  }

  /** Whether page `page` is allocated (tests). */
  isMapped(page: number): boolean {
    return this.mapped[page]! > 0;
  }

  size(): number {
    return this.live;
  }

  private allFree(first: number, count: number): boolean {
    for (let p = first; p < first + count; p++) if (this.mapped[p] !== 0) return false;
    return true;
  }

  /** The lowest page starting `count` free pages, or -1. */
  private findFree(count: number): number {
    let run = 0;
    for (let p = this.firstFree; p < this.pages; p++) {
      if (this.mapped[p] !== 0) { run = 0; continue; }
      if (run === 0 && count === 1) this.firstFree = p;
      if (++run === count) return p - count + 1;
    }
    return -1;
  }

  private mapRun(first: number, count: number): void {
    let base = this.backing[first]!;
    for (let i = 1; i < count && base !== 0; i++) if (this.backing[first + i] !== base + i * ARENA_PAGE) base = 0;
    if (base === 0) {
      base = this.mem.alloc(count * ARENA_PAGE, { name: `arena ${this.spec.name} page ${first}`, writable: true, kind: "map_value", align: ARENA_PAGE });
    } else {
      this.mem.hostBytes(base, count * ARENA_PAGE).fill(0);
    }
    for (let i = 0; i < count; i++) {
      this.mapped[first + i] = base + i * ARENA_PAGE;
      this.backing[first + i] = base + i * ARENA_PAGE;
    }
    this.live += count;
  }
}
