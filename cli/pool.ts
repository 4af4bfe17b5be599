/**
 * The worker pool: `runJobs(jobs, options) → outcomes`, one per job, in job order, so the output
 * never depends on which worker ran what or when it finished.
 *
 * Lanes. A V8 call site that has seen more than four scheduler classes goes megamorphic for good
 * (design.md §3), so jobs are not dealt out first-come first-served: they are sorted by scheduler
 * and cut into one contiguous lane per worker (balanced by estimated cost), and a worker that
 * finishes a job is handed the next job of the same lane. Only one job per worker is in flight,
 * so the worker that just finished is the only idle one and piscina gives it that job. A worker
 * whose lane is empty steals from the tail of the lane with the most work left (the scheduler
 * that lane would reach last). Each worker thus sees the schedulers of about one lane.
 *
 * Timeouts. With `jobTimeoutMs`, a job still running after that long is aborted: piscina
 * terminates its worker thread (a synchronous simulation cannot be interrupted any other way),
 * starts a fresh one, and the job's outcome says it timed out; the sweep goes on. Jobs then
 * always run on pool threads, even with one worker.
 *
 * Without a timeout, one worker (or one job) runs in the calling thread: no thread start-up.
 */
import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import type { Job } from "./job.js";
import { runInline, type JobOutcome } from "./worker.js";

export type { JobOutcome } from "./worker.js";
export { runInline } from "./worker.js";

export interface PoolOptions {
  /** Worker threads (default: the CPU count). */
  readonly workers?: number;
  /** Called after each finished job with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborting stops the sweep: running jobs are stopped and runJobs rejects. */
  readonly signal?: AbortSignal;
  /** Stop a job that runs longer than this many ms (its worker is terminated); 0 or absent: never. */
  readonly jobTimeoutMs?: number;
  /** Use pool threads even for one worker (benchmarks compare 1 and N threads like for like). */
  readonly forcePool?: boolean;
  /**
   * Another worker entry with worker.ts's contract (default export: Job → JobOutcome), as a file
   * URL. For tests, e.g. one that also registers a scheduler whose callback never returns.
   */
  readonly workerUrl?: string;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A job's rough cost (simulated CPU-seconds), for balancing lanes. */
export function jobCost(job: Job): number {
  return Math.max(1, job.durationNs / 1e6) * Math.max(1, job.cpus);
}

/**
 * Cuts job indices into `n` contiguous lanes of about equal cost, after sorting by scheduler
 * (then options, then job order). Returns the lanes, each in the order its jobs are to run.
 */
export function planLanes(jobs: readonly Job[], n: number): number[][] {
  const key = (j: Job) => `${j.scheduler}\u0000${JSON.stringify(j.options ?? {})}`;
  const order = jobs.map((_, i) => i).sort((a, b) => {
    const ka = key(jobs[a]), kb = key(jobs[b]);
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  const total = order.reduce((s, i) => s + jobCost(jobs[i]), 0);
  const lanes: number[][] = Array.from({ length: n }, () => []);
  let acc = 0;
  for (const i of order) {
    const c = jobCost(jobs[i]);
    // The lane whose share of the cost this job's midpoint falls in.
    const lane = Math.min(n - 1, Math.floor(((acc + c / 2) / total) * n));
    lanes[lane].push(i);
    acc += c;
  }
  // A lane can come out empty when costs are very uneven; give it a job from the fullest lane.
  for (let l = 0; l < n; l++) {
    if (lanes[l].length > 0) continue;
    let from = -1;
    for (let k = 0; k < n; k++) if (lanes[k].length > 1 && (from < 0 || lanes[k].length > lanes[from].length)) from = k;
    if (from < 0) break;
    lanes[l].push(lanes[from].pop()!);
  }
  return lanes;
}

/** Runs every job; outcomes come back in job order. */
export async function runJobs(jobs: readonly Job[], opts: PoolOptions = {}): Promise<JobOutcome[]> {
  const timeoutMs = opts.jobTimeoutMs !== undefined && opts.jobTimeoutMs > 0 ? opts.jobTimeoutMs : 0;
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const out: JobOutcome[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, o: JobOutcome) => {
    out[i] = o;
    opts.onProgress?.(++done, jobs.length);
  };
  if (jobs.length === 0) return out;
  if (workers <= 1 && timeoutMs === 0 && opts.forcePool !== true) {
    for (let i = 0; i < jobs.length; i++) {
      if (opts.signal?.aborted) throw new Error("aborted");
      finish(i, await runInline(jobs[i]));
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  if (opts.signal?.aborted) throw new Error("aborted");

  const pool = new Piscina({
    filename: opts.workerUrl ?? new URL("./worker.js", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    // Workers live for the whole sweep; a thread start costs ~30 ms and resets the JIT.
    idleTimeout: 10 * 60_000,
  });
  const lanes = planLanes(jobs, workers);
  const left = lanes.map((l) => l.reduce((s, i) => s + jobCost(jobs[i]), 0));

  /** Schedulers each lane's worker has run: a thief prefers work of one it already knows. */
  const seen = lanes.map(() => new Set<string>());
  const take = (lane: number, from: number, at: number) => {
    const job = lanes[from].splice(at, 1)[0];
    left[from] -= jobCost(jobs[job]);
    seen[lane].add(jobs[job].scheduler);
    return { job, lane };
  };
  /** The next job for a worker that just ran lane `lane`: its own next, or stolen from a tail. */
  const next = (lane: number): { job: number; lane: number } | null => {
    if (lanes[lane].length > 0) return take(lane, lane, 0);
    // Steal the last job of a scheduler this worker has run, from the lane with the most work
    // left; failing that, the last job of the lane with the most work left.
    let victim = -1, at = -1;
    for (let l = 0; l < lanes.length; l++) {
      if (lanes[l].length === 0 || (victim >= 0 && left[l] <= left[victim])) continue;
      for (let k = lanes[l].length - 1; k >= 0; k--) {
        if (seen[lane].has(jobs[lanes[l][k]].scheduler)) { victim = l; at = k; break; }
      }
    }
    if (victim < 0) {
      for (let l = 0; l < lanes.length; l++) if (lanes[l].length > 0 && (victim < 0 || left[l] > left[victim])) victim = l;
      if (victim < 0) return null;
      at = lanes[victim].length - 1;
    }
    return take(lane, victim, at);
  };

  const runOne = async (i: number): Promise<JobOutcome> => {
    const timer = timeoutMs > 0 ? new AbortController() : null;
    const handle = timer !== null ? setTimeout(() => timer.abort(), timeoutMs) : null;
    const signals = [timer?.signal, opts.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    try {
      return (await pool.run(jobs[i], signal !== undefined ? { signal } : {})) as JobOutcome;
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if (timer?.signal.aborted) {
        return { ok: false, error: `timed out after ${formatSeconds(timeoutMs)} (worker stopped)`, userError: false, timedOut: true };
      }
      // The worker died under the job (out of memory, a native crash): report it like an error.
      return { ok: false, error: `worker failed: ${e instanceof Error ? e.message : String(e)}`, userError: false };
    } finally {
      if (handle !== null) clearTimeout(handle);
    }
  };

  const drive = async (lane: number): Promise<void> => {
    for (let n = next(lane); n !== null; n = next(n.lane)) {
      if (opts.signal?.aborted) throw new Error("aborted");
      finish(n.job, await runOne(n.job));
    }
  };

  try {
    await Promise.all(lanes.map((_, l) => drive(l)));
  } catch (e) {
    if (opts.signal?.aborted) throw new Error("aborted");
    throw e;
  } finally {
    await pool.destroy();
  }
  return out;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${+s.toFixed(3)} s`;
}
