/**
 * BPF map types, flags and the shape every map store shares. Numbers are the kernel's
 * (enum bpf_map_type, BPF_ANY/NOEXIST/EXIST, BPF_F_*); results are 0 or a negated errno.
 */
import type { BpfAddr } from "../memory.js";

export const BPF_MAP_TYPE_HASH = 1;
export const BPF_MAP_TYPE_ARRAY = 2;
export const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
export const BPF_MAP_TYPE_PERCPU_HASH = 5;
export const BPF_MAP_TYPE_PERCPU_ARRAY = 6;
export const BPF_MAP_TYPE_LRU_HASH = 9;
export const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
export const BPF_MAP_TYPE_QUEUE = 22;
export const BPF_MAP_TYPE_RINGBUF = 27;
export const BPF_MAP_TYPE_STACK = 23;
export const BPF_MAP_TYPE_TASK_STORAGE = 29;
export const BPF_MAP_TYPE_CGRP_STORAGE = 32;
export const BPF_MAP_TYPE_ARENA = 33;

/** Names of every kernel map type, for messages ("unsupported map type BPF_MAP_TYPE_RINGBUF"). */
const MAP_TYPE_NAMES = [
  "UNSPEC", "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH", "PERCPU_ARRAY", "STACK_TRACE",
  "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS", "HASH_OF_MAPS", "DEVMAP", "SOCKMAP",
  "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY", "PERCPU_CGROUP_STORAGE", "QUEUE", "STACK",
  "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE", "TASK_STORAGE", "BLOOM_FILTER", "USER_RINGBUF",
  "CGRP_STORAGE", "ARENA",
];

export function mapTypeName(type: number): string {
  const n = MAP_TYPE_NAMES[type];
  return n === undefined ? `map type ${type}` : `BPF_MAP_TYPE_${n}`;
}

// update flags
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;
// map_flags
export const BPF_F_NO_PREALLOC = 1;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_MMAPABLE = 1 << 10;
/** bpf_task_storage_get / bpf_cgrp_storage_get flag. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;

/** What a map is, as created. */
export interface BpfMapSpec {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  /** map_extra (an arena's user address); absent means 0. Exact below 2^53. */
  readonly mapExtra?: number;
}

/**
 * Maps addressed by a key (array, hash and their per-CPU and LRU variants, and array-of-maps,
 * whose lookup returns the inner map's address).
 */
export interface KeyedMap {
  readonly storage: "keyed";
  readonly spec: BpfMapSpec;
  readonly percpu: boolean;
  /** bpf_map_lookup_elem: the value for the key at `keyAddr` (this CPU's copy for per-CPU maps), or 0. */
  lookup(keyAddr: BpfAddr, cpu: number): BpfAddr;
  /** bpf_map_update_elem from a program (per-CPU maps: this CPU's copy). 0 or -errno. */
  update(keyAddr: BpfAddr, valueAddr: BpfAddr, flags: number, cpu: number): number;
  /** bpf_map_delete_elem. 0 or -errno. */
  delete(keyAddr: BpfAddr): number;
  /** bpf_map_lookup_percpu_elem: `cpu`'s copy, or 0 (also 0 for maps that are not per-CPU). */
  lookupPercpu(keyAddr: BpfAddr, cpu: number): BpfAddr;
  /** Host side (tests, user-space readers): the value address for raw key bytes, or 0. */
  lookupKey(key: Uint8Array, cpu: number): BpfAddr;
  /** Host side: number of live entries. */
  size(): number;
}

/** task_storage / cgrp_storage: one value per owner (task or cgroup, by its kernel-object address). */
export interface LocalStorageMap {
  readonly storage: "local";
  readonly spec: BpfMapSpec;
  /** bpf_{task,cgrp}_storage_get: the owner's value, created (from `initAddr` or zeroed) with F_CREATE; else 0. */
  get(owner: BpfAddr, initAddr: BpfAddr, flags: number): BpfAddr;
  /** bpf_{task,cgrp}_storage_delete: 0 or -ENOENT. */
  delete(owner: BpfAddr): number;
  /** The owner went away (task exit, cgroup removal): drop its value silently. */
  forget(owner: BpfAddr): void;
  size(): number;
}

/** queue / stack: values only move in and out by copy. */
export interface QueueMapStore {
  readonly storage: "queue";
  readonly spec: BpfMapSpec;
  /** bpf_map_push_elem: 0, -E2BIG when full (unless BPF_EXIST evicts the oldest), -EINVAL for bad flags. */
  push(valueAddr: BpfAddr, flags: number): number;
  /** bpf_map_pop_elem: copy out and remove; -ENOENT when empty. */
  pop(valueAddr: BpfAddr): number;
  /** bpf_map_peek_elem: copy out; -ENOENT when empty. */
  peek(valueAddr: BpfAddr): number;
  size(): number;
}

/** perf_event_array: perf event slots programs only read through the perf event helpers. */
export interface PerfEventArrayStore {
  readonly storage: "perf_event";
  readonly spec: BpfMapSpec;
  /** bpf_perf_event_read_value on slot `flags` (or this CPU's with BPF_F_CURRENT_CPU): -errno, as no slot holds an event. */
  read(flags: number, cpu: number): number;
  size(): number;
}

/** arena: pages programs allocate and reach through address-space-1 pointers (maps/arena.ts). */
export interface ArenaStore {
  readonly storage: "arena";
  readonly spec: BpfMapSpec;
  /** User address of the arena's first page. */
  readonly userVmStart: number;
  /** Allocated pages. */
  size(): number;
}

/** ringbuf: records reserved and submitted for a user-space reader (maps/ringbuf.ts). */
export interface RingBufStore {
  readonly storage: "ringbuf";
  readonly spec: BpfMapSpec;
  /** bpf_ringbuf_reserve: a writable record of `size` bytes, or 0 (NULL) when the ring is full or flags are set. */
  reserve(size: number, flags: number): BpfAddr;
  /** bpf_ringbuf_submit / bpf_ringbuf_discard of a record this ring handed out; false for any other address. */
  commit(record: BpfAddr, discard: boolean): boolean;
  /** bpf_ringbuf_output: copy `size` bytes at `data` in as one record; 0 or -EAGAIN / -EINVAL. */
  output(data: BpfAddr, size: number, flags: number): number;
  /** bpf_ringbuf_query. */
  query(flags: number): number;
  /** Records submitted. */
  size(): number;
}

export type BpfMapStore = KeyedMap | LocalStorageMap | QueueMapStore | PerfEventArrayStore | ArenaStore | RingBufStore;
