/**
 * The scx_p2dq loader recipe (sched-ext/scx scheds/rust/scx_p2dq/src/lib.rs init_open_skel! /
 * init_skel!, and rust/scx_arena's ArenaLib::setup), as a plan and a user-space setup run
 * against a recording stand-in for the object; and the per-object folding of DSQ ids the TS API
 * cannot hold (p2dq's `1 << 60 | llc`).
 */
import { describe, expect, it } from "vitest";
import { planRecipe, recipeFor } from "../../sim/ebpf/recipes/index.js";
import type { RecipeIo, RecipeMachine } from "../../sim/ebpf/recipes/recipe.js";
import { wideDsqMapper } from "../../sim/ebpf/scx/wide_dsq.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_USER_MAX } from "../../sim/ext/consts.js";
import { ArenaMap } from "../../sim/ebpf/maps/arena.js";
import { BPF_F_MMAPABLE, BPF_MAP_TYPE_ARENA } from "../../sim/ebpf/maps/map_types.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";

/** 2 LLCs of 2 SMT cores each (8 CPUs), one node: CPU c's sibling is c ^ 1. */
const twoLlc: RecipeMachine = {
  nrCpus: 8, nrNodes: 1, nrLlcs: 2, sibling: (c) => c ^ 1, llc: (c) => c >> 2, node: () => 0, capacity: () => 1024,
};
const oneLlc: RecipeMachine = { ...twoLlc, nrLlcs: 1, sibling: () => -1, llc: () => 0 };

const value = (rows: readonly (readonly [string, unknown])[], name: string): unknown => rows.find(([n]) => n === name)?.[1];

describe("p2dq loader recipe (scx_p2dq lib.rs, scx_arena arenalib.rs)", () => {
  const r = recipeFor("p2dq")!;

  it("HardwareProfile's single-LLC tuning: pick-two off and min_llc_runs_pick2 0 on one LLC, log2(LLCs) otherwise", () => {
    const one = planRecipe(r, oneLlc, {}).plan.rodata;
    expect(value(one, "lb_config.single_llc_mode")).toBe(true);
    expect(value(one, "lb_config.dispatch_pick2_disable")).toBe(true);
    expect(value(one, "lb_config.min_llc_runs_pick2")).toBe(0);
    const two = planRecipe(r, twoLlc, {}).plan.rodata;
    expect(value(two, "lb_config.single_llc_mode")).toBe(false);
    expect(value(two, "lb_config.dispatch_pick2_disable")).toBe(false);
    expect(value(two, "lb_config.min_llc_runs_pick2")).toBe(1);
    expect(value(two, "topo_config.nr_llcs")).toBe(2);
    expect(value(two, "topo_config.smt_enabled")).toBe(true);
  });

  it("DSQ slices: upstream's -t default 500/2500/5000 µs, max_exec_ns twice the last; a bad table is refused in one line", () => {
    const p = planRecipe(r, twoLlc, {}).plan;
    expect(p.data?.filter(([n]) => n.startsWith("dsq_time_slices"))).toEqual([["dsq_time_slices[0]", 500_000], ["dsq_time_slices[1]", 2_500_000], ["dsq_time_slices[2]", 5_000_000]]);
    expect(value(p.rodata, "timeline_config.max_exec_ns")).toBe(10_000_000);
    expect(() => planRecipe(r, twoLlc, { dsq_time_slices: "500,400,600" })).toThrow("DSQ time slices must be in increasing order");
    expect(() => planRecipe(r, twoLlc, { dsq_time_slices: "500,600" })).toThrow("got 2 need 3");
    expect(() => planRecipe(r, twoLlc, { init_dsq_index: "3" })).toThrow("Invalid init_dsq_index 3");
  });

  it(".bss topology: each CPU's LLC, node and SMT core, and the LLC ids", () => {
    const d = planRecipe(r, twoLlc, {}).plan.data!;
    expect(value(d, "cpu_llc_ids[5]")).toBe(1);
    expect(value(d, "cpu_core_ids[5]")).toBe(2); // cores {0,1} {2,3} {4,5} {6,7}
    expect(value(d, "llc_ids[1]")).toBe(1);
  });

  it("ArenaLib setup: arena_init with the task context size, the fan-out, then masks for the machine, nodes, LLCs, cores and CPUs", () => {
    const p = planRecipe(r, twoLlc, {}).plan;
    const calls: string[] = [];
    const written = new Map<number, bigint[]>();
    let next = 0x1000;
    const io: RecipeIo = {
      structSize: (name) => (name === "task_p2dq" ? 344 : 0),
      run: (prog, ctx) => {
        const dv = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength);
        if (prog === "arena_alloc_mask") {
          const out = new Uint8Array(8);
          new DataView(out.buffer).setBigUint64(0, BigInt(next), true);
          next += 0x100;
          return { ret: 0, ctx: out };
        }
        if (prog === "arena_topology_init") calls.push(`${prog} ${[0, 1, 2, 3, 4].map((i) => dv.getUint32(4 * i, true)).join(",")}`);
        else if (prog === "arena_topology_node_init") calls.push(`${prog} ${written.get(Number(dv.getBigUint64(0, true)))!.map((w) => w.toString(16)).join("/")} id ${dv.getBigUint64(16, true)}`);
        else calls.push(`${prog} ${dv.getBigUint64(0, true)} ${dv.getBigUint64(8, true)}`);
        return { ret: 0, ctx };
      },
      writeArena: (addr, bytes) => {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        written.set(addr, Array.from({ length: bytes.length / 8 }, (_, i) => dv.getBigUint64(8 * i, true)));
      },
    };
    p.setup!(io);
    expect(calls.slice(0, 5)).toEqual([
      "arena_init 8 344",
      "arena_topology_init 1,2,2,2,0",
      "arena_topology_node_init ff id 0", // the machine
      "arena_topology_node_init ff id 0", // node 0
      "arena_topology_node_init f id 0", // LLC 0
    ]);
    expect(calls).toContain("arena_topology_node_init f0 id 1"); // LLC 1
    expect(calls).toContain("arena_topology_node_init c id 1"); // core 1: CPUs 2-3
    expect(calls[calls.length - 1]).toBe("arena_topology_node_init 80/0/0/0/0/0/0/0/0 id 7"); // CPU 7, in ArenaLib's 9-word mask
    expect(calls.length).toBe(2 + 1 + 1 + 2 + 4 + 8);
  });

  it("a failing syscall program stops the setup with the loader's message", () => {
    const p = planRecipe(r, oneLlc, {}).plan;
    const io: RecipeIo = { structSize: () => 8, run: () => ({ ret: -12, ctx: new Uint8Array(16) }), writeArena: () => {} };
    expect(() => p.setup!(io)).toThrow("ArenaLib: arena_init returned -12");
  });
});

describe("DSQ ids above the TS API's user range, folded per object", () => {
  it("each wide id gets its own TS id from the top of the user range, stable for the run; others pass through", () => {
    const map = wideDsqMapper();
    const wide = (llc: number): number => map(llc, 1 << 28); // (1 << 60) | llc
    expect(wide(0)).toBe(SCX_DSQ_USER_MAX - 1);
    expect(wide(1)).toBe(SCX_DSQ_USER_MAX - 2);
    expect(wide(0)).toBe(SCX_DSQ_USER_MAX - 1);
    expect(map(64, 0)).toBe(64);
    expect(map(1, 1 << 31)).toBe(SCX_DSQ_GLOBAL); // SCX_DSQ_GLOBAL keeps its meaning
    expect(wideDsqMapper()(5, 1 << 28)).toBe(SCX_DSQ_USER_MAX - 1); // a new object starts afresh
  });
});

describe("user space writes through the arena mapping (ArenaMap.hostWrite)", () => {
  it("faults untouched pages in, as arena_vm_fault does, and refuses reserved pages and addresses outside", () => {
    const mem = new BpfMemory();
    const a = new ArenaMap({ name: "a", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: 4, mapFlags: BPF_F_MMAPABLE }, mem, 2 ** 44);
    a.hostWrite(2 ** 44 + 4096 - 2, new Uint8Array([1, 2, 3, 4]));
    expect(a.isMapped(0) && a.isMapped(1)).toBe(true);
    expect(mem.readU8(a.at(a.hi, a.lo + 4097, 0, 0))).toBe(4);
    expect(a.allocPages(1)).toBe(2 ** 44 + 2 * 4096); // pages 0-1 are taken now
    expect(a.reservePages(3 * 4096, 1)).toBe(0);
    expect(() => a.hostWrite(2 ** 44 + 3 * 4096, new Uint8Array(1))).toThrow(/reserved page/);
    expect(() => a.hostWrite(2 ** 44 + 4 * 4096, new Uint8Array(1))).toThrow(/outside the arena/);
  });
});
