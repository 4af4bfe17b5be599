/**
 * BPF_MAP_TYPE_RINGBUF: records a program reserves, fills and submits (or discards) for user
 * space to read. No scxlab run has a user-space reader, so nothing is ever consumed: each record
 * keeps its room (its size rounded up to 8, plus the kernel's 8-byte record header) until the
 * ring's max_entries bytes are used up, after which reserve answers NULL and output -EAGAIN, as
 * the kernel does when the reader has fallen behind. A reserved record is its own region of
 * BpfMemory; once submitted or discarded it is retired, so a program that keeps using it faults.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfMapSpec, RingBufStore } from "./map_types.js";

/** BPF_RINGBUF_HDR_SZ. */
const HDR = 8;
/** bpf_ringbuf_query flags: BPF_RB_AVAIL_DATA, BPF_RB_RING_SIZE, BPF_RB_CONS_POS, BPF_RB_PROD_POS. */
const RB_AVAIL_DATA = 0, RB_RING_SIZE = 1, RB_CONS_POS = 2, RB_PROD_POS = 3;
const EAGAIN = 11, EINVAL = 22;

export class RingBuf implements RingBufStore {
  readonly storage = "ringbuf";
  /** Bytes taken by records (reserved or committed) since the map was created. */
  private produced = 0;
  /** Submitted records, which user space would read. */
  private submitted = 0;
  private readonly open = new Set<BpfAddr>();

  constructor(readonly spec: BpfMapSpec, private readonly memory: BpfMemory) {}

  reserve(size: number, flags: number): BpfAddr {
    if (flags !== 0 || size <= 0) return 0;
    const room = HDR + Math.ceil(size / 8) * 8;
    if (this.produced + room > this.spec.maxEntries) return 0;
    this.produced += room;
    const at = this.memory.alloc(size, { name: `${this.spec.name} record`, writable: true, kind: "map_value" });
    this.open.add(at);
    return at;
  }

  commit(record: BpfAddr, discard: boolean): boolean {
    if (!this.open.delete(record)) return false;
    this.memory.retire(record);
    if (!discard) this.submitted++;
    return true;
  }

  output(data: BpfAddr, size: number, flags: number): number {
    if ((flags & ~3) !== 0) return -EINVAL;
    this.memory.assertSpan(data, size);
    const at = this.reserve(size, 0);
    if (at === 0) return -EAGAIN;
    this.memory.u8.copyWithin(at, data, data + size);
    this.commit(at, false);
    return 0;
  }

  query(flags: number): number {
    switch (flags) {
      case RB_AVAIL_DATA: case RB_PROD_POS: return this.produced;
      case RB_RING_SIZE: return this.spec.maxEntries;
      case RB_CONS_POS: return 0;
      default: return 0;
    }
  }

  size(): number {
    return this.submitted;
  }
}
