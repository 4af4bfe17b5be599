/**
 * The per-CPU `__preempt_count` an object reads (scx's bpf_experimental.h bpf_in_hardirq(),
 * bpf_in_interrupt(), bpf_in_serving_softirq() through bpf_this_cpu_ptr): the hard-IRQ count of
 * the CPU a callback runs on is 1 while the callback runs inside a timer interrupt's wakeup
 * (Scx.inHardirq: a sleep's timer woke the task), else every count is 0. Preemption-disable,
 * softirq and NMI counts are not modelled.
 */
import type { Scx } from "../../ext/ops.js";
import type { BpfAddr, BpfMemory } from "../memory.js";

/** HARDIRQ_OFFSET: one hard-IRQ level in preempt_count. */
const HARDIRQ_OFFSET = 1 << 16;

export class PreemptCount {
  /** The copy last set to the hard-IRQ count, or -1. */
  private set = -1;

  /** `base`: CPU 0's copy of `__preempt_count` (an int per CPU, back to back). */
  constructor(private readonly memory: BpfMemory, private readonly base: BpfAddr, private readonly scx: Scx) {}

  /** Before a callback: the count as the kernel has it at that point. */
  enter(): void {
    if (this.set >= 0) { this.memory.i32[(this.base >> 2) + this.set] = 0; this.set = -1; }
    if (!this.scx.inHardirq()) return;
    const cpu = this.scx.currentCpu();
    if (!(cpu >= 0 && cpu < this.scx.nrCpus())) return;
    this.memory.i32[(this.base >> 2) + cpu] = HARDIRQ_OFFSET;
    this.set = cpu;
  }
}
