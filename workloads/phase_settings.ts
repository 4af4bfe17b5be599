/**
 * What each phase changes when it starts. rt-app applies a phase's properties at every start of
 * the phase: nice, policy and taskgroup stay until another phase sets them, while the affinity
 * falls back to the task's cpus (or all CPUs) in a phase that gives none. The plan records the
 * changes (PhaseSpec.set); applying them is the kernel's part.
 */
import type { PhaseSettings, TaskSpec } from "../sim/plan.js";
import type { Props, RawPolicy } from "./props.js";
import { fail, type Ctx } from "./ctx.js";

const RT: ReadonlySet<RawPolicy> = new Set(["SCHED_FIFO", "SCHED_RR"]);

/** One entry per phase: its settings, or undefined when it changes nothing. */
export function phaseSettings(ctx: Ctx, task: Props, phases: readonly Props[], defaultPolicy: RawPolicy): (PhaseSettings | undefined)[] {
  const perPhaseCpus = phases.some((p) => p.cpus !== undefined);
  let policy: RawPolicy = task.policy?.value ?? defaultPolicy;
  return phases.map((p) => {
    const set: { -readonly [K in keyof PhaseSettings]: PhaseSettings[K] } = {};
    if (p.policy) {
      policy = p.policy.value;
      set.policy = policy;
      if (RT.has(policy)) set.rtPriority = rtPriority(ctx, p, policy);
      if (policy === "SCHED_DEADLINE") set.deadline = deadlineOfPhase(task, p);
    } else if (p.priority && RT.has(policy)) {
      set.rtPriority = rtPriority(ctx, p, policy);
    }
    // priority is the nice value except under an RT policy (where it is the RT priority)
    const nice = p.nice?.value ?? (p.priority && !RT.has(policy) ? p.priority.value : undefined);
    if (nice !== undefined) set.nice = nice;
    if (perPhaseCpus) set.cpus = p.cpus?.value ?? task.cpus?.value ?? null;
    if (p.taskgroup) set.taskgroup = p.taskgroup.value.path;
    return Object.keys(set).length > 0 ? set : undefined;
  });
}

/** A phase's RT priority (1 when it gives none); a nice-range value is an error under an RT policy. */
function rtPriority(ctx: Ctx, p: Props, policy: RawPolicy): number {
  const pr = p.priority;
  if (pr === undefined) return 1;
  if (pr.value < 1) fail(ctx, pr.path, `an RT priority from 1 to 99 for ${policy}`, pr.value);
  return pr.value;
}

/** A phase's SCHED_DEADLINE parameters (its own, else the task's); defaults as in sched.ts. */
function deadlineOfPhase(task: Props, p: Props): TaskSpec["deadline"] {
  const r = (p["dl-runtime"] ?? task["dl-runtime"])?.value;
  if (r === undefined || r <= 0) return null;
  const d = (p["dl-deadline"] ?? task["dl-deadline"])?.value;
  const periodUs = (p["dl-period"] ?? task["dl-period"])?.value ?? d ?? r;
  return { runtimeUs: r, periodUs, deadlineUs: d ?? periodUs };
}
