/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots that user space fills with perf event file descriptors
 * (hardware counters, one per CPU) and programs read through bpf_perf_event_read_value. The
 * simulated machine has no performance counters, so no slot ever holds an event and every read
 * answers -ENOENT, as the kernel does for an empty slot.
 */
import { E2BIG, ENOENT } from "../../bpf/errno.js";
import type { BpfMapSpec, PerfEventArrayStore } from "./map_types.js";

/** BPF_F_INDEX_MASK / BPF_F_CURRENT_CPU of the perf event helpers' flags. */
const INDEX_MASK = 0xffffffff;

export class PerfEventArray implements PerfEventArrayStore {
  readonly storage = "perf_event";

  constructor(readonly spec: BpfMapSpec) {}

  read(flags: number, cpu: number): number {
    const index = flags === INDEX_MASK ? cpu : flags;
    if (index >= this.spec.maxEntries) return -E2BIG;
    return -ENOENT;
  }

  size(): number {
    return 0;
  }
}
