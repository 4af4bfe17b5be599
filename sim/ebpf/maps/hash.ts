/**
 * BPF_MAP_TYPE_HASH, PERCPU_HASH and LRU_HASH: up to `max_entries` keyed values. Element slots
 * are recycled through a free list (like the kernel's preallocated elements), so after warm-up
 * inserts allocate no BpfMemory. A full hash refuses a new key with -E2BIG; an LRU hash evicts
 * its least recently used key (the JS Map's insertion order, refreshed on every lookup hit).
 */
import { E2BIG, EEXIST, EINVAL, ENOENT } from "../../bpf/errno.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { copyValue, keyFromBytes, readKey, zeroValue, type MapKey } from "./key.js";
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, type BpfMapSpec, type KeyedMap } from "./map_types.js";

export class HashMap implements KeyedMap {
  readonly storage = "keyed";
  private readonly index = new Map<MapKey, number>();
  /** Value addresses per slot and CPU: [slot * cpus + cpu]. */
  private readonly addrs: number[] = [];
  private readonly free: number[] = [];
  private readonly cpus: number;

  constructor(
    readonly spec: BpfMapSpec,
    private readonly mem: BpfMemory,
    readonly percpu: boolean,
    private readonly lru: boolean,
    nrCpus: number,
  ) {
    this.cpus = percpu ? nrCpus : 1;
  }

  lookup(keyAddr: BpfAddr, cpu: number): BpfAddr {
    const slot = this.find(readKey(this.mem, keyAddr, this.spec.keySize));
    return slot < 0 ? 0 : this.addrs[slot * this.cpus + (this.percpu ? cpu : 0)]!;
  }

  lookupPercpu(keyAddr: BpfAddr, cpu: number): BpfAddr {
    if (!this.percpu || cpu < 0 || cpu >= this.cpus) return 0;
    const slot = this.find(readKey(this.mem, keyAddr, this.spec.keySize));
    return slot < 0 ? 0 : this.addrs[slot * this.cpus + cpu]!;
  }

  lookupKey(key: Uint8Array, cpu: number): BpfAddr {
    if (key.length !== this.spec.keySize) return 0;
    const slot = this.find(keyFromBytes(key));
    return slot < 0 ? 0 : this.addrs[slot * this.cpus + (this.percpu ? cpu : 0)]!;
  }

  update(keyAddr: BpfAddr, valueAddr: BpfAddr, flags: number, cpu: number): number {
    const mode = flags & ~BPF_F_LOCK;
    if (flags < 0 || mode > BPF_EXIST || (flags & ~(BPF_F_LOCK | 3)) !== 0) return -EINVAL;
    const key = readKey(this.mem, keyAddr, this.spec.keySize);
    const own = this.percpu ? cpu : 0;
    let slot = this.index.get(key);
    if (slot !== undefined) {
      if (mode === BPF_NOEXIST) return -EEXIST;
      if (this.lru) this.touch(key, slot);
      copyValue(this.mem, this.addrs[slot * this.cpus + own]!, valueAddr, this.spec.valueSize);
      return 0;
    }
    if (mode === BPF_EXIST) return -ENOENT;
    if (this.index.size >= this.spec.maxEntries) {
      if (!this.lru) return -E2BIG;
      const oldest = this.index.keys().next().value!;
      this.free.push(this.index.get(oldest)!);
      this.index.delete(oldest);
    }
    slot = this.take();
    for (let c = 0; c < this.cpus; c++) {
      const a = this.addrs[slot * this.cpus + c]!;
      if (c === own) copyValue(this.mem, a, valueAddr, this.spec.valueSize);
      else zeroValue(this.mem, a, this.spec.valueSize);
    }
    this.index.set(key, slot);
    return 0;
  }

  delete(keyAddr: BpfAddr): number {
    const key = readKey(this.mem, keyAddr, this.spec.keySize);
    const slot = this.index.get(key);
    if (slot === undefined) return -ENOENT;
    this.index.delete(key);
    this.free.push(slot);
    return 0;
  }

  size(): number {
    return this.index.size;
  }

  private find(key: MapKey): number {
    const slot = this.index.get(key);
    if (slot === undefined) return -1;
    if (this.lru) this.touch(key, slot);
    return slot;
  }

  /** Move a key to the most-recently-used end. */
  private touch(key: MapKey, slot: number): void {
    this.index.delete(key);
    this.index.set(key, slot);
  }

  /** A free slot, allocating its value regions the first time. */
  private take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.addrs.length / this.cpus;
    for (let c = 0; c < this.cpus; c++) {
      const where = this.percpu ? `#${slot}@cpu${c}` : `#${slot}`;
      this.addrs.push(this.mem.alloc(this.spec.valueSize, { name: `map ${this.spec.name}${where}`, writable: true, kind: "map_value" }));
    }
    return slot;
  }
}
