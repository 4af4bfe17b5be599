/**
 * Merge task- and phase-level scheduling properties into the single set a TaskSpec holds.
 * rt-app applies a phase's properties when the phase starts; the plan has one set per task, so
 * the first phase's values win over the task's (they are what the task actually starts with);
 * the later phases' changes are carried in PhaseSpec.set and applied by the kernel.
 * SCHED_FIFO/SCHED_RR take `priority` as their RT priority (1..99), other policies as nice.
 */
import type { PolicySpec, TaskSpec } from "../sim/plan.js";
import { fail, type Ctx } from "./ctx.js";
import type { Prop, Props, RawPolicy, Taskgroup } from "./props.js";

export interface Sched {
  readonly policy: PolicySpec;
  readonly nice: number;
  /** SCHED_FIFO/SCHED_RR priority (1..99), or undefined. */
  readonly rtPriority: number | undefined;
  /** dl-runtime on SCHED_OTHER/BATCH/IDLE without a period: the task's custom slice (µs), or null. */
  readonly sliceUs: number | null;
  readonly cpus: readonly number[] | null;
  readonly taskgroup: Prop<Taskgroup> | null;
  readonly deadline: TaskSpec["deadline"];
}

const KEYS = ["policy", "priority", "nice", "cpus", "taskgroup", "dl-runtime", "dl-period", "dl-deadline"] as const;
type Merged = { [K in (typeof KEYS)[number]]?: NonNullable<Props[K]> };

export function resolveSched(ctx: Ctx, taskPath: string, task: Props, phases: readonly Props[], defaultPolicy: RawPolicy): Sched {
  const eff = merge(task, phases);
  const raw: RawPolicy = eff.policy?.value ?? defaultPolicy;
  const rt = raw === "SCHED_FIFO" || raw === "SCHED_RR";
  const mapped = rt || raw === "SCHED_DEADLINE";
  if (rt && eff.priority && (eff.priority.value < 1 || eff.priority.value > 99)) {
    fail(ctx, eff.priority.path, `an RT priority from 1 to 99 for ${raw}`, eff.priority.value);
  }
  const nice = mapped ? eff.nice?.value ?? 0 : niceOf(ctx, eff);
  const deadline = deadlineOf(ctx, eff);
  if (raw === "SCHED_DEADLINE" && deadline === null) {
    fail(ctx, eff.policy?.path ?? taskPath, "dl-runtime > 0 with SCHED_DEADLINE", undefined);
  }
  // rt-app passes dl-runtime as sched_runtime, which fair tasks take as their slice (Linux ≥ 6.12)
  const slice = eff["dl-runtime"];
  const sliceUs = !mapped && slice && !eff["dl-period"] && !eff["dl-deadline"] ? slice.value : null;
  // rt-app gives an RT task without a priority the lowest one (THREAD_PRIORITY_DEFAULT... 1 here)
  const rtPriority = rt ? eff.priority?.value ?? 1 : undefined;
  return { policy: raw, nice, rtPriority, sliceUs, cpus: eff.cpus?.value ?? null, taskgroup: eff.taskgroup ?? null, deadline };
}

function merge(task: Props, phases: readonly Props[]): Merged {
  const eff: Merged = {};
  for (const key of KEYS) {
    const first = phases[0]?.[key] ?? task[key];
    if (first !== undefined) (eff as Record<string, unknown>)[key] = first;
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
