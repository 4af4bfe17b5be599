/**
 * Merge task- and phase-level scheduling properties into the single set a TaskSpec holds.
 * rt-app applies a phase's properties when the phase starts; the plan has one set per task, so
 * the first phase's values win over the task's (they are what the task actually starts with)
 * and any disagreement is reported as a warning. RT and DEADLINE policies map to SCHED_OTHER.
 */
import type { PolicySpec, TaskSpec } from "../sim/plan.js";
import { fail, warn, type Ctx } from "./ctx.js";
import type { Prop, Props, RawPolicy, Taskgroup } from "./props.js";

export interface Sched {
  readonly policy: PolicySpec;
  readonly nice: number;
  readonly cpus: readonly number[] | null;
  readonly taskgroup: Prop<Taskgroup> | null;
  readonly deadline: TaskSpec["deadline"];
}

const KEYS = ["policy", "priority", "nice", "cpus", "taskgroup", "dl-runtime", "dl-period", "dl-deadline"] as const;
type Merged = { [K in (typeof KEYS)[number]]?: NonNullable<Props[K]> };

export function resolveSched(ctx: Ctx, taskPath: string, task: Props, phases: readonly Props[], defaultPolicy: RawPolicy): Sched {
  const eff = merge(ctx, taskPath, task, phases);
  const raw: RawPolicy = eff.policy?.value ?? defaultPolicy;
  const rt = raw === "SCHED_FIFO" || raw === "SCHED_RR";
  const mapped = rt || raw === "SCHED_DEADLINE";
  if (rt && eff.priority && eff.priority.value < 1) {
    fail(ctx, eff.priority.path, `an RT priority from 1 to 99 for ${raw}`, eff.priority.value);
  }
  const nice = mapped ? eff.nice?.value ?? 0 : niceOf(ctx, eff);
  if (mapped && eff.policy) { // a default_policy mapping is reported once, by the global section
    const lost = eff.priority ? ` (priority ${eff.priority.value} ignored)` : "";
    warn(ctx, eff.policy.path, `${raw} is not modelled; mapped to SCHED_OTHER at nice ${nice}${lost}`);
  }
  const deadline = deadlineOf(ctx, eff);
  if (raw === "SCHED_DEADLINE" && deadline === null) {
    fail(ctx, eff.policy?.path ?? taskPath, "dl-runtime > 0 with SCHED_DEADLINE", undefined);
  }
  const slice = eff["dl-runtime"];
  if ((raw === "SCHED_OTHER" || raw === "SCHED_BATCH") && slice && !eff["dl-period"] && !eff["dl-deadline"]) {
    // rt-app passes dl-runtime as sched_runtime, which fair tasks take as their slice (Linux ≥ 6.12)
    warn(ctx, slice.path, `a custom slice of ${slice.value} µs for ${raw} (Linux ≥ 6.12): the simulator's fair class ` +
      "has no per-task slice yet, so it is kept only as the deadline hint of EDF-like policies");
  }
  const policy: PolicySpec = mapped ? "SCHED_OTHER" : raw;
  return { policy, nice, cpus: eff.cpus?.value ?? null, taskgroup: eff.taskgroup ?? null, deadline };
}

function merge(ctx: Ctx, taskPath: string, task: Props, phases: readonly Props[]): Merged {
  const eff: Merged = {};
  for (const key of KEYS) {
    const first = phases[0]?.[key] ?? task[key];
    if (first !== undefined) (eff as Record<string, unknown>)[key] = first;
    // what the task would see over its life: the task's value (or the default) and each phase's
    const seen = [first === undefined ? "default" : JSON.stringify(first.value)];
    for (const p of [task[key], ...phases.map((ph) => ph[key])]) if (p !== undefined) seen.push(JSON.stringify(p.value));
    const distinct = [...new Set(seen)];
    if (distinct.length > 1) {
      warn(ctx, taskPath, `${key} changes from phase to phase (${distinct.join(", ")}): the plan records each phase's, ` +
        `but the simulator does not apply per-phase changes yet and keeps ${distinct[0]} throughout`);
    }
  }
  return eff;
}

/** For SCHED_OTHER-like policies, priority is the nice value; `nice` is an alias. */
function niceOf(ctx: Ctx, eff: Merged): number {
  const { priority, nice } = eff;
  if (priority && priority.value > 19) {
    fail(ctx, priority.path, "a nice value, an integer from -20 to 19", priority.value);
  }
  if (priority && nice && priority.value !== nice.value) {
    fail(ctx, nice.path, `the same value as priority (${priority.value}), or only one of the two`, nice.value);
  }
  return priority?.value ?? nice?.value ?? 0;
}

/**
 * Defaults: period = dl-deadline or else dl-runtime (rt-app uses runtime), deadline = period.
 * Checked against Linux's rule runtime ≤ deadline ≤ period.
 */
function deadlineOf(ctx: Ctx, eff: Merged): TaskSpec["deadline"] {
  const r = eff["dl-runtime"];
  const p = eff["dl-period"];
  const d = eff["dl-deadline"];
  if (!r && !p && !d) return null;
  if (!r || r.value <= 0) return fail(ctx, r?.path ?? (p ?? d)!.path, "dl-runtime > 0 with dl-period/dl-deadline", r?.value);
  const periodUs = p?.value ?? d?.value ?? r.value;
  const deadlineUs = d?.value ?? periodUs;
  if (deadlineUs < r.value) return fail(ctx, (d ?? p)!.path, `microseconds ≥ dl-runtime (${r.value})`, deadlineUs);
  if (periodUs < deadlineUs) return fail(ctx, p!.path, `microseconds ≥ dl-deadline (${deadlineUs})`, periodUs);
  return { runtimeUs: r.value, periodUs, deadlineUs };
}
