/**
 * What each phase changes when it starts. rt-app applies a phase's properties at every start of
 * the phase: nice, policy and taskgroup stay until another phase sets them, while the affinity
 * falls back to the task's cpus (or all CPUs) in a phase that gives none. The plan records the
 * changes (PhaseSpec.set); applying them is the kernel's part.
 */
import type { PhaseSettings, PolicySpec } from "../sim/plan.js";
import type { Props, RawPolicy } from "./props.js";

const RT: ReadonlySet<RawPolicy> = new Set(["SCHED_FIFO", "SCHED_RR"]);

/** One entry per phase: its settings, or undefined when it changes nothing. */
export function phaseSettings(task: Props, phases: readonly Props[], defaultPolicy: RawPolicy): (PhaseSettings | undefined)[] {
  const perPhaseCpus = phases.some((p) => p.cpus !== undefined);
  let policy: RawPolicy = task.policy?.value ?? defaultPolicy;
  return phases.map((p) => {
    const set: { -readonly [K in keyof PhaseSettings]: PhaseSettings[K] } = {};
    if (p.policy) {
      policy = p.policy.value;
      set.policy = mapped(policy);
    }
    // priority is the nice value except under an RT policy (where it is the RT priority)
    const nice = p.nice?.value ?? (p.priority && !RT.has(policy) ? p.priority.value : undefined);
    if (nice !== undefined) set.nice = nice;
    if (perPhaseCpus) set.cpus = p.cpus?.value ?? task.cpus?.value ?? null;
    if (p.taskgroup) set.taskgroup = p.taskgroup.value.path;
    return Object.keys(set).length > 0 ? set : undefined;
  });
}

/** RT and DEADLINE are not modelled yet: they map to SCHED_OTHER, as for a whole task. */
function mapped(p: RawPolicy): PolicySpec {
  return p === "SCHED_FIFO" || p === "SCHED_RR" || p === "SCHED_DEADLINE" ? "SCHED_OTHER" : p;
}
