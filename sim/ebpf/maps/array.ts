/**
 * BPF_MAP_TYPE_ARRAY and PERCPU_ARRAY: `max_entries` values indexed by a u32 key, all existing
 * from creation (zero-filled), never deleted. Each value is its own region of BpfMemory so a
 * program overrunning one element faults instead of reading its neighbour. Values (and per-CPU
 * copies) are allocated on first touch, zero-filled, which is what the kernel starts them as; a
 * big array nobody reads costs nothing.
 */
import { E2BIG, EEXIST, EINVAL } from "../../bpf/errno.js";
import type { BpfAddr, BpfMemory, RegionKind } from "../memory.js";
import { keyFromBytes, copyValue } from "./key.js";
import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, type BpfMapSpec, type KeyedMap } from "./map_types.js";

export class ArrayMap implements KeyedMap {
  readonly storage = "keyed";
  /** Value addresses: element i for CPU c at [i * cpus + c] (cpus = 1 unless per-CPU); 0 = not yet allocated. */
  private readonly addrs: Float64Array;
  private readonly cpus: number;

  constructor(
    readonly spec: BpfMapSpec,
    private readonly mem: BpfMemory,
    readonly percpu: boolean,
    nrCpus: number,
    private readonly region: { kind: RegionKind; writable: boolean; name: string } = { kind: "map_value", writable: true, name: `map ${spec.name}` },
  ) {
    this.cpus = percpu ? nrCpus : 1;
    this.addrs = new Float64Array(spec.maxEntries * this.cpus);
  }

  lookup(keyAddr: BpfAddr, cpu: number): BpfAddr {
    const i = this.mem.readU32(keyAddr);
    if (i >= this.spec.maxEntries) return 0;
    return this.at(i, this.percpu ? cpu : 0);
  }

  lookupPercpu(keyAddr: BpfAddr, cpu: number): BpfAddr {
    if (!this.percpu || cpu < 0 || cpu >= this.cpus) return 0;
    const i = this.mem.readU32(keyAddr);
    return i >= this.spec.maxEntries ? 0 : this.at(i, cpu);
  }

  update(keyAddr: BpfAddr, valueAddr: BpfAddr, flags: number, cpu: number): number {
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
    const i = this.mem.readU32(keyAddr);
    if (i >= this.spec.maxEntries) return -E2BIG;
    if ((flags & ~BPF_F_LOCK) === BPF_NOEXIST) return -EEXIST;
    copyValue(this.mem, this.at(i, this.percpu ? cpu : 0), valueAddr, this.spec.valueSize);
    return 0;
  }

  delete(): number {
    return -EINVAL;
  }

  lookupKey(key: Uint8Array, cpu: number): BpfAddr {
    if (key.length !== 4) return 0;
    const i = keyFromBytes(key) as number;
    return i >= this.spec.maxEntries ? 0 : this.at(i, this.percpu ? cpu : 0);
  }

  size(): number {
    return this.spec.maxEntries;
  }

  /** The value address of element `i` for `cpu`, allocating a per-CPU copy on first touch. */
  at(i: number, cpu: number): BpfAddr {
    const slot = i * this.cpus + cpu;
    const a = this.addrs[slot]!;
    if (a !== 0) return a;
    return (this.addrs[slot] = this.alloc(i, cpu));
  }

  private alloc(i: number, cpu: number): BpfAddr {
    const where = this.spec.maxEntries === 1 && !this.percpu ? "" : this.percpu ? `[${i}]@cpu${cpu}` : `[${i}]`;
    return this.mem.alloc(this.spec.valueSize, { name: `${this.region.name}${where}`, writable: this.region.writable, kind: this.region.kind });
  }
}
