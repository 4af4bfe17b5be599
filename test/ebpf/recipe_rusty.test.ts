/**
 * The scx_rusty loader recipe (sched-ext/scx scheds/rust/scx_rusty/src/main.rs Scheduler::init):
 * one domain per LLC written into `.rodata` (cpu_dom_id_map, dom_cpumasks, dom_numa_id_map,
 * numa_cpumasks), the options, and what it refuses because scxlab does not model it.
 */
import { describe, expect, it } from "vitest";
import { planRecipe, recipeFor } from "../../sim/ebpf/recipes/index.js";
import type { RecipeMachine } from "../../sim/ebpf/recipes/recipe.js";

/** 2 nodes, one LLC each, 4 CPUs per LLC (CPUs 0-3 and 4-7). */
const numa: RecipeMachine = {
  nrCpus: 8, nrNodes: 2, nrLlcs: 2, sibling: () => -1, llc: (c) => c >> 2, node: (c) => c >> 2, capacity: () => 1024,
};

describe("rusty loader recipe (scx_rusty main.rs)", () => {
  const r = recipeFor("rusty")!;
  it("one domain per LLC: each CPU's domain, each domain's mask and node, each node's mask", () => {
    const rows = new Map(planRecipe(r, numa, {}).plan.rodata.map(([k, v]) => [k, v]));
    expect(rows.get("nr_doms")).toBe(2);
    expect(rows.get("nr_nodes")).toBe(2);
    expect(rows.get("nr_cpu_ids")).toBe(8);
    expect(rows.get("cpu_dom_id_map[5]")).toBe(1);
    expect(rows.get("dom_cpumasks[1][0]")).toBe(0xf0n);
    expect(rows.get("numa_cpumasks[0][0]")).toBe(0x0fn);
    expect(rows.get("dom_numa_id_map[1]")).toBe(1);
    expect(rows.get("load_half_life")).toBe(1_000_000_000);
    expect(rows.get("greedy_threshold")).toBe(1);
  });
  it("starts with the kernel's default slice in .bss, as the loader does before its tuner runs", () => {
    expect(planRecipe(r, numa, {}).plan.data).toEqual([["slice_ns", 20_000_000]]);
  });
  it("refuses domains by another cache level, partial switching and the perf governor setting", () => {
    expect(() => planRecipe(r, numa, { cache_level: "2" })).toThrow("option cache_level");
    expect(() => planRecipe(r, numa, { partial: "true" })).toThrow("option partial");
    expect(() => planRecipe(r, numa, { perf: "1024" })).toThrow("option perf");
    expect(() => planRecipe(r, numa, { load_half_life: "0" })).toThrow("option load_half_life");
  });
});
