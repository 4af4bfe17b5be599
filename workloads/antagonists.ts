/**
 * Antagonists: CPU hogs added to any workload to see how a policy protects the rest of it
 * (the stress-ng / ghOSt-experiment pattern). They form one task group named "antagonist".
 */
import type { TaskSpec, WorkloadPlan } from "../sim/plan.js";
import { WorkloadError, renderGot } from "./errors.js";
import { HOG_RUN_US } from "./builtin/types.js";

export const ANTAGONIST = "antagonist";

/** A copy of `plan` with `n` always-runnable hogs at nice 0; n = 0 returns `plan` itself. */
export function withAntagonists(plan: WorkloadPlan, n: number): WorkloadPlan {
  if (!Number.isInteger(n) || n < 0 || n > 4096) {
    throw new WorkloadError({ file: plan.name, path: "antagonists", expected: "an integer from 0 to 4096", got: renderGot(n) });
  }
  if (n === 0) return plan;
  if (plan.tasks.some((t) => t.name === ANTAGONIST)) {
    throw new WorkloadError({
      file: plan.name, path: `tasks.${ANTAGONIST}`, expected: "no task of that name (antagonists use it)", got: renderGot(ANTAGONIST),
    });
  }
  const hog: TaskSpec = {
    name: ANTAGONIST, instances: n, delayUs: 0, loop: -1,
    phases: [{ name: "main", loop: 1, events: [{ kind: "run", us: HOG_RUN_US }] }],
    nice: 0, policy: "SCHED_OTHER", cpus: null, taskgroup: null, arrivals: null,
    forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null,
  };
  return { ...plan, tasks: [...plan.tasks, hog] };
}
