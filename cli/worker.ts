/**
 * What runs one job of the pool: the job in, its outcome out as plain data (an error becomes a
 * value, never an exception across threads). The calling thread uses `runInline` directly; a
 * pool thread (pool_thread.ts) imports this module's default export, or a test's entry with
 * the same contract.
 */
import { threadId } from "node:worker_threads";
import { prepareJobScheduler, runJob, type Job, type JobWatch } from "./job.js";
import { InputError } from "../sim/errors.js";
import type { RunResult } from "../sim/result.js";

export type { JobWatch } from "./job.js";

/**
 * What a job came to: a result, or the error as a value. `thread` is the id of the thread that ran
 * it (0 = the main thread; diagnostics only, never written to results). A job stopped by
 * `--job-timeout` has `timedOut` set.
 */
export type JobOutcome =
  | { ok: true; result: RunResult; thread?: number }
  | { ok: false; error: string; userError: boolean; timedOut?: boolean; thread?: number };

/** Runs a job in this thread (loading its scheduler file first if it has one), turning errors into values. */
export async function runInline(job: Job, watch?: JobWatch): Promise<JobOutcome> {
  try {
    await prepareJobScheduler(job);
    return { ok: true, result: runJob(job, watch), thread: threadId };
  } catch (e) {
    return { ok: false, error: thrownMessage(e), userError: e instanceof InputError, thread: threadId };
  }
}

/** A message for anything thrown, even a value whose `message` getter throws. */
function thrownMessage(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message) : String(e);
  } catch {
    return "an exception that cannot be printed";
  }
}

export default function work(job: Job, watch?: JobWatch): Promise<JobOutcome> {
  return runInline(job, watch);
}
