import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, loadBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { RecipeError, planRecipe, recipeFor } from "../../sim/ebpf/recipes/index.js";
import type { RecipeMachine } from "../../sim/ebpf/recipes/recipe.js";
import type { BpfObject } from "../../sim/ebpf/obj/index.js";
import { BpfObjectError } from "../../sim/ebpf/obj/errors.js";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology, resolveTopology } from "../../sim/topology.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

/** A global's value as an unsigned integer (index: an array element of `size` bytes). */
function readVar(obj: BpfObject, name: string, index = 0, size = 8): bigint {
  const v = obj.globals.find((g) => g.name === name);
  if (v === undefined) throw new Error(`no global ${name}`);
  const b = obj.varBytes(v).slice(index * size, index * size + size);
  let n = 0n;
  for (let i = size - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function flatMachine(n: number, over: Partial<RecipeMachine> = {}): RecipeMachine {
  return { nrCpus: n, nrNodes: 1, nrLlcs: 1, sibling: () => -1, llc: () => 0, node: () => 0, capacity: () => 1024, ...over };
}

describe("loader recipes: the user-space halves, as plans", () => {
  it("central: both per-CPU arrays resized to the machine, nr_cpu_ids and central_cpu written; a CPU beyond the machine is refused", () => {
    const r = recipeFor("central")!;
    const { plan: p } = planRecipe(r, flatMachine(6), { "central-cpu": "2", slice_us: "5000" });
    expect(p.resize).toEqual([["cpu_gimme_task", 6], ["cpu_started_at", 6]]);
    expect(p.rodata).toEqual([["central_cpu", 2], ["nr_cpu_ids", 6], ["slice_ns", 5_000_000]]);
    expect(() => planRecipe(r, flatMachine(4), { central_cpu: "4" })).toThrow("option central_cpu: CPU 4 is beyond the machine's 4 CPUs");
  });

  it("nest: nr_cpus and the sampling cadence always, the tunables only when given; other options pass through as .rodata names", () => {
    const r = recipeFor("nest")!;
    const base = planRecipe(r, flatMachine(8), {});
    expect(base.plan.rodata).toEqual([["nr_cpus", 8], ["sampling_cadence_ns", 2_000_000_000], ["slice_ns", 20_000_000]]);
    const set = planRecipe(r, flatMachine(8), { delay_us: "3", find_fully_idle: "true", r_max: "9" });
    expect(set.plan.rodata).toContainEqual(["p_remove_ns", 3000]);
    expect(set.plan.rodata).toContainEqual(["find_fully_idle", true]);
    expect(set.rest).toEqual({ r_max: "9" });
    expect(() => planRecipe(r, flatMachine(8), { slice_us: "-1" })).toThrow('option slice_us: "-1" is not a non-negative integer');
    // A loader's refusal is its own class: the only error of a recipe shown as the user's bad input.
    expect(() => planRecipe(r, flatMachine(8), { slice_us: "-1" })).toThrow(RecipeError);
    expect(() => planRecipe(recipeFor("central")!, flatMachine(4), { central_cpu: "4" })).toThrow(RecipeError);
  });

  it("tickless: the primary domain defaults to the last CPU by capacity, and start_timer runs after attach on the timer CPU", () => {
    const r = recipeFor("tickless")!;
    const caps = [1024, 512, 1024, 768];
    const { plan: p } = planRecipe(r, flatMachine(4, { capacity: (c) => caps[c]! }), {});
    expect(p.rodata.filter(([n]) => n.startsWith("preferred_cpus"))).toEqual([["preferred_cpus[0]", 0], ["preferred_cpus[1]", 2], ["preferred_cpus[2]", 3], ["preferred_cpus[3]", 1]]);
    const runs = p.syscalls!.map((s) => [s.prog, new Int32Array(s.ctx.slice().buffer)[0], s.cpu, s.afterAttach === true]);
    expect(runs).toEqual([["enable_primary_cpu", -1, 1, false], ["enable_primary_cpu", 1, 1, false], ["start_timer", 1, 1, true]]);
  });

  it("bpfland: SMT siblings go through enable_sibling_cpu only when the machine has SMT; a bad --primary-domain is one line", () => {
    const r = recipeFor("bpfland")!;
    const flat = planRecipe(r, flatMachine(2), {}).plan;
    expect(flat.syscalls!.map((s) => s.prog)).toEqual(["enable_primary_cpu", "enable_primary_cpu", "enable_primary_cpu"]);
    const smt = planRecipe(r, flatMachine(2, { sibling: (c) => 1 - c }), {}).plan;
    expect(smt.syscalls!.filter((s) => s.prog === "enable_sibling_cpu")).toHaveLength(2);
    expect(smt.rodata).toContainEqual(["smt_enabled", true]);
    expect(planRecipe(r, flatMachine(2, { sibling: (c) => 1 - c }), { disable_smt: "true" }).plan.rodata).toContainEqual(["smt_enabled", false]);
    expect(() => planRecipe(r, flatMachine(2), { primary_domain: "7-9" })).toThrow('option primary_domain: "7-9" is not');
  });
});

describe.runIf(clangTestsEnabled())("a recipe prepares a compiled object (eng_family takes bpfland's ops name)", () => {
  const run = (topology: ReturnType<typeof flatTopology>, options: Record<string, string>) => {
    const bytes = compileBpf("eng_family.bpf.c");
    const p = plan([poisson("req", 2000, 800), hog("h", 0, { instances: 3 })]);
    const m = machine(p, { topology, durationNs: 300 * MS, seed: 5 });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_family.bpf.o", options, scx)).ops);
    m.runToEnd();
    return { r: m.result(0), obj: inst!.object, lost: m.invariants().lost, topology };
  };

  it("on 2x8-smt: .rodata from the machine, the syscall programs' domains, and the family kfuncs all used with nothing lost", () => {
    const topo = resolveTopology("2x8-smt");
    const { r, obj, lost } = run(topo, {});
    expect(r.scx.exit).toBeNull();
    expect(lost).toBe(0);
    expect(readVar(obj, "slice_max")).toBe(1_000_000n);
    expect(readVar(obj, "smt_enabled", 0, 1)).toBe(1n);
    expect(readVar(obj, "primary_all", 0, 1)).toBe(1n);
    expect(readVar(obj, "primary_resets")).toBe(1n);
    expect(readVar(obj, "primary_mask")).toBe((1n << 16n) - 1n);
    expect(readVar(obj, "sibling_calls")).toBe(16n);
    for (let c = 0; c < 16; c++) expect(Number(BigInt.asIntN(32, readVar(obj, "sibling_of", c, 4)))).toBe(topo.sibling[c]);
    for (const n of ["nr_select_and", "nr_peek", "nr_moved", "nr_moved_vtime", "nr_curr_match", "nr_percpu_null", "nr_node_masks"]) {
      expect(readVar(obj, n), n).toBeGreaterThan(0n);
    }
    expect(readVar(obj, "nr_move_stale")).toBe(readVar(obj, "nr_moved_vtime"));
    // the statistics in .bss are the run's scheduler events
    expect(r.scx.events.nr_moved).toBe(Number(readVar(obj, "nr_moved")));
  });

  it("-o takes upstream option names (dashes or underscores) and plain .rodata names; a bad value names the option", () => {
    expect(readVar(run(flatTopology(2), { "slice-us": "3000" }).obj, "slice_max")).toBe(3_000_000n);
    const flat = run(flatTopology(2), { slice_us_lag: "5", throttle_ns: "9" }).obj;
    expect([readVar(flat, "slice_lag"), readVar(flat, "throttle_ns"), readVar(flat, "smt_enabled", 0, 1), readVar(flat, "sibling_calls")]).toEqual([5000n, 9n, 0n, 0n]);
    const bytes = compileBpf("eng_family.bpf.c");
    expect(() => loadBpfScheduler(bytes, "eng_family.bpf.o", { sticky_tasks: "maybe" })).toThrow(BpfObjectError);
    expect(() => loadBpfScheduler(bytes, "eng_family.bpf.o", { sticky_tasks: "maybe" })).toThrow('eng_family.bpf.o: option sticky_tasks: "maybe" is not true/false');
    // an unknown name lists the loader's upstream options first, then the plain .rodata variables
    expect(() => loadBpfScheduler(bytes, "eng_family.bpf.o", { slice: "1" }))
      .toThrow(/^eng_family\.bpf\.o: unknown option slice; the bpfland loader's options: slice_us, slice_min_us, .*primary_domain.*; or a \.rodata variable: .*slice_max/);
  });

  it("a loader syscall program that fails fails the load with one line naming it", () => {
    const bytes = compileBpf("eng_family.bpf.c");
    const m = machine(plan([hog("h")]), { topology: resolveTopology("2x8-smt"), durationNs: 1 * MS });
    let err: unknown;
    try { instantiateBpfScheduler(bytes, "eng_family.bpf.o", { fail_sibling: true }, m.scxApi); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(BpfObjectError);
    expect((err as Error).message).toBe(`eng_family.bpf.o: the loader's enable_sibling_cpu(0, ${resolveTopology("2x8-smt").sibling[0]}) returned -22`);
  });

  it("an object without a recipe loads with one warning and its compiled defaults", () => {
    const f = loadBpfScheduler(compileBpf("eng_simple.bpf.c"), "eng_simple.bpf.o", {});
    expect(f.warnings).toEqual(['no loader recipe for sched_ext_ops "eng_simple": it runs with its compiled .rodata defaults']);
    expect(loadBpfScheduler(compileBpf("eng_family.bpf.c"), "eng_family.bpf.o", {}).warnings).toEqual([]);
  });
});
