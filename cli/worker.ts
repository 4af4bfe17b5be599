/** The pool's worker entry: runs one job and returns its outcome as plain data. */
import { runInline, type JobOutcome } from "./pool.js";
import type { Job } from "./job.js";

export default function work(job: Job): JobOutcome {
  return runInline(job);
}
