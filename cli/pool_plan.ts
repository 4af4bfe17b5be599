/**
 * How a sweep is split before it runs: what each job is estimated to cost, which jobs must run
 * on a watched pool thread, how many threads are worth starting, and the lanes (contiguous runs
 * of one scheduler's jobs, one lane per thread that runs jobs).
 */
import type { Job } from "./job.js";
import { schedulerSpec } from "../schedulers/source/spec.js";
import { INLINING_PAYS_MS } from "./v8_flags.js";

/**
 * What a second runner costs, as the share of the estimated work (estimateMs units) it must get
 * before it is worth starting. Not its loading: a thread is up and has its worker entry loaded
 * ~0.1 s after it is asked for (`scxlab bench`, "of which loading"), and then runs its first
 * jobs exactly as cold as the calling thread ran its own (the same pass: 1.2–1.6 s cold against
 * 0.14–0.25 s warm on either, quiet machine). What it costs is CPU: each runner warms its own
 * JIT, and V8's compiler threads, which with one worker run on the idle core for free, then
 * compete with both runners. On the default line-up × mixed × 3 seeds × 20 s the 2-worker run
 * needs ~2.0 CPU-s beyond the 1-worker calling thread's 1.5–1.6 s (bench, "crossover from CPU
 * time"), so two runners win only above ~2 s of calling-thread work, i.e. ~3.6 s of estimated
 * work (that sweep estimates 2.9 s for 1.6 s of run), twice this figure.
 */
export const WORKER_START_MS = 1700;

/**
 * Wall ms per unit of jobCost (a simulated CPU-millisecond) of a typical run. The real pace
 * varies with the job: bench's 5 s jobs on mixed run at 1.2–2.5 µs, the 20 s sweep at ~0.8 µs
 * (per-job set-up weighs less); the calling thread re-judges from its own pace (pool.ts).
 */
export const MS_PER_COST = 0.0015;

/** How long a scheduler callback may run before it counts as runaway (wall ms). */
export const CALLBACK_TIMEOUT_MS = 5000;

/** A job's rough cost (simulated CPU-milliseconds), for balancing lanes. */
export function jobCost(job: Job): number {
  return Math.max(1, job.durationNs / 1e6) * Math.max(1, job.cpus);
}

/** A job's estimated wall time on a warm thread, ms. */
export function estimateMs(job: Job): number {
  return jobCost(job) * MS_PER_COST;
}

/**
 * Whether a larger V8 inlining budget repays its compiling on these jobs: they are estimated
 * to run INLINING_PAYS_MS each on average (see v8_flags.ts).
 */
export function inliningPays(jobs: readonly Job[]): boolean {
  return jobs.length > 0 && jobs.reduce((s, j) => s + estimateMs(j), 0) / jobs.length >= INLINING_PAYS_MS;
}

/**
 * Whether the job's scheduler is code that may never return from a callback: a user's module
 * file. Built-ins are ours, and a BPF object's programs run under an instruction budget.
 */
export function canRunAway(job: Job): boolean {
  return schedulerSpec(job.scheduler, job.options).kind === "module";
}

/**
 * The bound on a job whose scheduler can run away when no --job-timeout is given: a minute
 * plus a thousand times its estimate, so that only a run that cannot end reaches it.
 */
export function defaultJobTimeoutMs(job: Job): number {
  return Math.round(60_000 + 1000 * estimateMs(job));
}

/** Who runs a sweep: the calling thread or not, and how many pool threads. */
export interface Crew {
  readonly inline: boolean;
  readonly threads: number;
}

/**
 * With --job-timeout (or forced) every job runs on one of `workers` threads, as only a thread
 * can be stopped. Otherwise the calling thread is one of the workers, and each further thread
 * starts only if its share of the estimated work exceeds its start-up cost; a job that can run
 * away needs a thread whatever its size (with one worker, the calling thread then runs nothing).
 */
export function planCrew(jobs: readonly Job[], o: { workers: number; timeout: boolean; forcePool: boolean; startMs: number }): Crew {
  if (o.timeout || o.forcePool) return { inline: false, threads: o.workers };
  const watched = jobs.some(canRunAway);
  if (watched && o.workers === 1) return { inline: false, threads: 1 };
  const work = jobs.reduce((s, j) => s + (canRunAway(j) ? 0 : estimateMs(j)), 0);
  const threads = threadsWorthStarting(work, o.workers, o.startMs);
  return { inline: true, threads: watched ? Math.max(1, threads) : threads };
}

/**
 * Pool threads worth starting beside the calling thread for `workMs` of work left: each one
 * must get a share of it larger than its start-up cost.
 */
export function threadsWorthStarting(workMs: number, workers: number, startMs: number): number {
  let threads = 0;
  while (threads < workers - 1 && workMs / (threads + 2) > startMs) threads++;
  return threads;
}

/**
 * Cuts job indices into `n` contiguous lanes of about equal cost, after sorting by scheduler
 * (then options, longest first, then job order). Returns the lanes, each in the order its jobs
 * are to run.
 */
export function planLanes(jobs: readonly Job[], n: number): number[][] {
  const key = (j: Job) => `${j.scheduler}\u0000${JSON.stringify(j.options ?? {})}`;
  const order = jobs.map((_, i) => i).sort((a, b) => {
    const ka = key(jobs[a]), kb = key(jobs[b]);
    return ka < kb ? -1 : ka > kb ? 1 : jobCost(jobs[b]) - jobCost(jobs[a]) || a - b;
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
