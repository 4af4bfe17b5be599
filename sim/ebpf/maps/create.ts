/**
 * Creating a map store from its definition, with the kernel's checks on sizes and flags. A
 * definition the kernel would refuse, or a type scxlab does not implement, is returned as a
 * one-line reason instead of a store.
 */
import type { BpfMemory, RegionKind } from "../memory.js";
import { ArrayMap } from "./array.js";
import { HashMap } from "./hash.js";
import { LocalStorage } from "./local_storage.js";
import { MapArray } from "./map_array.js";
import { QueueMap } from "./queue.js";
import { PerfEventArray } from "./perf_event.js";
import { ArenaMap, USER_SPACE_END } from "./arena.js";
import { RingBuf } from "./ringbuf.js";
import {
  BPF_F_NO_PREALLOC, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_TASK_STORAGE, mapTypeName,
  BPF_MAP_TYPE_ARRAY_OF_MAPS, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE,
  BPF_MAP_TYPE_RINGBUF, type BpfMapSpec, type BpfMapStore,
} from "./map_types.js";

/** Largest value a map may hold, as in the kernel (KMALLOC_MAX_SIZE-ish; ours is a round 1 MiB). */
const MAX_VALUE_SIZE = 1 << 20;
/** Largest array (max_entries × value_size, per CPU), to keep hostile objects small. */
const MAX_ARRAY_BYTES = 64 << 20;
/** Most values (entries × CPUs) an array may hold; their addresses are a typed array. */
const MAX_ARRAY_SLOTS = 1 << 20;

export interface CreateOptions {
  nrCpus: number;
  /** Region kind and writability for global-data arrays (default: writable map values). */
  region?: { kind: RegionKind; writable: boolean; name: string };
}

/** Make the store for `spec`, or return why not (one line, naming the map). */
export function createMapStore(spec: BpfMapSpec, mem: BpfMemory, opts: CreateOptions): BpfMapStore | string {
  const why = check(spec, opts.nrCpus);
  if (why !== undefined) return `map ${spec.name}: ${why}`;
  switch (spec.type) {
    case BPF_MAP_TYPE_ARRAY: return new ArrayMap(spec, mem, false, opts.nrCpus, opts.region);
    case BPF_MAP_TYPE_PERCPU_ARRAY: return new ArrayMap(spec, mem, true, opts.nrCpus);
    case BPF_MAP_TYPE_HASH: return new HashMap(spec, mem, false, false, opts.nrCpus);
    case BPF_MAP_TYPE_PERCPU_HASH: return new HashMap(spec, mem, true, false, opts.nrCpus);
    case BPF_MAP_TYPE_LRU_HASH: return new HashMap(spec, mem, false, true, opts.nrCpus);
    case BPF_MAP_TYPE_QUEUE: return new QueueMap(spec, mem, false);
    case BPF_MAP_TYPE_STACK: return new QueueMap(spec, mem, true);
    case BPF_MAP_TYPE_ARRAY_OF_MAPS: return new MapArray(spec, mem);
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return new PerfEventArray(spec);
    case BPF_MAP_TYPE_ARENA: return new ArenaMap(spec, mem, spec.mapExtra ?? 0);
    case BPF_MAP_TYPE_RINGBUF: return new RingBuf(spec, mem);
    default: return new LocalStorage(spec, mem);
  }
}

const SUPPORTED = new Set([
  BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
  BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE, BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK, BPF_MAP_TYPE_ARRAY_OF_MAPS,
  BPF_MAP_TYPE_PERF_EVENT_ARRAY, BPF_MAP_TYPE_ARENA, BPF_MAP_TYPE_RINGBUF,
]);

function check(s: BpfMapSpec, nrCpus: number): string | undefined {
  const t = s.type;
  if (!SUPPORTED.has(t)) return `unsupported map type ${mapTypeName(t)}`;
  if (t === BPF_MAP_TYPE_ARENA) return checkArena(s);
  if (t === BPF_MAP_TYPE_RINGBUF) return checkRingBuf(s);
  if (s.valueSize <= 0 || s.valueSize > MAX_VALUE_SIZE) return `value size ${s.valueSize} must be 1..${MAX_VALUE_SIZE}`;
  switch (t) {
    case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY:
      if (s.keySize !== 4) return `${mapTypeName(t)} needs a 4-byte key, not ${s.keySize}`;
      if (s.maxEntries <= 0) return `${mapTypeName(t)} needs max_entries > 0`;
      if (s.maxEntries * (t === BPF_MAP_TYPE_PERCPU_ARRAY ? nrCpus : 1) > MAX_ARRAY_SLOTS) return `${s.maxEntries} entries${t === BPF_MAP_TYPE_PERCPU_ARRAY ? ` × ${nrCpus} CPUs` : ""} is more than scxlab allows for an array (${MAX_ARRAY_SLOTS})`;
      if (s.maxEntries * (t === BPF_MAP_TYPE_PERCPU_ARRAY ? nrCpus : 1) * Math.ceil(s.valueSize / 8) * 8 > MAX_ARRAY_BYTES) return `${s.maxEntries} × ${s.valueSize}-byte values is more than scxlab allocates for an array (${MAX_ARRAY_BYTES} bytes)`;
      return undefined;
    case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_HASH:
      if (s.keySize <= 0 || s.keySize > 512) return `key size ${s.keySize} must be 1..512`;
      if (s.maxEntries <= 0) return `${mapTypeName(t)} needs max_entries > 0`;
      return undefined;
    case BPF_MAP_TYPE_QUEUE: case BPF_MAP_TYPE_STACK:
      if (s.keySize !== 0) return `${mapTypeName(t)} takes no key (key_size 0), not ${s.keySize}`;
      if (s.maxEntries <= 0 || s.maxEntries * s.valueSize > MAX_ARRAY_BYTES) return `${mapTypeName(t)} needs max_entries 1..${Math.floor(MAX_ARRAY_BYTES / s.valueSize)}`;
      return undefined;
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
      if (s.keySize !== 4) return `${mapTypeName(t)} needs a 4-byte key, not ${s.keySize}`;
      if (s.maxEntries <= 0 || s.maxEntries > 1 << 20) return `${mapTypeName(t)} needs max_entries 1..${1 << 20}`;
      return undefined;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
      if (s.keySize !== 4 || s.valueSize !== 4) return `${mapTypeName(t)} needs 4-byte keys and values (perf event fds)`;
      if (s.maxEntries <= 0 || s.maxEntries > MAX_ARRAY_SLOTS) return `${mapTypeName(t)} needs max_entries 1..${MAX_ARRAY_SLOTS}`;
      return undefined;
    case BPF_MAP_TYPE_TASK_STORAGE: case BPF_MAP_TYPE_CGRP_STORAGE:
      if (s.keySize !== 4) return `${mapTypeName(t)} needs a 4-byte (int) key, not ${s.keySize}`;
      if (s.maxEntries !== 0) return `${mapTypeName(t)} needs max_entries 0, not ${s.maxEntries}`;
      if ((s.mapFlags & BPF_F_NO_PREALLOC) === 0) return `${mapTypeName(t)} needs map_flags BPF_F_NO_PREALLOC`;
      return undefined;
    default:
      return `unsupported map type ${mapTypeName(t)}`;
  }
}

/** Arena pages scxlab tracks at most (4 GiB of 4 KiB pages, the kernel's limit too). */
const MAX_ARENA_PAGES = 1 << 20;
/** BPF_F_SEGV_ON_FAULT (about user-space faults only) | BPF_F_MMAPABLE: the arena flags scxlab takes. */
const ARENA_FLAGS = (1 << 17) | BPF_F_MMAPABLE;
/** BPF_F_NO_USER_CONV: casts to address space 1 keep 32-bit offsets; not modelled. */
const NO_USER_CONV = 1 << 18;

/** The kernel's arena_map_alloc checks, plus mmap's: the user range must be a user address. */
function checkArena(s: BpfMapSpec): string | undefined {
  const extra = s.mapExtra ?? 0;
  if (s.keySize !== 0 || s.valueSize !== 0) return `${mapTypeName(s.type)} takes no key or value (sizes 0), not ${s.keySize} and ${s.valueSize}`;
  if (s.maxEntries <= 0 || s.maxEntries > MAX_ARENA_PAGES) return `${mapTypeName(s.type)} needs max_entries (pages) 1..${MAX_ARENA_PAGES}, not ${s.maxEntries}`;
  if ((s.mapFlags & BPF_F_MMAPABLE) === 0) return `${mapTypeName(s.type)} needs map_flags BPF_F_MMAPABLE`;
  if ((s.mapFlags & NO_USER_CONV) !== 0) return `${mapTypeName(s.type)} with BPF_F_NO_USER_CONV is not supported`;
  if ((s.mapFlags & ~ARENA_FLAGS) !== 0) return `${mapTypeName(s.type)}: map_flags 0x${s.mapFlags.toString(16)} has bits an arena does not take`;
  if (extra % 4096 !== 0) return `${mapTypeName(s.type)}: map_extra 0x${extra.toString(16)} (the user address) is not page-aligned`;
  if (extra !== 0 && extra < 2 ** 32) return `${mapTypeName(s.type)}: map_extra 0x${extra.toString(16)} is below 4 GiB, which scxlab does not model (its own addresses live there)`;
  if (extra + s.maxEntries * 4096 > USER_SPACE_END) return `${mapTypeName(s.type)}: map_extra 0x${extra.toString(16)} plus ${s.maxEntries} pages is not a user-space address range`;
  if (Math.floor(extra / 2 ** 32) !== Math.floor((extra + s.maxEntries * 4096 - 1) / 2 ** 32)) return `${mapTypeName(s.type)}: the range at map_extra 0x${extra.toString(16)} crosses a 4 GiB boundary`;
  return undefined;
}

/** A ring buffer takes no key or value; its size is a power-of-2 number of pages (ringbuf_map_alloc). */
function checkRingBuf(s: BpfMapSpec): string | undefined {
  if (s.keySize !== 0 || s.valueSize !== 0) return `${mapTypeName(s.type)} takes no key or value (key_size and value_size 0)`;
  const n = s.maxEntries;
  if (n < RINGBUF_PAGE || n > MAX_ARRAY_BYTES || (n & (n - 1)) !== 0) return `${mapTypeName(s.type)} needs max_entries a power of 2 from ${RINGBUF_PAGE} to ${MAX_ARRAY_BYTES} bytes, not ${n}`;
  return undefined;
}

/** PAGE_SIZE, the ring's unit. */
const RINGBUF_PAGE = 4096;
