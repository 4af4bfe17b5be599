/** Workload plans built in code for the validation cases (no parser involved). */
import type { DurationSpec, EventSpec, TaskSpec, WorkloadPlan } from "../../sim/plan.js";

function spec(name: string, events: EventSpec[], over: Partial<TaskSpec>): TaskSpec {
  return {
    name, instances: 1, delayUs: 0, loop: -1, phases: [{ name: "p0", loop: 1, events }], nice: 0,
    policy: "SCHED_OTHER", cpus: null, taskgroup: null, arrivals: null, forkOnly: false,
    expectedRunUs: null, deadline: null, requestOn: null, ...over,
  };
}

export function plan(name: string, tasks: TaskSpec[]): WorkloadPlan {
  return { name, durationS: null, tasks, cgroups: [], barriers: {}, warnings: [] };
}

/** An open-loop Poisson class: `rate` arrivals per second, each runs `size` µs of CPU and exits. */
export function poissonClass(name: string, rate: number, size: DurationSpec, over: Partial<TaskSpec> = {}): TaskSpec {
  return spec(name, [{ kind: "run", us: size }], { loop: 1, arrivals: { process: "poisson", rate }, ...over });
}

/** An always-runnable CPU hog. */
export function hog(name: string, nice = 0, cpus: readonly number[] | null = null): TaskSpec {
  return spec(name, [{ kind: "run", us: 1_000_000 }], { nice, cpus });
}

/** A textbook process: arrives at `arrivalUs`, needs `burstUs` of CPU once, then exits. */
export function process(name: string, arrivalUs: number, burstUs: number, over: Partial<TaskSpec> = {}): TaskSpec {
  return spec(name, [{ kind: "run", us: burstUs }], { loop: 1, delayUs: arrivalUs, ...over });
}
