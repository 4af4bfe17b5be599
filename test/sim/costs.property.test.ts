/**
 * The costs of issue 15.9 keep the engine's promises. fast-check generates small workloads
 * (1-6 tasks running, sleeping and resuming each other, random affinity, 1-4 CPUs) and runs them
 * under the measured profile plus frequency scaling, under fair or a scheduler with one shared
 * DSQ: no task is lost, no CPU is busy for longer than the run, every wakeup
 * latency is at least 0, and the same inputs give the same RunResult.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Machine } from "../../sim/machine.js";
import { flatTopology } from "../../sim/topology.js";
import { costProfile } from "../helpers/profiles.js";
import { SCX_DSQ_GLOBAL, asDsq } from "../../sim/ext/consts.js";
import type { EventSpec, WorkloadPlan } from "../../sim/plan.js";
import { plan, task } from "../helpers/plan.js";

const MS = 1_000_000;
const COSTS = { ...costProfile("kvm-epyc-2vcpu"), perfMin: 300, perfLatencyNs: 200_000 };

const eventArb: fc.Arbitrary<EventSpec> = fc.oneof(
  fc.integer({ min: 1, max: 3000 }).map((us): EventSpec => ({ kind: "run", us })),
  fc.integer({ min: 1, max: 5000 }).map((us): EventSpec => ({ kind: "sleep", us })),
  fc.integer({ min: 0, max: 5 }).map((i): EventSpec => ({ kind: "resume", ref: `t${i}` })),
);

const planArb = (cpus: number): fc.Arbitrary<WorkloadPlan> =>
  fc.array(fc.tuple(fc.array(eventArb, { minLength: 1, maxLength: 4 }), fc.option(fc.subarray([...Array(cpus).keys()], { minLength: 1 }), { nil: null })), { minLength: 1, maxLength: 6 })
    .map((ts) => plan(ts.map(([ev, c], i) => task(`t${i}`, [{ kind: "run", us: 10 }, ...ev], { cpus: c }))));

function run(p: WorkloadPlan, cpus: number, ext: boolean): Machine {
  const topology = flatTopology(cpus);
  const m = new Machine({
    topology, plan: p, seed: 1, overheads: true, costs: COSTS,
    job: { scheduler: "t", options: {}, workload: p.name, params: {}, topology: topology.name, cpus, seed: 1, durationNs: 50 * MS, overheads: true },
  });
  if (ext) {
    const scx = m.scxApi;
    m.attach({ name: "shared", init: () => scx.createDsq(asDsq(0), -1), enqueue: (t, f) => scx.dsqInsert(t, asDsq(0), 2 * MS, f), dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); } }, "loader");
  }
  m.runFor(50 * MS);
  return m;
}

describe("costs keep the engine's promises (property)", () => {
  it("nothing lost, no CPU over-accounted, wakeups never negative, deterministic", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }).chain((c) => fc.tuple(fc.constant(c), planArb(c), fc.boolean())), ([cpus, p, ext]) => {
      const a = run(p, cpus, ext), r = a.result(0);
      expect(r.invariants.lost).toBe(0);
      // (busy + overhead can pass the run's length by a few switch costs even with the default
      // table: a switch's cost is charged whole when it starts, also when it is cut short.)
      for (const c of r.cpus) expect(c.busyNs).toBeLessThanOrEqual(r.simNs);
      for (const g of Object.values(r.groups)) if (g.wakeupLatencyNs.count > 0) expect(g.wakeupLatencyNs.min).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(run(p, cpus, ext).result(0))).toBe(JSON.stringify(r));
      if (ext) expect(a.kernel.ext.enabled).toBe(true);
    }), { numRuns: 40 });
  });
});
