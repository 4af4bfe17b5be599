/**
 * Typed per-CPU kernel variables (`extern int sd_llc_id __ksym __weak`) that scxlab's kernel has:
 * one read-only copy per CPU, reached through bpf_per_cpu_ptr / bpf_this_cpu_ptr as on the
 * kernel. The scx family reads the LLC topology this way (scx/percpu.bpf.h's cpu_llc_id); the
 * values are what kernel/sched/topology.c's update_top_cache_domain gives them: sd_llc_id is the
 * first CPU of the CPU's LLC, sd_llc_size how many CPUs share it. Variables not listed here stay
 * absent (a weak one reads as NULL, as on a kernel built without them).
 */
import type { BpfAddr, BpfMemory } from "../memory.js";

/** What the values come from: the machine's CPUs and their LLCs. */
export interface PercpuTopology {
  readonly nrCpus: number;
  llcOf(cpu: number): number;
}

type ValueOf = (topo: PercpuTopology, cpu: number) => number;

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

/** The modelled variables: each a C `int` per CPU. */
const MODELLED: ReadonlyMap<string, ValueOf> = new Map([
  ["sd_llc_id", firstOfLlc],
  ["sd_llc_size", llcSize],
]);

/** Bytes of each modelled variable (all are `int`). */
export const PERCPU_VAR_SIZE = 4;

/** Whether scxlab's kernel has the per-CPU variable `name`. */
export function isModelledPercpu(name: string): boolean {
  return MODELLED.has(name);
}

/** One object's per-CPU kernel variables, laid out and filled in BpfMemory. */
export class PercpuKsyms {
  private readonly byName = new Map<string, BpfAddr>();
  private readonly bases = new Set<BpfAddr>();

  constructor(memory: BpfMemory, private readonly nrCpus: number, names: Iterable<string>, topo: PercpuTopology) {
    for (const name of names) {
      const valueOf = MODELLED.get(name);
      if (valueOf === undefined) continue;
      const base = memory.alloc(nrCpus * PERCPU_VAR_SIZE, { name: `per-cpu ${name}`, writable: false, kind: "kernel_object" });
      for (let c = 0; c < nrCpus; c++) memory.i32[(base >> 2) + c] = valueOf(topo, c);
      this.byName.set(name, base);
      this.bases.add(base);
    }
  }

  /** What `&name` links to: the per-CPU variable's handle (CPU 0's copy), or undefined. */
  addrOf(name: string): BpfAddr | undefined {
    return this.byName.get(name);
  }

  /** bpf_per_cpu_ptr(addr, cpu): CPU `cpu`'s copy, or 0 (NULL) for an unknown handle or a CPU out of range. */
  ptr(addr: BpfAddr, cpu: number): BpfAddr {
    if (!this.bases.has(addr) || !(cpu >= 0 && cpu < this.nrCpus)) return 0;
    return addr + cpu * PERCPU_VAR_SIZE;
  }
}
