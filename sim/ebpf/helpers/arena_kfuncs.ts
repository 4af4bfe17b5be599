/**
 * The arena kfuncs (kernel/bpf/arena.c): bpf_arena_alloc_pages, bpf_arena_free_pages and
 * bpf_arena_reserve_pages over the object's ArenaMap. The map argument is the address a program
 * loads for the map (ld_imm64 src 1); the address arguments are user addresses (address space 1)
 * of which, as in the kernel, only the low 32 bits name the page.
 */
import type { BpfAddr } from "../memory.js";
import type { BpfMapStore } from "../maps/map_types.js";
import { ArenaMap } from "../maps/arena.js";
import type { BpfNativeFn } from "../program.js";

const EINVAL = 22;
/** NUMA_NO_NODE: any node. */
const NO_NODE = -1;

/** The three kfuncs, given how to find a map store by its address and how many NUMA nodes exist. */
export function arenaKfuncs(storeAt: (addr: BpfAddr) => BpfMapStore | undefined, nrNodes: () => number): [string, BpfNativeFn][] {
  const arena = (addr: BpfAddr): ArenaMap | undefined => {
    const s = storeAt(addr);
    return s instanceof ArenaMap ? s : undefined;
  };
  const alloc: BpfNativeFn = (a) => {
    const m = arena(a.ptr(1));
    const count = a.u32(3), node = a.s32(4);
    if (m === undefined || a.lo[5] !== 0 || a.hi[5] !== 0 || count === 0) return 0;
    if (node !== NO_NODE && (node < 0 || node >= nrNodes())) return 0;
    const any = a.lo[2] === 0 && a.hi[2] === 0;
    return m.allocPages(count, any ? undefined : a.u32(2));
  };
  const free: BpfNativeFn = (a) => {
    const m = arena(a.ptr(1));
    const count = a.u32(3);
    if (m === undefined || count === 0 || (a.lo[2] === 0 && a.hi[2] === 0)) return 0;
    m.freePages(a.u32(2), count);
    return 0;
  };
  const reserve: BpfNativeFn = (a) => {
    const m = arena(a.ptr(1));
    return m === undefined ? -EINVAL : m.reservePages(a.u32(2), a.u32(3));
  };
  return [
    ["bpf_arena_alloc_pages", alloc],
    ["bpf_arena_free_pages", free],
    ["bpf_arena_reserve_pages", reserve],
  ];
}
