/**
 * BPF_MAP_TYPE_ARRAY_OF_MAPS: an array whose elements are other maps. A lookup returns the inner
 * map itself (the address standing for it), which the program then passes to map helpers. The
 * slots are filled at load from the definition's `.values` initialiser; programs cannot change
 * them (the verifier forbids updates from BPF).
 */
import { EINVAL } from "../../bpf/errno.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { keyFromBytes } from "./key.js";
import type { BpfMapSpec, KeyedMap } from "./map_types.js";

export class MapArray implements KeyedMap {
  readonly storage = "keyed";
  readonly percpu = false;
  private readonly inner: Float64Array;

  constructor(
    readonly spec: BpfMapSpec,
    private readonly mem: BpfMemory,
  ) {
    this.inner = new Float64Array(spec.maxEntries);
  }

  /** Put the map standing at `mapAddr` in slot `i` (load time). */
  setInner(i: number, mapAddr: BpfAddr): void {
    if (i < 0 || i >= this.spec.maxEntries) throw new RangeError(`map ${this.spec.name}: slot ${i} is out of range`);
    this.inner[i] = mapAddr;
  }

  lookup(keyAddr: BpfAddr): BpfAddr {
    const i = this.mem.readU32(keyAddr);
    return i < this.spec.maxEntries ? this.inner[i]! : 0;
  }

  lookupPercpu(): BpfAddr {
    return 0;
  }

  update(): number {
    return -EINVAL;
  }

  delete(): number {
    return -EINVAL;
  }

  lookupKey(key: Uint8Array): BpfAddr {
    if (key.length !== 4) return 0;
    const i = keyFromBytes(key) as number;
    return i < this.spec.maxEntries ? this.inner[i]! : 0;
  }

  size(): number {
    return this.inner.reduce((n, a) => n + (a !== 0 ? 1 : 0), 0);
  }
}
