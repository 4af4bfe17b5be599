/**
 * The scx_lavd loader recipe (sched-ext/scx scheds/rust/scx_lavd/src/cpu_order.rs
 * CpuOrderCtx::build_topo_order, build_cpdom, circular_sort and
 * EnergyModelOptimizer::get_fake_perf_cpu_order_table; main.rs Opts::proc, init_cpus,
 * init_cpdoms and init_globals), as plans for small machines.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { planRecipe, recipeFor } from "../../sim/ebpf/recipes/index.js";
import type { RecipeMachine } from "../../sim/ebpf/recipes/recipe.js";
import { circularSort, computeDomains, lavdCpuOrder } from "../../sim/ebpf/recipes/lavd.js";

/** 2 nodes × 2 LLCs × 2 SMT cores (16 CPUs): CPU c's sibling is c ^ 1, LLC c >> 2, node c >> 3. */
const twoNodes: RecipeMachine = {
  nrCpus: 16, nrNodes: 2, nrLlcs: 4, sibling: (c) => c ^ 1, llc: (c) => c >> 2, node: (c) => c >> 3, capacity: () => 1024,
};
const flat = (n: number): RecipeMachine => ({ nrCpus: n, nrNodes: 1, nrLlcs: 1, sibling: () => -1, llc: () => 0, node: () => 0, capacity: () => 1024 });

const value = (rows: readonly (readonly [string, unknown])[], name: string): unknown => rows.find(([n]) => n === name)?.[1];

describe("lavd loader recipe (scx_lavd cpu_order.rs, main.rs)", () => {
  const r = recipeFor("lavd")!;

  it("circular_sort: the ring's other ids nearest the start first, as cpu_order.rs's example (0: 1 7 2 6 3 5 4; 1: 0 2 3 7 4 6 5)", () => {
    expect(circularSort(0, [1, 2, 3, 4, 5, 6, 7])).toEqual([1, 7, 2, 6, 3, 5, 4]);
    expect(circularSort(1, [0, 2, 3, 4, 5, 6, 7])).toEqual([0, 2, 3, 7, 4, 6, 5]);
    expect(circularSort(7, [0, 1, 2, 3, 4, 5, 6])).toEqual([0, 6, 1, 5, 2, 4, 3]);
  });

  it("circular_sort returns every other id once (property)", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 40 }), (ids) => {
      const [start, ...rest] = ids;
      expect([...circularSort(start!, rest)].sort((a, b) => a - b)).toEqual([...rest].sort((a, b) => a - b));
    }));
  });

  it("build_topo_order: performance takes one thread of every core (node, then LLC) before any second thread; powersave fills core by core", () => {
    expect(lavdCpuOrder(twoNodes, false)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15]);
    expect(lavdCpuOrder(twoNodes, true)).toEqual([...Array(16).keys()]);
  });

  it("build_cpdom: one domain per LLC; neighbours by distance (same node 2, other node 10), each list in circular order", () => {
    const doms = computeDomains(twoNodes);
    expect(doms.map((d) => [d.id, d.node, d.llc, d.cpus])).toEqual([
      [0, 0, 0, [0, 2, 1, 3]], [1, 0, 1, [4, 6, 5, 7]], [2, 1, 2, [8, 10, 9, 11]], [3, 1, 3, [12, 14, 13, 15]],
    ]);
    expect(doms.map((d) => d.neighbours)).toEqual([[[1], [2, 3]], [[0], [2, 3]], [[3], [0, 1]], [[2], [0, 1]]]);
  });

  it("init_cpus: without an energy model two order rows (powersave bound = its first CPU's capacity, performance = the machine's), padded to 11; one row on one CPU", () => {
    const { plan } = planRecipe(r, twoNodes, {});
    expect(value(plan.rodata, "nr_pco_states")).toBe(2);
    expect(value(plan.rodata, "pco_bounds[0]")).toBe(1024);
    expect(value(plan.rodata, "pco_bounds[1]")).toBe(16 * 1024);
    expect(value(plan.rodata, "pco_bounds[10]")).toBe(16 * 1024);
    expect(value(plan.rodata, "pco_table[1][1]")).toBe(2);
    expect(value(plan.rodata, "pco_table[0][1]")).toBe(1);
    expect(value(plan.rodata, "cpu_sibling[3]")).toBe(2);
    expect(value(planRecipe(r, flat(2), {}).plan.rodata, "cpu_sibling[0]")).toBe(0xffffffff);
    expect(value(planRecipe(r, flat(1), {}).plan.rodata, "nr_pco_states")).toBe(1);
  });

  it("init_globals and Opts::proc: upstream's defaults, the autopilot unless a mode is given, conflicting modes refused in one line", () => {
    const d = planRecipe(r, flat(4), {}).plan;
    expect(value(d.rodata, "is_autopilot_on")).toBe(true);
    expect(value(d.rodata, "slice_max_ns")).toBe(5_000_000);
    expect(value(d.rodata, "pinned_slice_ns")).toBe(5_000_000);
    expect(value(d.rodata, "lb_low_util_wall")).toBe(256);
    expect(value(d.rodata, "lb_local_dsq_util_wall")).toBe(102);
    expect(value(d.data ?? [], "no_core_compaction")).toBe(false);
    const perf = planRecipe(r, flat(4), { performance: "true" }).plan;
    expect(value(perf.rodata, "is_autopilot_on")).toBe(false);
    expect(value(perf.data ?? [], "no_core_compaction")).toBe(true);
    expect(() => planRecipe(r, flat(4), { performance: "true", powersave: "true" })).toThrow(/only one power mode/);
    expect(() => planRecipe(r, flat(4), { "pinned-slice-us": "100" })).toThrow(/pinned_slice_us: 100 is not between/);
    expect(() => planRecipe(r, flat(4), { enable_cpu_bw: "true" })).toThrow(/cpu\.max/);
  });
});
