import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, loadBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology, resolveTopology } from "../../sim/topology.js";
import { compileAndLink, compileBpf, linkTestsEnabled } from "./clang.js";

const MS = 1_000_000;
const ENOENT = 2, E2BIG = 7;

/** A global of the object (s32/u32 or 64-bit, signed), or one element of an array of them. */
function global(inst: BpfSchedulerInstance, name: string, index = 0): bigint {
  const v = inst.object.globals.find((x) => x.name === name)!;
  const b = inst.object.varBytes(v);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return /^[su]32/.test(v.typeName) ? BigInt(dv.getInt32(index * 4, true)) : dv.getBigInt64(index * 8, true);
}

describe.runIf(linkTestsEnabled())("two objects linked with bpftool gen object, prepared by the cosmos recipe (eng_link_*.bpf.c)", () => {
  const linked = (): Uint8Array => compileAndLink(["eng_link_main.bpf.c", "eng_link_lib.bpf.c"], "eng_link.bpf.o");

  it("the main object alone is refused with one line saying to link it first", () => {
    expect(() => loadBpfScheduler(compileBpf("eng_link_main.bpf.c"), "eng_link_main.bpf.o", {}))
      .toThrow("eng_link_main.bpf.o: extern function lib_count lives in another BPF object; link the objects first (bpftool gen object), scxlab loads one object");
  });

  it("the linked object runs: the library function is called, the perf event array reads -ENOENT (no counters), -E2BIG past its end", () => {
    const m = machine(plan([poisson("req", 2000, 500), hog("h", 0, { instances: 2 })]), { topology: flatTopology(4), durationNs: 100 * MS, seed: 1 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(linked(), "eng_link.bpf.o", {}, scx)).ops);
    m.runToEnd();
    expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
    expect(m.invariants().lost).toBe(0);
    const i = inst!;
    expect(global(i, "lib_calls")).toBeGreaterThan(100n);
    expect(global(i, "nr_lib")).toBe(global(i, "lib_calls"));
    expect(global(i, "lib_last_read")).toBe(BigInt(-ENOENT));
    expect(global(i, "lib_far_read")).toBe(BigInt(-E2BIG));
    expect(global(i, "lib_plain_read")).toBe(BigInt(-ENOENT)); // bpf_perf_event_read on slot 3
    expect(global(i, "lib_counter_seen")).toBe(0n); // the helper zeroes the buffer on failure
    // every task has an address space of its own (p->mm), never NULL
    expect(global(i, "nr_mm")).toBe(global(i, "lib_calls"));
    // the tracing programs never ran; the loader says so in one line
    expect(global(i, "lib_traced")).toBe(0n);
    expect(i.warnings).toEqual([
      'tracing programs not attached (scxlab runs only struct_ops and syscall programs): lib_switch (SEC("?tp_btf/sched_switch"), autoload off: not loaded, as libbpf leaves it), lib_reg_probe (SEC("fentry/bpf_scx_reg"))',
    ]);
  });

  it("the cosmos recipe: cpu_node_map filled for every CPU, SMT siblings for every CPU (-1 without), a narrower primary domain, slices in ns", () => {
    const topo = resolveTopology("2s-2llc-8c-smt");
    const m = machine(plan([hog("h", 0)]), { topology: topo, durationNs: 5 * MS, seed: 1 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(linked(), "eng_link.bpf.o", { "primary-domain": "0-3", slice_us: "700" }, scx)).ops);
    m.runToEnd();
    const i = inst!;
    const n = topo.nrCpus;
    expect(global(i, "nodes_found")).toBe(BigInt(n));
    let nodeSum = 0;
    for (let c = 0; c < n; c++) nodeSum += topo.nodeOf[c]!;
    expect(global(i, "node_sum")).toBe(BigInt(nodeSum));
    expect(global(i, "nr_sibling")).toBe(BigInt(n));
    expect(global(i, "nr_no_sibling")).toBe(0n);
    expect(Number(global(i, "sibling_of", 0))).toBe(topo.sibling[0]);
    expect(global(i, "nr_primary")).toBe(4n);
    expect(global(i, "primary_mask")).toBe(0xfn);
    expect(global(i, "slice_seen")).toBe(700_000n);
  });

  it("options needing what the simulated machine lacks are refused with one line", () => {
    const bytes = linked();
    expect(() => loadBpfScheduler(bytes, "eng_link.bpf.o", { perf_config: "0x2e" })).toThrow('eng_link.bpf.o: option perf_config: "0x2e" needs hardware performance counters');
    expect(() => loadBpfScheduler(bytes, "eng_link.bpf.o", { polling_ms: "100" })).toThrow("option polling_ms: scxlab does not run cosmos's user-space CPU-utilisation polling loop");
  });
});
