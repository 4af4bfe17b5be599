/**
 * The worker pool: `runJobs(jobs, options) → results`, keyed by job index so the output never
 * depends on which worker ran what. Jobs are grouped by scheduler when handed out, so each
 * worker's call sites see as few scheduler classes as possible (design.md §3). One worker, or
 * a single job, runs in-process.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { runJob, type Job } from "./job.js";
import type { RunResult } from "../sim/result.js";

export interface PoolOptions {
  readonly workers?: number;
  /** Called after each finished job with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

/** What a worker returns: a result, or the error as a value (never thrown across threads). */
export type JobOutcome = { ok: true; result: RunResult } | { ok: false; error: string; userError: boolean };

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Runs every job; results come back in job order. */
export async function runJobs(jobs: readonly Job[], opts: PoolOptions = {}): Promise<JobOutcome[]> {
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const out: JobOutcome[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, o: JobOutcome) => {
    out[i] = o;
    opts.onProgress?.(++done, jobs.length);
  };
  if (workers <= 1) {
    for (let i = 0; i < jobs.length; i++) {
      if (opts.signal?.aborted) throw new Error("aborted");
      finish(i, runInline(jobs[i]));
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const pool = new Piscina({
    filename: new URL("./worker.js", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
  });
  try {
    const order = jobs.map((_, i) => i).sort((a, b) => (jobs[a].scheduler < jobs[b].scheduler ? -1 : jobs[a].scheduler > jobs[b].scheduler ? 1 : a - b));
    await Promise.all(order.map(async (i) => {
      const o = (await pool.run(jobs[i], { signal: opts.signal })) as JobOutcome;
      finish(i, o);
    }));
  } finally {
    await pool.destroy();
  }
  return out;
}

/** Runs a job in this thread, turning errors into values. */
export function runInline(job: Job): JobOutcome {
  try {
    return { ok: true, result: runJob(job) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const userError = e instanceof Error && ["WorkloadError", "OptionError", "TopologyError", "CliError"].includes(e.constructor.name);
    return { ok: false, error, userError };
  }
}
