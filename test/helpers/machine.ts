/** Builds a Machine from a plan, optionally attaching a scheduler through a loader process. */
import { Machine } from "../../sim/machine.js";
import { flatTopology, type Topology } from "../../sim/topology.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";

export interface TestRun {
  m: Machine;
  loader: ReturnType<Machine["spawnProcess"]> | null;
  link: number;
  map: number;
}

export function machine(p: WorkloadPlan, o: { cpus?: number; topology?: Topology; seed?: number; overheads?: boolean; hz?: number; durationNs?: number; timeline?: boolean } = {}): Machine {
  const topology = o.topology ?? flatTopology(o.cpus ?? 1);
  return new Machine({
    topology, plan: p, seed: o.seed ?? 1, overheads: o.overheads ?? false, hz: o.hz, timeline: o.timeline,
    job: { scheduler: "test", options: {}, workload: p.name, params: {}, topology: topology.name, cpus: topology.nrCpus, seed: o.seed ?? 1, durationNs: o.durationNs ?? 1e9, overheads: o.overheads ?? false },
  });
}

/** Attaches `make(scx)` the way a loader does (Machine.attach): map with BPF_F_LINK, update elem, link create. */
export function attach(m: Machine, make: (scx: Scx) => SchedExtOps): TestRun {
  const { loader, map, link } = m.attach(make(m.scxApi), "loader");
  return { m, loader, link, map };
}
