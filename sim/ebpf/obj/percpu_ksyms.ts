/**
 * Typed per-CPU kernel variables (`extern int sd_llc_id __ksym __weak`) that scxlab's kernel has:
 * one read-only copy per CPU, reached through bpf_per_cpu_ptr / bpf_this_cpu_ptr as on the
 * kernel. The copies of a variable lie back to back from its handle, so `&var + cpu` over a
 * pointer-sized variable (how scx_lavd's update_effective_capacity reads cpufreq_cpu_data with
 * bpf_probe_read_kernel) finds the same copy as bpf_per_cpu_ptr. Variables not listed here stay
 * absent (a weak one reads as NULL, as on a kernel built without them).
 *
 * - `sd_llc_id`, `sd_llc_size` (int): what kernel/sched/topology.c's update_top_cache_domain
 *   gives them: the first CPU of the CPU's LLC, and how many CPUs share it. The scx family reads
 *   the LLC topology this way (scx/percpu.bpf.h's cpu_llc_id).
 * - `__preempt_count` (int): 0, except that the glue sets the hard-IRQ count of the CPU a
 *   timer interrupt's wakeup runs on (sim/ebpf/scx/preempt_count.ts).
 * - `runqueues` (struct rq of the kernel model): `cpu` is set here; the clocks that scx's
 *   scx_clock_task()/scx_clock_pelt() read are kept by the glue (sim/ebpf/scx/rq_clocks.ts);
 *   the model's other rq members read 0.
 * - `cpufreq_cpu_data` (struct cpufreq_policy *): NULL on every CPU. scxlab's CPUs have no
 *   cpufreq policy object (their frequency is the governor model's), as on a machine whose
 *   frequency firmware controls; the kernel's readers test for NULL, and what they would read
 *   from a policy (scaling_max_freq below cpuinfo.max_freq) has no counterpart here.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { Btf } from "./btf_types.js";
import { essentialName } from "./core_spec.js";
import { KERNEL_BTF } from "./kernel_btf.js";

/** What the values come from: the machine's CPUs and their LLCs. */
export interface PercpuTopology {
  readonly nrCpus: number;
  llcOf(cpu: number): number;
}

interface PercpuVar {
  /** The kernel's type, in C, for the refusal of another declaration. */
  readonly kernelType: string;
  /** Bytes of one CPU's copy. */
  readonly size: number;
  /** Whether the object's declared type (resolved) is the kernel's. */
  matches(btf: Btf, typeId: number): boolean;
  /** Fill CPU `cpu`'s copy at `at` (zeroed before). */
  fill(memory: BpfMemory, at: BpfAddr, topo: PercpuTopology, cpu: number): void;
}

function firstOfLlc(topo: PercpuTopology, cpu: number): number {
  const llc = topo.llcOf(cpu);
  for (let c = 0; c < topo.nrCpus; c++) if (topo.llcOf(c) === llc) return c;
  return cpu;
}

function llcSize(topo: PercpuTopology, cpu: number): number {
  const llc = topo.llcOf(cpu);
  let n = 0;
  for (let c = 0; c < topo.nrCpus; c++) if (topo.llcOf(c) === llc) n++;
  return n;
}

function intVar(valueOf: (topo: PercpuTopology, cpu: number) => number): PercpuVar {
  return {
    kernelType: "a per-CPU int",
    size: 4,
    matches: (btf, id) => btf.resolved(id).kind === "int" && btf.sizeOf(id) === 4,
    fill: (memory, at, topo, cpu) => { memory.i32[at >> 2] = valueOf(topo, cpu); },
  };
}

/** A struct of the kernel model, matched by name as CO-RE does (a `___flavor` suffix ignored). */
function isStruct(btf: Btf, id: number, name: string): boolean {
  const t = btf.resolved(id);
  return t.kind === "struct" && essentialName(t.name) === name;
}

const RQ_SIZE = KERNEL_BTF.sizeOf(KERNEL_BTF.find("struct", "rq")!);
const RQ_CPU = (() => {
  const t = KERNEL_BTF.resolved(KERNEL_BTF.find("struct", "rq")!);
  return t.kind === "struct" ? t.members.find((m) => m.name === "cpu")!.bitOffset / 8 : 0;
})();

/** The modelled variables. */
const MODELLED: ReadonlyMap<string, PercpuVar> = new Map([
  ["sd_llc_id", intVar(firstOfLlc)],
  ["sd_llc_size", intVar(llcSize)],
  ["__preempt_count", intVar(() => 0)],
  ["runqueues", {
    kernelType: "a per-CPU struct rq",
    size: RQ_SIZE,
    matches: (btf, id) => isStruct(btf, id, "rq"),
    fill: (memory, at, _topo, cpu) => { memory.i32[(at + RQ_CPU) >> 2] = cpu; },
  }],
  ["cpufreq_cpu_data", {
    kernelType: "a per-CPU struct cpufreq_policy *",
    size: 8,
    matches: (btf, id) => { const t = btf.resolved(id); return t.kind === "ptr" && isStruct(btf, t.type, "cpufreq_policy"); },
    fill: () => undefined,
  }],
]);

/** Whether scxlab's kernel has the per-CPU variable `name`. */
export function isModelledPercpu(name: string): boolean {
  return MODELLED.has(name);
}

/**
 * Why the object's declaration of per-CPU variable `name` (its type id) cannot link, or
 * undefined when it is the kernel's type.
 */
export function percpuDeclError(name: string, btf: Btf, typeId: number): string | undefined {
  const v = MODELLED.get(name);
  if (v === undefined || v.matches(btf, typeId)) return undefined;
  return `kernel variable ${name} is ${v.kernelType} in the kernel; the object declares it as ${btf.describe(typeId)}`;
}

/** One object's per-CPU kernel variables, laid out and filled in BpfMemory. */
export class PercpuKsyms {
  private readonly byName = new Map<string, BpfAddr>();
  private readonly sizes = new Map<BpfAddr, number>();

  constructor(memory: BpfMemory, private readonly nrCpus: number, names: Iterable<string>, topo: PercpuTopology) {
    for (const name of names) {
      const v = MODELLED.get(name);
      if (v === undefined) continue;
      const stride = v.size;
      const base = memory.alloc(nrCpus * stride, { name: `per-cpu ${name}`, writable: false, kind: "kernel_object" });
      for (let c = 0; c < nrCpus; c++) v.fill(memory, base + c * stride, topo, c);
      this.byName.set(name, base);
      this.sizes.set(base, stride);
    }
  }

  /** What `&name` links to: the per-CPU variable's handle (CPU 0's copy), or undefined. */
  addrOf(name: string): BpfAddr | undefined {
    return this.byName.get(name);
  }

  /** bpf_per_cpu_ptr(addr, cpu): CPU `cpu`'s copy, or 0 (NULL) for an unknown handle or a CPU out of range. */
  ptr(addr: BpfAddr, cpu: number): BpfAddr {
    const stride = this.sizes.get(addr);
    if (stride === undefined || !(cpu >= 0 && cpu < this.nrCpus)) return 0;
    return addr + cpu * stride;
  }
}
