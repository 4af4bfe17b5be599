/**
 * Flat scenarios: 1-4 CPUs, 1-5 task specs of assorted shapes (hogs, periodic tasks with or
 * without size and deadline hints, constant-burst open-loop jobs, one-shot tasks that may yield),
 * 50-400 ms.
 */
import fc from "fast-check";
import type { TaskSpec } from "../../../sim/plan.js";
import { hog, plan, task } from "../../helpers/plan.js";
import type { Scenario, ScenarioKind } from "./scenario.js";

const nice = fc.integer({ min: -5, max: 5 });
const pin = fc.option(fc.uniqueArray(fc.nat(3), { minLength: 1, maxLength: 2 }), { nil: null });

type Shape =
  | { kind: "hog"; nice: number; pin: number[] | null }
  | { kind: "periodic"; nice: number; pin: number[] | null; runUs: number; sleepUs: number; hint: boolean; instances: number }
  | { kind: "open"; nice: number; rate: number; burstUs: number; hint: boolean }
  | { kind: "once"; nice: number; delayUs: number; runUs: number; yieldMid: boolean };

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.record({ kind: fc.constant("hog" as const), nice, pin }),
  fc.record({
    kind: fc.constant("periodic" as const), nice, pin, runUs: fc.integer({ min: 50, max: 5_000 }),
    sleepUs: fc.integer({ min: 50, max: 20_000 }), hint: fc.boolean(), instances: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({ kind: fc.constant("open" as const), nice, rate: fc.integer({ min: 20, max: 800 }), burstUs: fc.integer({ min: 10, max: 3_000 }), hint: fc.boolean() }),
  fc.record({ kind: fc.constant("once" as const), nice, delayUs: fc.integer({ min: 0, max: 50_000 }), runUs: fc.integer({ min: 1, max: 30_000 }), yieldMid: fc.boolean() }),
);

function toSpec(s: Shape, i: number): TaskSpec {
  const name = `${s.kind}${i}`;
  switch (s.kind) {
    case "hog": return hog(name, s.nice, { cpus: s.pin });
    case "periodic": return task(name, [{ kind: "run", us: s.runUs }, { kind: "sleep", us: s.sleepUs }], {
      nice: s.nice, cpus: s.pin, instances: s.instances,
      expectedRunUs: s.hint ? s.runUs : null,
      deadline: s.hint ? { runtimeUs: s.runUs, periodUs: s.runUs + s.sleepUs, deadlineUs: s.runUs + s.sleepUs } : null,
    });
    case "open": return task(name, [{ kind: "run", us: s.burstUs }], {
      nice: s.nice, arrivals: { process: "poisson", rate: s.rate }, loop: 1, expectedRunUs: s.hint ? s.burstUs : null,
    });
    case "once": return task(name, s.yieldMid
      ? [{ kind: "run", us: s.runUs }, { kind: "yield" }, { kind: "run", us: s.runUs }]
      : [{ kind: "run", us: s.runUs }], { nice: s.nice, delayUs: s.delayUs, loop: 1 });
  }
}

const any: fc.Arbitrary<Scenario> = fc
  .record({
    cpus: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    durationMs: fc.integer({ min: 50, max: 400 }),
    shapes: fc.array(shape, { minLength: 1, maxLength: 5 }),
  })
  .map(({ cpus, seed, durationMs, shapes }) => {
    const specs = shapes.map(toSpec);
    const constBursts: Record<string, number> = {};
    shapes.forEach((s, i) => { if (s.kind === "open") constBursts[specs[i].name] = s.burstUs; });
    return { topology: String(cpus), seed, durationMs, plan: plan(specs), constBursts };
  });

type FiniteShape =
  | { kind: "once"; delayUs: number; runUs: number; yieldMid: boolean }
  | { kind: "periodic"; runUs: number; sleepUs: number; loops: number; instances: number; pin: number[] | null; hint: boolean }
  | { kind: "open"; rate: number; max: number; burstUs: number; hint: boolean };

const finiteShape: fc.Arbitrary<FiniteShape> = fc.oneof(
  // No yields here yet: the kernel never resumes the program of a task that yields and is picked
  // again at once (Kernel.schedule, the next === prev branch), so such a task would never exit.
  fc.record({ kind: fc.constant("once" as const), delayUs: fc.integer({ min: 0, max: 50_000 }), runUs: fc.integer({ min: 1, max: 20_000 }), yieldMid: fc.constant(false) }),
  fc.record({
    kind: fc.constant("periodic" as const), runUs: fc.integer({ min: 50, max: 5_000 }), sleepUs: fc.integer({ min: 50, max: 20_000 }),
    loops: fc.integer({ min: 1, max: 5 }), instances: fc.integer({ min: 1, max: 3 }), pin, hint: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("open" as const), rate: fc.integer({ min: 20, max: 800 }), max: fc.integer({ min: 1, max: 30 }), burstUs: fc.integer({ min: 10, max: 3_000 }), hint: fc.boolean() }),
);

/** A hog-free workload and a time by which any policy that keeps CPUs busy has finished it. */
const finite: fc.Arbitrary<Scenario> = fc
  .record({ cpus: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1_000_000 }), shapes: fc.array(finiteShape, { minLength: 1, maxLength: 5 }) })
  .map(({ cpus, seed, shapes }) => {
    let work = 0, span = 0;
    const specs = shapes.map((s, i): TaskSpec => {
      const name = `${s.kind}${i}`;
      switch (s.kind) {
        case "once":
          work += s.yieldMid ? 2 * s.runUs : s.runUs;
          span = Math.max(span, s.delayUs);
          return toSpec({ kind: "once", nice: 0, delayUs: s.delayUs, runUs: s.runUs, yieldMid: s.yieldMid }, i);
        case "periodic":
          work += s.instances * s.loops * s.runUs;
          span = Math.max(span, s.loops * s.sleepUs);
          return { ...toSpec({ kind: "periodic", nice: 0, pin: s.pin, runUs: s.runUs, sleepUs: s.sleepUs, hint: s.hint, instances: s.instances }, i), loop: s.loops };
        case "open":
          work += s.max * s.burstUs;
          span = Math.max(span, (s.max * 1e6) / s.rate);
          return task(name, [{ kind: "run", us: s.burstUs }], { arrivals: { process: "periodic", rate: s.rate, max: s.max }, loop: 1, expectedRunUs: s.hint ? s.burstUs : null });
      }
    });
    // Sleeps and arrivals span at most `span`; waiting at most all the work there is.
    const durationMs = Math.ceil((2 * (span + work)) / 1000) + 50;
    return { topology: String(cpus), seed, durationMs, plan: plan(specs), constBursts: {} };
  });

export const FLAT: ScenarioKind = { name: "flat", what: "random small workloads on 1-4 flat CPUs", any, finite };
