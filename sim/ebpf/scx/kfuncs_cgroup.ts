/**
 * The cgroup kfuncs over the cgroup mirrors: a task's cgroup (scx_bpf_task_cgroup), a cgroup by
 * id or by ancestry level, and the reference counting around them. Every cgroup lives as long as
 * the run, so acquire and release only check that they are given a cgroup.
 */
import type { BpfAddr } from "../memory.js";
import type { BpfCallArgs, BpfNativeFn } from "../program.js";
import type { ScxTask } from "../../ext/ops.js";
import type { KfuncContext } from "./kfuncs.js";

type Entry = [string, BpfNativeFn];

export function cgroupKfuncs(k: KfuncContext, task: (a: BpfCallArgs, i: number) => ScxTask): Entry[] {
  const { cgroups, memory: m } = k;
  const cgroup = (a: BpfCallArgs, i: number, fn: string): BpfAddr => {
    const addr = a.ptr(i);
    if (cgroups.pathAt(addr) === undefined) throw new RangeError(`${fn}: ${m.describe(addr)} is not a struct cgroup`);
    return addr;
  };
  return [
    ["scx_bpf_task_cgroup", (a) => cgroups.of(task(a, 1).cgroup)],
    ["bpf_cgroup_ancestor", (a) => cgroups.ancestor(cgroup(a, 1, "bpf_cgroup_ancestor"), a.s32(2))],
    ["bpf_cgroup_from_id", (a) => cgroups.fromId(a.u(1))],
    ["bpf_cgroup_acquire", (a) => cgroup(a, 1, "bpf_cgroup_acquire")],
    ["bpf_cgroup_release", (a) => { cgroup(a, 1, "bpf_cgroup_release"); return 0; }],
  ];
}
