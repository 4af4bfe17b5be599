/**
 * The many-names model (issue 19.12): N one-shot tasks, each its own name (so its own group in
 * the result), built as a library user would build the plan. Task i starts at 4i µs, runs 3 µs,
 * sleeps 20 µs and runs 3 µs more, so a few tasks are alive at a time on 4 CPUs and what the
 * run holds per name is the plan, the compiled program, the group's statistics and its result.
 */
import type { TaskSpec, WorkloadPlan } from "../../sim/plan.js";
import { prepareJob, type Job } from "../job.js";

export interface NamesOut {
  kind: "names";
  names: number;
  groups: number;
  lost: number;
  wallS: number;
  maxRssMB: number;
}

export function namesPlan(n: number): WorkloadPlan {
  const tasks: TaskSpec[] = [];
  for (let i = 0; i < n; i++) {
    tasks.push({
      name: `t${i}`, instances: 1, delayUs: 4 * i, loop: 1,
      phases: [{ name: "main", loop: 1, events: [{ kind: "run", us: 3 }, { kind: "sleep", us: 20 }, { kind: "run", us: 3 }] }],
      nice: 0, policy: "SCHED_OTHER", cpus: null, taskgroup: null, arrivals: null, forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null,
    });
  }
  return { name: "names", durationS: null, tasks, cgroups: [], barriers: {}, warnings: [] };
}

/** Runs the model to its end and builds the RunResult; the figure is the process's peak RSS. */
export function runNames(n: number, maxRssMB: () => number): NamesOut {
  const t0 = performance.now();
  const plan = namesPlan(n);
  const job: Job = {
    scheduler: "simple", options: {}, workload: "names", params: {}, topology: "4", cpus: 4, seed: 1,
    durationNs: n * 4000 + 100_000_000, overheads: true, crashAtNs: null,
  };
  const { machine } = prepareJob(job, plan);
  machine.runToEnd();
  const r = machine.result(0, plan.warnings, true);
  return { kind: "names", names: n, groups: Object.keys(r.groups).length, lost: r.invariants.lost, wallS: (performance.now() - t0) / 1000, maxRssMB: maxRssMB() };
}
