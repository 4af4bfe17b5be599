/**
 * `compare` as a library function: schedulers × workloads × seeds through the worker pool, the
 * aggregate across seeds, and (with `out`) the same report.html, results.json and results.csv
 * the command writes. Scheduler specs are what `-s` takes: a built-in, a module file, a `.bpf.o`.
 */
import { aggregate, writeReport, writeResultsCsv, writeResultsJson, type Aggregate } from "../results/index.js";
import type { RunResult } from "../sim/result.js";
import type { RawOptions } from "../schedulers/index.js";
import { loadWorkload } from "../workloads/load.js";
import { prepareSchedulers, sweepJobs } from "./job.js";
import { runLength } from "./run_length.js";
import { runJobs } from "./pool.js";
import { writeOutputSet } from "./output_set.js";

export interface CompareOptions {
  /** Schedulers with their options, e.g. `[{ scheduler: "simple" }, { scheduler: "./mine.ts", options: { slice_us: 3000 } }]`. */
  readonly schedulers: readonly { readonly scheduler: string; readonly options?: RawOptions }[];
  readonly workloads?: readonly string[];
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly seeds?: number;
  readonly firstSeed?: number;
  readonly cpus?: number;
  /** A topology preset or JSON file (default: a flat machine of `cpus`). */
  readonly topology?: string;
  /** Simulated seconds per run (default: the workload's own duration, else 5). */
  readonly duration?: number;
  readonly overheads?: boolean;
  /** Tick rate, CONFIG_HZ (default 250). */
  readonly hz?: number;
  readonly workers?: number;
  /** Write report.html, results.json and results.csv here, as `scxlab compare --out` does. */
  readonly out?: string;
}

const DEFAULT_DURATION_NS = 5e9;

export interface Comparison {
  readonly results: RunResult[];
  readonly aggregate: Aggregate;
}

/** Runs the sweep; results come back in job order whatever the number of workers. */
export async function compare(o: CompareOptions): Promise<Comparison> {
  const workloads = o.workloads ?? ["mixed"];
  const params = o.params ?? {};
  const given = o.duration === undefined ? null : Math.round(o.duration * 1e9);
  // As the command does: a given duration wins, else the workload's own (global.duration), else 5 s.
  const lengths = new Map(workloads.map((w) => [w, runLength(given, DEFAULT_DURATION_NS, loadWorkload(w, params))]));
  const schedulers = o.schedulers.map((s) => ({ scheduler: s.scheduler, options: { ...(s.options ?? {}) } }));
  const jobs = sweepJobs(schedulers, workloads, o.seeds ?? 3, o.firstSeed ?? 1, {
    params: { ...params }, topology: o.topology ?? "", cpus: o.cpus ?? 4, overheads: o.overheads ?? true, ...(o.hz !== undefined ? { hz: o.hz } : {}), crashAtNs: null,
  }, (w) => lengths.get(w)!);
  await prepareSchedulers(jobs);
  const outcomes = await runJobs(jobs, o.workers === undefined ? {} : { workers: o.workers });
  const results: RunResult[] = [];
  for (const [i, r] of outcomes.entries()) {
    if (!r.ok) throw new Error(`${jobs[i].scheduler} on ${jobs[i].workload} (seed ${jobs[i].seed}): ${r.error}`);
    results.push(r.result);
  }
  const agg = aggregate(results);
  if (o.out !== undefined) {
    await writeOutputSet(o.out, async (dir) => {
      await writeResultsJson(dir, results, agg);
      await writeResultsCsv(dir, results);
      await writeReport(dir, { title: `scxlab: ${workloads.join(", ")}`, results, aggregate: agg });
    });
  }
  return { results, aggregate: agg };
}
