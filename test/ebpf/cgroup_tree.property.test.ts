import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { instantiateBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { hog, plan } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { flatTopology } from "../../sim/topology.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;
/** eng_cgroup.bpf.c keeps per-cgroup results for ids below 8: the root and up to six more. */
const MAX_CGROUPS = 6;

/** A random cgroup forest under the root: each cgroup's parent is the root or an earlier one. */
const trees = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 10_000 })), { minLength: 1, maxLength: MAX_CGROUPS }).map((specs) => {
  const paths: string[] = [];
  specs.forEach(([parent, _w], i) => {
    const p = parent % (paths.length + 1);
    paths.push(`${p === 0 ? "" : paths[p - 1]}/g${i}`);
  });
  return paths.map((path, i) => ({ path, weight: specs[i]![1] }));
});

function global(inst: BpfSchedulerInstance, name: string, index = 0): number {
  const v = inst.object.globals.find((x) => x.name === name)!;
  const b = inst.object.varBytes(v);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.typeName.startsWith("u32") ? dv.getUint32(index * 4, true) : Number(dv.getBigUint64(index * 8, true));
}

describe.runIf(clangTestsEnabled())("cgroup mirrors on random cgroup trees (eng_cgroup.bpf.c)", () => {
  it("every cgroup is initialised once with its weight and depth, ancestry and ids agree, each task is in its own cgroup, nothing is lost", () => {
    const bytes = compileBpf("eng_cgroup.bpf.c");
    fc.assert(fc.property(trees, fc.integer({ min: 1, max: 3 }), (cgroups, cpus) => {
      const tasks = cgroups.map((c, i) => hog(`t${i}`, 0, { taskgroup: c.path }));
      const m = machine(plan(tasks, { cgroups }), { topology: flatTopology(cpus), durationNs: 20 * MS, seed: 1 });
      let inst: BpfSchedulerInstance | undefined;
      attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_cgroup.bpf.o", {}, scx)).ops);
      m.runToEnd();
      const i = inst!;
      expect(m.result(0).scx.exit?.kind ?? "none").toBe("none");
      expect(m.invariants().lost).toBe(0);
      expect(global(i, "bad")).toBe(0);
      expect(global(i, "nr_cgroup_init")).toBe(cgroups.length + 1);
      // ids follow cgroup_init's order (parents first, sorted by path), the root being 1
      const order = ["/", ...cgroups.map((c) => c.path).sort()];
      order.forEach((path, k) => {
        const id = k + 1;
        const c = cgroups.find((x) => x.path === path);
        expect(global(i, "weight_of", id)).toBe(c?.weight ?? 100);
        expect(global(i, "level_of", id)).toBe(path === "/" ? 0 : path.split("/").length - 1);
      });
      // one hog per cgroup: with more hogs than CPUs they take turns, so every cgroup saw
      // enqueues of its own task (with fewer, a hog may keep its CPU and never be queued)
      expect(global(i, "enq_of", 1)).toBe(0);
      if (cgroups.length > cpus) for (let k = 2; k <= order.length; k++) expect(global(i, "enq_of", k)).toBeGreaterThan(0);
    }), { numRuns: 25, seed: 17 });
  });
});
