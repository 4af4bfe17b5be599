/**
 * The pool's worker entry: runs one job and returns its outcome as plain data (an error becomes a
 * value, never an exception across threads). `runInline` is the same thing in the calling thread.
 */
import { threadId } from "node:worker_threads";
import { prepareJobScheduler, runJob, type Job } from "./job.js";
import { InputError } from "../sim/errors.js";
import type { RunResult } from "../sim/result.js";

/**
 * What a job came to: a result, or the error as a value. `thread` is the id of the thread that ran
 * it (0 = the main thread; diagnostics only, never written to results). A job stopped by
 * `--job-timeout` has `timedOut` set.
 */
export type JobOutcome =
  | { ok: true; result: RunResult; thread?: number }
  | { ok: false; error: string; userError: boolean; timedOut?: boolean; thread?: number };

/** Runs a job in this thread (loading its scheduler file first if it has one), turning errors into values. */
export async function runInline(job: Job): Promise<JobOutcome> {
  try {
    await prepareJobScheduler(job);
    return { ok: true, result: runJob(job), thread: threadId };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { ok: false, error, userError: e instanceof InputError, thread: threadId };
  }
}

export default function work(job: Job): Promise<JobOutcome> {
  return runInline(job);
}
