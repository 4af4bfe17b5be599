/**
 * Typed per-CPU kernel variables (sim/ebpf/obj/percpu_ksyms.ts): an object's
 * `extern int sd_llc_id __ksym` has a handle, bpf_per_cpu_ptr gives each CPU's copy (NULL past
 * the last CPU) and bpf_this_cpu_ptr the running CPU's, with the values of
 * kernel/sched/topology.c's update_top_cache_domain: sd_llc_id the first CPU of the LLC,
 * sd_llc_size the CPUs sharing it. What scx/percpu.bpf.h's cpu_llc_id() reads (upstream
 * scx_bpfland's cpus_share_cache, beerland, cosmos). Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import type { BpfObject } from "../../sim/ebpf/obj/index.js";
import { hog, plan } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology, resolveTopology, type Topology } from "../../sim/topology.js";
import { BpfObjectError } from "../../sim/ebpf/obj/errors.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

function readVar(obj: BpfObject, name: string, index = 0, size = 8): number {
  const v = obj.globals.find((g) => g.name === name);
  if (v === undefined) throw new Error(`no global ${name}`);
  const b = obj.varBytes(v).slice(index * size, index * size + size);
  let n = 0n;
  for (let i = size - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return Number(BigInt.asIntN(size * 8, n));
}

function run(topology: Topology) {
  const bytes = compileBpf("eng_percpu.bpf.c");
  const m = machine(plan([hog("h", 0, { instances: topology.nrCpus })]), { topology, durationNs: 20 * MS });
  let inst: BpfSchedulerInstance | undefined;
  attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_percpu.bpf.o", {}, scx)).ops);
  m.runFor(20 * MS);
  expect(m.result().scx.exit).toBeNull();
  const obj = inst!.object;
  const n = topology.nrCpus;
  return {
    obj,
    ids: Array.from({ length: n }, (_, c) => readVar(obj, "llc_id", c, 4)),
    sizes: Array.from({ length: n }, (_, c) => readVar(obj, "llc_size", c, 4)),
  };
}

describe.runIf(clangTestsEnabled())("per-CPU kernel variables: sd_llc_id and sd_llc_size through bpf_per_cpu_ptr", () => {
  it("on 2s-2llc-8c-smt each CPU's copy names its LLC by its first CPU and counts its CPUs", () => {
    const topo = resolveTopology("2s-2llc-8c-smt");
    const { obj, ids, sizes } = run(topo);
    expect(readVar(obj, "nr_absent")).toBe(0);
    expect(new Set(ids).size).toBe(topo.nrLlcs);
    for (let c = 0; c < topo.nrCpus; c++) {
      const same = [...Array(topo.nrCpus).keys()].filter((d) => topo.llcOf[d] === topo.llcOf[c]);
      expect({ c, id: ids[c], size: sizes[c] }).toEqual({ c, id: same[0], size: same.length });
    }
    // 64 slots scanned, the CPUs past the machine's last answer NULL
    expect(readVar(obj, "nr_null_beyond")).toBe(64 - topo.nrCpus);
    expect(readVar(obj, "nr_this_cpu_match")).toBeGreaterThan(0);
    expect(readVar(obj, "nr_this_cpu_miss")).toBe(0);
  });

  it("on a flat machine every CPU shares one LLC led by CPU 0", () => {
    const { ids, sizes } = run(flatTopology(3));
    expect(ids).toEqual([0, 0, 0]);
    expect(sizes).toEqual([3, 3, 3]);
  });

  it("a per-CPU variable declared with another type than the kernel's int is refused at load", () => {
    const bytes = compileBpf("eng_percpu.bpf.c", ["-DBAD_TYPE"]);
    const m = machine(plan([hog("h")]), { cpus: 1 });
    expect(() => instantiateBpfScheduler(bytes, "bad.bpf.o", {}, m.scxApi)).toThrow(BpfObjectError);
    expect(() => instantiateBpfScheduler(bytes, "bad.bpf.o", {}, m.scxApi)).toThrow(/sd_llc_id is a per-CPU int in the kernel/);
  });
});
