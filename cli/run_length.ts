/**
 * A run's length: `--duration` when given; otherwise the workload's own (its global.duration, or
 * the end of its tasks when all of them end by themselves); otherwise the command's default.
 */
import type { JobSpec, RunResult } from "../sim/result.js";
import type { WorkloadPlan } from "../sim/plan.js";
import { ownLength } from "../workloads/run_length.js";
import { CliError } from "./errors.js";

/** A run "until the tasks end" stops here at the latest (simulated seconds), and says so. */
export const TASKS_END_CAP_S = 600;

export interface RunLength {
  readonly durationNs: number;
  readonly durationFrom: NonNullable<JobSpec["durationFrom"]>;
}

/**
 * `flagNs` is --duration (null when not given), `defaultNs` the command's default. With
 * `tasksEnd` false (crash-demo, whose fault needs a fixed window) a finite workload without a
 * duration gets the default.
 */
export function runLength(flagNs: number | null, defaultNs: number, plan: WorkloadPlan, tasksEnd = true): RunLength {
  if (flagNs !== null) return { durationNs: flagNs, durationFrom: "flag" };
  const own = ownLength(plan);
  if (own.kind === "seconds") return { durationNs: Math.round(own.seconds * 1e9), durationFrom: "workload" };
  if (own.kind === "tasks-end" && tasksEnd) return { durationNs: TASKS_END_CAP_S * 1e9, durationFrom: "tasks-end" };
  return { durationNs: defaultNs, durationFrom: "default" };
}

/** --warmup and --crash-at checked against the length the run really has. */
export function checkWithinRun(len: RunLength, warmupNs: number, crashAtNs: number | null): void {
  const what = len.durationFrom === "workload" ? "the workload's global.duration" : "--duration";
  if (crashAtNs !== null && crashAtNs > len.durationNs) throw new CliError(`--crash-at ${crashAtNs / 1e9}: expected a time within the run (≤ ${what}, ${len.durationNs / 1e9} s)`);
  if (warmupNs >= len.durationNs) throw new CliError(`--warmup ${warmupNs / 1e9}: expected less than ${what} (${len.durationNs / 1e9} s)`);
}

/** The run header's "N s simulated" with what set it, e.g. "1.60 s simulated (until the tasks ended)". */
export function describeRunLength(r: RunResult): string {
  const s = `${(r.simNs / 1e9).toFixed(2)} s simulated`;
  const j = r.job;
  switch (j.durationFrom) {
    case "flag": return `${s} (--duration)`;
    case "workload": return `${s} (the workload's global.duration)`;
    case "default": return `${s} (default length: the workload runs forever)`;
    case "tasks-end": {
      const cap = (j.durationNs / 1e9).toFixed(0);
      switch (r.end?.reason) {
        case "tasks-ended": return `${s} (until the tasks ended)`;
        case "stuck": return `${s} (stopped: ${r.end.blocked} task${r.end.blocked === 1 ? "" : "s"} blocked for good; rt-app would hang here)`;
        case "cap": return `${s} (the tasks had not ended at the ${cap} s safety cap; pass --duration to choose)`;
        default: return `${s} (until the tasks end, at most ${cap} s)`;
      }
    }
    default: return s;
  }
}
