import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, loadBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology } from "../../sim/topology.js";
import type { Machine } from "../../sim/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;
// cgroup ids in order of first sight: the root, then cgroup_init's order (parents first, sorted)
const ROOT = 1, X = 2, XY = 3, Z = 4;

function workload() {
  return plan([
    hog("deep", 0, { taskgroup: "/x/y", instances: 2 }),
    poisson("web", 500, 1000, { taskgroup: "/z" }),
    hog("top", 0),
  ], { cgroups: [{ path: "/x", weight: 100 }, { path: "/x/y", weight: 300 }, { path: "/z", weight: 200 }] });
}

function start(bytes: Uint8Array, durationMs = 100): { m: Machine; inst: () => BpfSchedulerInstance } {
  const m = machine(workload(), { topology: flatTopology(2), durationNs: durationMs * MS, seed: 1 });
  let inst: BpfSchedulerInstance | undefined;
  attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_cgroup.bpf.o", {}, scx)).ops);
  return { m, inst: () => inst! };
}

/** A global of the object as a number (u32/u64) or one element of an array of them. */
function global(inst: BpfSchedulerInstance, name: string, index = 0): number {
  const v = inst.object.globals.find((x) => x.name === name)!;
  const b = inst.object.varBytes(v);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const elem = v.typeName.startsWith("u32") ? 4 : 8;
  return elem === 4 ? dv.getUint32(index * 4, true) : Number(dv.getBigUint64(index * 8, true));
}

const pidOf = (m: Machine, comm: string): number => m.kernel.tasks.find((t) => t.comm.startsWith(comm))!.pid;

describe.runIf(clangTestsEnabled())("cgroups, bpf_obj_new, the rbtree and spin locks from a compiled program (eng_cgroup.bpf.c)", () => {
  it("cgroup_init sees every cgroup with its weight and level; the cgroup kfuncs agree on ids and ancestry", () => {
    const { m, inst } = start(compileBpf("eng_cgroup.bpf.c"));
    m.runToEnd();
    const i = inst();
    expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
    expect(m.invariants().lost).toBe(0);
    expect(global(i, "nr_cgroup_init")).toBe(4);
    expect([ROOT, X, XY, Z].map((id) => global(i, "weight_of", id))).toEqual([100, 100, 300, 200]);
    expect([ROOT, X, XY, Z].map((id) => global(i, "level_of", id))).toEqual([0, 1, 2, 1]);
    // check_cgroup ran in every cgroup_init and enqueue: ancestors, from_id, the NULL past the end
    expect(global(i, "checks")).toBeGreaterThan(100);
    expect(global(i, "bad")).toBe(0);
    // scx_bpf_task_cgroup: the hogs of /x/y and the requests of /z and the root, nothing in /x itself
    expect(global(i, "enq_of", XY)).toBeGreaterThan(0);
    expect(global(i, "enq_of", Z)).toBeGreaterThan(0);
    expect(global(i, "enq_of", ROOT)).toBeGreaterThan(0);
    expect(global(i, "enq_of", X)).toBe(0);
    // init_task's args->cgroup is the task's cgroup
    expect(global(i, "nr_init_task_match")).toBeGreaterThan(3);
  });

  it("the rbtree gives nodes back in key order, equal keys in insertion order; a removed node is not found again", () => {
    const { m, inst } = start(compileBpf("eng_cgroup.bpf.c"), 1);
    m.runToEnd();
    const i = inst();
    expect([0, 1, 2, 3, 4].map((k) => global(i, "popped_key", k))).toEqual([1, 1, 3, 4, 5]);
    expect([0, 1, 2, 3, 4].map((k) => global(i, "popped_tag", k))).toEqual([1, 3, 4, 2, 0]);
    expect(global(i, "second_remove")).toBe(0);
  });

  it("tasks queued in the rbtree all run: every node dispatched is dropped, and dropped nodes are reused", () => {
    const { m, inst } = start(compileBpf("eng_cgroup.bpf.c"), 300);
    m.runToEnd();
    const i = inst();
    expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
    expect(m.invariants().lost).toBe(0);
    const r = m.result(0);
    expect(r.groups.web!.completed).toBeGreaterThan(100);
    expect(global(i, "nr_dispatched")).toBeGreaterThan(100);
    expect(global(i, "nr_dropped")).toBe(global(i, "nr_dispatched"));
    // a handful of live nodes at any time: the address space stays small
    expect(i.memory.buffer.byteLength).toBeLessThan(1 << 20);
  });

  it("cgroup_set_weight, cgroup_prep_move / cgroup_move and a refused move (cgroup_cancel_move) reach the program", () => {
    const { m, inst } = start(compileBpf("eng_cgroup.bpf.c"), 100);
    m.runFor(10 * MS);
    const i = inst();
    expect(m.setCgroupWeight("/z", 500)).toBe(0);
    expect(global(i, "nr_set_weight")).toBe(1);
    expect(global(i, "storage_weight_of", Z)).toBe(500); // found in cgroup storage without F_CREATE
    expect(m.moveToCgroup([pidOf(m, "top")], "/z")).toBe(0);
    expect([global(i, "nr_prep"), global(i, "nr_move"), global(i, "move_from"), global(i, "move_to")]).toEqual([1, 1, ROOT, Z]);
    // the program refuses moves into /x from now on
    const refuse = i.object.globals.find((x) => x.name === "refuse_into")!;
    new DataView(i.object.varBytes(refuse).buffer, i.object.varBytes(refuse).byteOffset).setBigUint64(0, BigInt(X), true);
    const deep = m.kernel.tasks.filter((t) => t.comm.startsWith("deep")).map((t) => t.pid);
    expect(m.moveToCgroup(deep, "/x")).toBe(-16);
    expect([global(i, "nr_prep"), global(i, "nr_cancel"), global(i, "nr_move")]).toEqual([2, 0, 1]);
    m.runToEnd();
    expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
    expect(m.invariants().lost).toBe(0);
  });

  it("cgroup_exit runs for every cgroup when the loader closes the link", () => {
    const m = machine(workload(), { topology: flatTopology(2), durationNs: 20 * MS, seed: 1 });
    let inst: BpfSchedulerInstance | undefined;
    const run = attach(m, (scx) => (inst = instantiateBpfScheduler(compileBpf("eng_cgroup.bpf.c"), "eng_cgroup.bpf.o", {}, scx)).ops);
    m.runFor(5 * MS);
    expect(global(inst!, "nr_cgroup_exit")).toBe(0);
    expect(run.loader!.close(run.link)).toBe(0);
    m.runToEnd();
    expect(m.result(0).scx.exit?.kind).toBe("SCX_EXIT_UNREG");
    expect(global(inst!, "nr_cgroup_exit")).toBe(4);
    expect(m.invariants().lost).toBe(0);
  });

  const misuse: [number, RegExp][] = [
    [1, /bpf_rbtree_add\(q_root\) without holding its bpf_spin_lock/],
    [2, /bpf_spin_lock takes the same lock again \(a deadlock\)/],
    [3, /cg_init: returned while holding bpf_spin_lock/],
    [4, /bpf_ktime_get_ns called while holding bpf_spin_lock/],
    [5, /bpf_obj_drop: struct qnode at .* is still in rbtree q_root/],
    [6, /cg_init: insn \d+: invalid write of 8 bytes at unmapped address/],
    [7, /bpf_spin_unlock\(.*\): no lock is held/],
    [8, /bpf_spin_lock\(.*\): not a struct bpf_spin_lock field/],
    [9, /timer callback: returned while holding bpf_spin_lock/],
  ];
  for (const [n, msg] of misuse) {
    it(`misuse ${n} ends the scheduler with SCX_EXIT_ERROR_BPF (${msg.source.slice(0, 40)}...), nothing lost`, () => {
      const { m } = start(compileBpf("eng_cgroup.bpf.c", [`-DMISUSE=${n}`]), 20);
      m.runToEnd();
      const r = m.result(0);
      expect(r.scx.exit?.kind).toBe("SCX_EXIT_ERROR_BPF");
      expect(r.scx.exit?.msg).toMatch(msg);
      expect(m.invariants().lost).toBe(0);
    });
  }

  it("a bpf_rb_root without a __contains tag is refused at load with one line", () => {
    const bytes = compileBpf("eng_cgroup.bpf.c", ["-DNO_CONTAINS"]);
    expect(() => loadBpfScheduler(bytes, "eng_cgroup.bpf.o", {})).toThrow("eng_cgroup.bpf.o: bpf_rb_root q_root has no __contains(type, field) tag saying what it holds");
  });

  it("a bpf_rb_root whose section holds no bpf_spin_lock is refused at load", () => {
    const bytes = compileBpf("eng_cgroup.bpf.c", ["-DLOCK_ELSEWHERE"]);
    expect(() => loadBpfScheduler(bytes, "eng_cgroup.bpf.o", {})).toThrow("eng_cgroup.bpf.o: bpf_rb_root q_root needs exactly one bpf_spin_lock in its section (found 0)");
  });
});
