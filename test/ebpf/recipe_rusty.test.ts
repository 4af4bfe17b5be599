/**
 * The scx_rusty loader recipe (sched-ext/scx scheds/rust/scx_rusty/src/main.rs Scheduler::init):
 * one domain per LLC written into `.rodata` (cpu_dom_id_map, dom_cpumasks, dom_numa_id_map,
 * numa_cpumasks), the options, and what it refuses because scxlab does not model it.
 */
import { describe, expect, it } from "vitest";
import { planRecipe, recipeFor } from "../../sim/ebpf/recipes/index.js";
import type { PeriodicIo, RecipeMachine } from "../../sim/ebpf/recipes/recipe.js";

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
  it("tuner.rs Tuner::step every --tune-interval (0.1 s): per-domain utilisation from the CPUs' busy time picks the direct-greedy domains (under 90 %), kick-greedy (100: all), the slice (-o 1 ms once the average reaches 0.99999, else -u 20 ms), and bumps tune_input.genn", () => {
    const step = planRecipe(r, numa, {}).plan.periodic![0]!;
    expect(step.intervalNs).toBe(100_000_000);
    let now = 0;
    const busy = new Array<number>(8).fill(0), out = new Map<string, unknown>();
    const io: PeriodicIo = { now: () => now, cpuBusyNs: (c) => busy[c]!, writeData: (k, v) => { out.set(k, v); } };
    step.start!(io);
    now = 100_000_000;
    for (let c = 0; c < 8; c++) busy[c] = c < 4 ? 100_000_000 : 50_000_000; // domain 0 full, domain 1 at 50 %
    step.step(io);
    expect(out.get("tune_input.direct_greedy_cpumask[0]")).toBe(0xf0n);
    expect(out.get("tune_input.kick_greedy_cpumask[0]")).toBe(0xffn);
    expect(out.get("tune_input.slice_ns")).toBe(20_000_000);
    expect(out.get("tune_input.genn")).toBe(1);
    now = 200_000_000;
    for (let c = 0; c < 8; c++) busy[c]! += 100_000_000 + 5; // everything busy (a CPU's share is capped at 1)
    step.step(io);
    expect(out.get("tune_input.direct_greedy_cpumask[0]")).toBe(0n);
    expect(out.get("tune_input.slice_ns")).toBe(1_000_000);
    expect(out.get("tune_input.genn")).toBe(2);
    expect(planRecipe(r, numa, { tune_interval: "0.25", slice_us_overutil: "500" }).plan.periodic![0]!.intervalNs).toBe(250_000_000);
  });
  it("refuses a tuner period or greedy threshold that is not a number in range", () => {
    expect(() => planRecipe(r, numa, { tune_interval: "0" })).toThrow("option tune_interval");
    expect(() => planRecipe(r, numa, { direct_greedy_under: "101" })).toThrow("option direct_greedy_under");
    expect(() => planRecipe(r, numa, { kick_greedy_under: "x" })).toThrow("option kick_greedy_under");
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
