/**
 * A bench thread that times its own start (issue 20.1): when it came up, when the worker entry
 * (the simulator, as a pool thread loads it) was loaded, and when each job of one cold pass
 * ended, all as absolute high-resolution times (`performance.timeOrigin` is comparable across
 * threads), so the calling thread can set them against the same pass run cold on itself.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Job } from "../job.js";

/** What the thread posts back: absolute ms (timeOrigin-based). */
export interface ThreadTimeline {
  /** The thread's isolate began (its timeOrigin). */
  readonly bornAt: number;
  /** This file ran: Node's bootstrap in the thread is over. */
  readonly upAt: number;
  /** The worker entry and everything it imports are loaded. */
  readonly loadedAt: number;
  /** End of each job of the pass, in order. */
  readonly doneAt: number[];
}

const now = () => performance.timeOrigin + performance.now();
const upAt = now();
const { runInline } = await import("../worker.js");
const loadedAt = now();
const doneAt: number[] = [];
for (const job of (workerData as { jobs: Job[] }).jobs) {
  const o = await runInline(job);
  if (!o.ok) throw new Error(o.error);
  doneAt.push(now());
}
parentPort!.postMessage({ bornAt: performance.timeOrigin, upAt, loadedAt, doneAt } satisfies ThreadTimeline);
