/** Small hand-built workload plans for engine tests (no parser involved). */
import type { EventSpec, PhaseSpec, TaskSpec, WorkloadPlan } from "../../sim/plan.js";

export function task(name: string, events: EventSpec[], over: Partial<TaskSpec> = {}): TaskSpec {
  const phases: PhaseSpec[] = [{ name: "p0", loop: 1, events }];
  return {
    name, instances: 1, delayUs: 0, loop: -1, phases, nice: 0, policy: "SCHED_OTHER", cpus: null,
    taskgroup: null, arrivals: null, forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null, ...over,
  };
}

export function plan(tasks: TaskSpec[], over: Partial<WorkloadPlan> = {}): WorkloadPlan {
  return { name: "test", durationS: null, tasks, cgroups: [], barriers: {}, warnings: [], ...over };
}

/** An always-runnable CPU hog. */
export function hog(name: string, nice = 0, over: Partial<TaskSpec> = {}): TaskSpec {
  return task(name, [{ kind: "run", us: 1_000_000 }], { nice, ...over });
}

/** Open-loop Poisson arrivals at `rate`/s of exponential service with mean `meanUs`. */
export function poisson(name: string, rate: number, meanUs: number, over: Partial<TaskSpec> = {}): TaskSpec {
  return task(name, [{ kind: "run", us: { dist: "exp", mean: meanUs } }], { arrivals: { process: "poisson", rate }, loop: 1, ...over });
}
