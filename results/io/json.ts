import { join } from "node:path";
import type { RunResult, TaskResult } from "../../sim/result.js";
import type { Aggregate } from "../aggregate.js";
import { formatOptions } from "../label.js";
import { atomicWriteStream } from "./atomic_write.js";
import { prettyJsonPieces } from "./json_pieces.js";

/**
 * `results.json`: the aggregate and one summary per run: the RunResult without its per-task
 * records (thousands of them in open-loop runs), its timeline, and its wall time (which depends
 * on the machine and the worker count; everything kept is a pure function of the job). The
 * per-task records go to `tasks.json` when asked for (compare --per-task).
 */

export const RESULTS_SCHEMA = "scxlab.results/2";
export const TASKS_SCHEMA = "scxlab.tasks/1";

/** A run as results.json keeps it. */
export type RunSummary = Omit<RunResult, "tasks" | "timeline" | "wallMs">;

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  runs: RunSummary[];
  aggregate: Aggregate;
}

/** The summary of a run: everything but per-task records, timeline and wall time. */
export function runSummary(r: RunResult | RunSummary): RunSummary {
  const { tasks: _tasks, timeline: _timeline, wallMs: _wall, ...rest } = r as RunResult;
  return rest;
}

export async function writeResultsJson(
  dir: string,
  results: readonly (RunResult | RunSummary)[],
  aggregate: Aggregate,
  fileName = "results.json",
): Promise<string> {
  const file: ResultsFile = { schema: RESULTS_SCHEMA, runs: results.map(runSummary), aggregate };
  // in pieces down to each group: a sweep over a workload of many task names is too long for one string
  return atomicWriteStream(join(dir, fileName), withNewline(prettyJsonPieces(file, 4, " ")));
}

/** `tasks.json`: each run's per-task records, named by the run's job (same order as results.json). */
export async function writeTasksJson(dir: string, results: readonly RunResult[], fileName = "tasks.json"): Promise<string> {
  const runs = results.map((r) => ({
    scheduler: r.job.scheduler,
    options: formatOptions(r.job.options),
    workload: r.job.workload,
    seed: r.job.seed,
    tasksTruncated: r.tasksTruncated,
    tasks: r.tasks as TaskResult[],
  }));
  return atomicWriteStream(join(dir, fileName), withNewline(prettyJsonPieces({ schema: TASKS_SCHEMA, runs }, 4, "")));
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield "\n";
}
