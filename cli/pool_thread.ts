/**
 * A pool thread: imports the worker entry it was given (default export: (job, watch) → outcome),
 * then runs the jobs posted to it one at a time, in the order they came. While a job runs, its
 * slot of shared memory says which job it is, since when, and how far its scheduler's callbacks
 * got, so that the calling thread can stop a job that runs too long or a callback that never
 * returns without asking this thread (which is busy in a synchronous run).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Job, JobWatch } from "./job.js";
import type { JobOutcome } from "./worker.js";
import { SLOT } from "./pool_slot.js";

/** A job as the pool posts it: its index in the sweep, and the call to eject at when replaying. */
export interface PostedJob {
  readonly index: number;
  readonly job: Job;
  readonly abandon: JobWatch["abandon"];
}

interface ThreadData {
  readonly entry: string;
  readonly slot: SharedArrayBuffer;
}

const { entry, slot } = workerData as ThreadData;
const state = new Float64Array(slot);
const progress = state.subarray(SLOT.calls, SLOT.depth + 1);
const work = import(entry).then((m: { default: (job: Job, watch?: JobWatch) => Promise<JobOutcome> }) => m.default);

// Listening from the first tick: jobs may be posted while the entry still loads.
let queue: Promise<void> = Promise.resolve();
parentPort!.on("message", (m: PostedJob) => {
  queue = queue.then(() => runPosted(m));
});

async function runPosted(m: PostedJob): Promise<void> {
  const run = await work;
  state[SLOT.calls] = 0;
  state[SLOT.depth] = 0;
  state[SLOT.startedMs] = Date.now();
  state[SLOT.job] = m.index;
  const outcome = await run(m.job, { progress, abandon: m.abandon });
  state[SLOT.job] = -1;
  parentPort!.postMessage({ index: m.index, outcome });
}
