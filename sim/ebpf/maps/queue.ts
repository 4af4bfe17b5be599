/**
 * BPF_MAP_TYPE_QUEUE and STACK: bounded FIFO / LIFO of values that programs reach only through
 * bpf_map_push_elem / pop_elem / peek_elem, which copy values in and out. So the values live in
 * a private ring buffer, not in BpfMemory.
 */
import { E2BIG, EINVAL, ENOENT } from "../../bpf/errno.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { BPF_EXIST, type BpfMapSpec, type QueueMapStore } from "./map_types.js";

export class QueueMap implements QueueMapStore {
  readonly storage = "queue";
  private readonly ring: Uint8Array;
  /** Index of the oldest value and number of values held. */
  private head = 0;
  private count = 0;

  constructor(
    readonly spec: BpfMapSpec,
    private readonly mem: BpfMemory,
    /** STACK (last in, first out) rather than QUEUE. */
    readonly lifo: boolean,
  ) {
    this.ring = new Uint8Array(spec.maxEntries * spec.valueSize);
  }

  push(valueAddr: BpfAddr, flags: number): number {
    if (flags !== 0 && flags !== BPF_EXIST) return -EINVAL;
    const n = this.spec.maxEntries;
    if (this.count === n) {
      if (flags !== BPF_EXIST) return -E2BIG;
      // Make room by dropping the oldest value, as the kernel does for BPF_EXIST.
      this.head = (this.head + 1) % n;
      this.count--;
    }
    const slot = (this.head + this.count) % n;
    this.ring.set(this.mem.bytes(valueAddr, this.spec.valueSize), slot * this.spec.valueSize);
    this.count++;
    return 0;
  }

  pop(valueAddr: BpfAddr): number {
    const r = this.peek(valueAddr);
    if (r !== 0) return r;
    if (this.lifo) this.count--;
    else { this.head = (this.head + 1) % this.spec.maxEntries; this.count--; }
    return 0;
  }

  peek(valueAddr: BpfAddr): number {
    if (this.count === 0) return -ENOENT;
    const n = this.spec.maxEntries;
    const slot = this.lifo ? (this.head + this.count - 1) % n : this.head;
    const size = this.spec.valueSize;
    if (!this.mem.accessible(valueAddr, 1, true)) throw new RangeError(`map ${this.spec.name}: value pointer ${this.mem.describe(valueAddr)} is not writable`);
    this.mem.bytes(valueAddr, size).set(this.ring.subarray(slot * size, slot * size + size));
    return 0;
  }

  size(): number {
    return this.count;
  }
}
