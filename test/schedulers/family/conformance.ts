/**
 * The shared conformance suite (style.md "One contract, one shared suite") on machines with
 * shape: the sched_ext family cares about LLCs, nodes and SMT, so next to the flat 1-4 CPU
 * scenarios of `../conformance.ts` this one draws 1-8 CPUs in flat, 2-LLC, SMT and 2-node
 * topologies, with hogs, sleepers, open-loop arrivals, affinities and cgroups. Generic over the
 * registry entry: any policy can use it. For every run on the ideal machine:
 *  - no task is lost (`invariants().lost === 0`) and the scheduler is still attached;
 *  - CPU time is accounted: no CPU busier than the run is long, Σ task CPU ≤ cpus × simNs and
 *    equal to Σ busy CPU time;
 *  - finite work drains: a hog-free workload is done by 2 × (its span + all its work) + 50 ms;
 *  - the same seed gives the same RunResult (wallMs aside).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SchedulerEntry } from "../../../schedulers/index.js";
import type { RawOptions } from "../../../schedulers/options.js";
import type { CgroupSpec, TaskSpec, WorkloadPlan } from "../../../sim/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { resolveTopology, type Topology } from "../../../sim/topology.js";
import { hog, plan, task } from "../../helpers/plan.js";
import { attach, machine } from "../../helpers/machine.js";

export interface FamilyConformanceOptions {
  readonly options?: RawOptions;
  readonly numRuns?: number;
}

/** Machines the scenarios run on: flat 1-8 CPUs and shaped ones with 2 LLCs, SMT or 2 nodes. */
const TOPOLOGIES: readonly (() => Topology)[] = [
  ...[1, 2, 3, 4, 6, 8].map((n) => () => resolveTopology(String(n))),
  () => resolveTopology("2llc-8c"),
  () => resolveTopology({ nodes: 1, llcsPerNode: 2, coresPerLlc: 2, threadsPerCore: 1 }, "2llc-4c"),
  () => resolveTopology({ nodes: 1, llcsPerNode: 1, coresPerLlc: 2, threadsPerCore: 2 }, "2c-smt"),
  () => resolveTopology({ nodes: 2, llcsPerNode: 1, coresPerLlc: 2, threadsPerCore: 2 }, "2s-smt"),
];

const CGROUPS: readonly CgroupSpec[] = [{ path: "/a", weight: 100 }, { path: "/b", weight: 300 }, { path: "/a/x", weight: 50 }];

type Shape =
  | { kind: "hog"; nice: number; pin: number[] | null; cg: number }
  | { kind: "sleeper"; nice: number; pin: number[] | null; cg: number; runUs: number; sleepUs: number; instances: number }
  | { kind: "open"; nice: number; rate: number; meanUs: number; cg: number }
  | { kind: "once"; delayUs: number; runUs: number; yieldMid: boolean };

const nice = fc.integer({ min: -10, max: 10 });
const pin = fc.option(fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 3 }), { nil: null });
const cg = fc.integer({ min: -1, max: CGROUPS.length - 1 });

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({ kind: fc.constant("hog" as const), nice, pin, cg }),
  fc.record({
    kind: fc.constant("sleeper" as const), nice, pin, cg, runUs: fc.integer({ min: 20, max: 5_000 }),
    sleepUs: fc.integer({ min: 20, max: 20_000 }), instances: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant("open" as const), nice, rate: fc.integer({ min: 20, max: 2_000 }), meanUs: fc.integer({ min: 10, max: 3_000 }), cg }),
  fc.record({ kind: fc.constant("once" as const), delayUs: fc.integer({ min: 0, max: 50_000 }), runUs: fc.integer({ min: 1, max: 30_000 }), yieldMid: fc.boolean() }),
);

function toSpec(s: Shape, i: number): TaskSpec {
  const name = `${s.kind}${i}`;
  const taskgroup = s.kind !== "once" && s.cg >= 0 ? CGROUPS[s.cg].path : null;
  switch (s.kind) {
    case "hog": return hog(name, s.nice, { cpus: s.pin, taskgroup });
    case "sleeper": return task(name, [{ kind: "run", us: s.runUs }, { kind: "sleep", us: s.sleepUs }], { nice: s.nice, cpus: s.pin, instances: s.instances, taskgroup });
    case "open": return task(name, [{ kind: "run", us: { dist: "exp", mean: s.meanUs } }], { nice: s.nice, arrivals: { process: "poisson", rate: s.rate }, loop: 1, taskgroup });
    case "once": return task(name, s.yieldMid
      ? [{ kind: "run", us: s.runUs }, { kind: "yield" }, { kind: "run", us: s.runUs }]
      : [{ kind: "run", us: s.runUs }], { delayUs: s.delayUs, loop: 1 });
  }
}

export interface FamilyScenario {
  readonly topology: number;
  readonly seed: number;
  readonly durationMs: number;
  readonly plan: WorkloadPlan;
}

export const familyScenario: fc.Arbitrary<FamilyScenario> = fc
  .record({
    topology: fc.nat(TOPOLOGIES.length - 1),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    durationMs: fc.integer({ min: 50, max: 400 }),
    shapes: fc.array(shape, { minLength: 1, maxLength: 6 }),
  })
  .map(({ topology, seed, durationMs, shapes }) => ({ topology, seed, durationMs, plan: plan(shapes.map(toSpec), { cgroups: [...CGROUPS] }) }));

type FiniteShape =
  | { kind: "once"; delayUs: number; runUs: number }
  | { kind: "sleeper"; runUs: number; sleepUs: number; loops: number; instances: number; pin: number[] | null; cg: number }
  | { kind: "open"; rate: number; max: number; burstUs: number; cg: number };

const finiteShape: fc.Arbitrary<FiniteShape> = fc.oneof(
  fc.record({ kind: fc.constant("once" as const), delayUs: fc.integer({ min: 0, max: 50_000 }), runUs: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({
    kind: fc.constant("sleeper" as const), runUs: fc.integer({ min: 20, max: 5_000 }), sleepUs: fc.integer({ min: 20, max: 20_000 }),
    loops: fc.integer({ min: 1, max: 8 }), instances: fc.integer({ min: 1, max: 4 }), pin, cg,
  }),
  fc.record({ kind: fc.constant("open" as const), rate: fc.integer({ min: 20, max: 2_000 }), max: fc.integer({ min: 1, max: 40 }), burstUs: fc.integer({ min: 10, max: 3_000 }), cg }),
);

/** A hog-free workload, and a duration by which any work-conserving policy has finished it. */
export const familyFiniteScenario: fc.Arbitrary<FamilyScenario> = fc
  .record({ topology: fc.nat(TOPOLOGIES.length - 1), seed: fc.integer({ min: 1, max: 1_000_000 }), shapes: fc.array(finiteShape, { minLength: 1, maxLength: 6 }) })
  .map(({ topology, seed, shapes }) => {
    let work = 0, span = 0;
    const specs = shapes.map((s, i): TaskSpec => {
      const name = `${s.kind}${i}`;
      const taskgroup = s.kind !== "once" && s.cg >= 0 ? CGROUPS[s.cg].path : null;
      switch (s.kind) {
        case "once":
          work += s.runUs;
          span = Math.max(span, s.delayUs);
          return task(name, [{ kind: "run", us: s.runUs }], { delayUs: s.delayUs, loop: 1 });
        case "sleeper":
          work += s.instances * s.loops * s.runUs;
          span = Math.max(span, s.loops * s.sleepUs);
          return task(name, [{ kind: "run", us: s.runUs }, { kind: "sleep", us: s.sleepUs }], { cpus: s.pin, instances: s.instances, loop: s.loops, taskgroup });
        case "open":
          work += s.max * s.burstUs;
          span = Math.max(span, (s.max * 1e6) / s.rate);
          return task(name, [{ kind: "run", us: s.burstUs }], { arrivals: { process: "periodic", rate: s.rate, max: s.max }, loop: 1, taskgroup });
      }
    });
    const durationMs = Math.ceil((2 * (span + work)) / 1000) + 50;
    return { topology, seed, durationMs, plan: plan(specs, { cgroups: [...CGROUPS] }) };
  });

export function runFamilyScenario(entry: SchedulerEntry, sc: FamilyScenario, options: RawOptions = {}): { result: RunResult; lost: number; alive: number; exited: boolean; cpus: number } {
  const topology = TOPOLOGIES[sc.topology]();
  const m = machine(sc.plan, { topology, seed: sc.seed, durationNs: sc.durationMs * 1e6 });
  attach(m, (scx) => entry.create(scx, options));
  m.runToEnd();
  const inv = m.invariants();
  return { result: m.result(0), lost: inv.lost, alive: inv.alive, exited: m.scx.exitInfo !== null, cpus: topology.nrCpus };
}

/** Registers the family conformance suite for one registry entry. */
export function familyConformance(entry: SchedulerEntry, o: FamilyConformanceOptions = {}): void {
  const numRuns = o.numRuns ?? 40;

  describe(`${entry.name}: conformance on random workloads and topologies (1-8 CPUs, 2 LLCs, SMT, 2 nodes)`, () => {
    it("loses no task, stays attached, and accounts CPU time (Σ task CPU = Σ busy ≤ cpus × simNs)", () => {
      fc.assert(fc.property(familyScenario, (sc) => {
        const { result: r, lost, exited, cpus } = runFamilyScenario(entry, sc, o.options);
        expect(r.scx.scheduler).toBe(entry.name);
        expect(lost, "tasks lost").toBe(0);
        expect(exited ? r.scx.exit : null, "scheduler exit").toBeNull();
        let busy = 0;
        for (const c of r.cpus) { expect(c.busyNs).toBeLessThanOrEqual(r.simNs); busy += c.busyNs; }
        let taskCpu = 0;
        for (const g of Object.values(r.groups)) taskCpu += g.cpuNs;
        expect(taskCpu).toBeLessThanOrEqual(cpus * r.simNs);
        expect(Math.abs(taskCpu - busy)).toBeLessThanOrEqual(1e-6 * Math.max(1, busy));
      }), { numRuns });
    });

    it("drains finite work: every task of a hog-free workload exits by 2 × (its span + all the work) + 50 ms", () => {
      fc.assert(fc.property(familyFiniteScenario, (sc) => {
        const { result: r, lost, alive } = runFamilyScenario(entry, sc, o.options);
        expect(r.scx.exit, "scheduler exit").toBeNull();
        expect(lost, "tasks lost").toBe(0);
        expect(alive, "tasks still alive").toBe(0);
      }), { numRuns });
    });

    it("gives the same RunResult for the same seed", () => {
      fc.assert(fc.property(familyScenario, (sc) => {
        const a = runFamilyScenario(entry, sc, o.options).result;
        const b = runFamilyScenario(entry, sc, o.options).result;
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }), { numRuns: Math.max(5, Math.floor(numRuns / 3)) });
    });
  });
}
