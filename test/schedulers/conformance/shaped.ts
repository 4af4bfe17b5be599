/**
 * Shaped scenarios: the sched_ext family cares about LLCs, nodes and SMT, so these draw 1-8 CPUs
 * in flat, 2-LLC, SMT and 2-node topologies, with hogs, sleepers, open-loop arrivals, affinities
 * and cgroups.
 */
import fc from "fast-check";
import type { CgroupSpec, TaskSpec } from "../../../sim/plan.js";
import { hog, plan, task } from "../../helpers/plan.js";
import { TOPOLOGIES, type Scenario, type ScenarioKind } from "./scenario.js";

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

const any: fc.Arbitrary<Scenario> = fc
  .record({
    topology: fc.nat(TOPOLOGIES.length - 1),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    durationMs: fc.integer({ min: 50, max: 400 }),
    shapes: fc.array(shape, { minLength: 1, maxLength: 6 }),
  })
  .map(({ topology, seed, durationMs, shapes }) => ({ topology: TOPOLOGIES[topology]!, seed, durationMs, plan: plan(shapes.map(toSpec), { cgroups: [...CGROUPS] }), constBursts: {} }));

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
const finite: fc.Arbitrary<Scenario> = fc
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
    return { topology: TOPOLOGIES[topology]!, seed, durationMs, plan: plan(specs, { cgroups: [...CGROUPS] }), constBursts: {} };
  });

export const SHAPED: ScenarioKind = { name: "shaped", what: "random workloads with cgroups on 1-8 CPUs, 2 LLCs, SMT, 2 nodes", any, finite };
