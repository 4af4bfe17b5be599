/**
 * What BPF helpers need from their surroundings: the object's maps, the memory, and the few
 * facts of the simulated machine a helper reports (time, CPU, current task, randomness).
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfMapStore } from "../maps/map_types.js";

export interface HelperHost {
  readonly memory: BpfMemory;
  /** The map whose object address a program passed (ld_imm64 src 1), or undefined. */
  mapStoreAt(addr: BpfAddr): BpfMapStore | undefined;
  /** bpf_ktime_get_ns: simulated time. */
  nowNs(): number;
  /** bpf_get_smp_processor_id: the CPU the current callback runs on. */
  cpu(): number;
  /** bpf_get_current_task_btf: the task_struct mirror of the current task, or 0. */
  currentTask(): BpfAddr;
  /** bpf_per_cpu_ptr: CPU `cpu`'s copy of the per-CPU kernel variable whose handle is `addr`, or 0. */
  percpuPtr(addr: BpfAddr, cpu: number): BpfAddr;
  /** bpf_get_prandom_u32, from the run's seeded stream. */
  randomU32(): number;
  /** bpf_printk / bpf_trace_printk output (one formatted line). */
  printk(line: string): void;
  /** BPF timers, as sim/ext's Scx timers: create once, then (re-)arm and cancel by id. */
  timerCreate(fire: () => void): number;
  timerStart(id: number, delayNs: number): void;
  timerCancel(id: number): void;
  /** bpf_spin_lock / bpf_spin_unlock (SpinLocks): 0, or a throw for a misuse. */
  spinLock(addr: BpfAddr): number;
  spinUnlock(addr: BpfAddr): number;
  /** Run a BPF callback the kernel starts on its own (a timer's), under the lock rules of a program run. */
  runCallback(name: string, fn: () => void): void;
}
