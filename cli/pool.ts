/**
 * The worker pool: `runJobs(jobs, options) → outcomes`, one per job, in job order, so the output
 * never depends on which thread ran what or when it finished.
 *
 * Who runs jobs (pool_plan.ts planCrew). The calling thread is one of the workers: it starts
 * at once, with nothing to load. Pool threads start only when their share of the sweep's
 * estimated work exceeds what one costs (WORKER_START_MS: not its loading, ~0.1 s, but the CPU
 * of warming its own JIT and of compiler threads that then compete with the runners), so a
 * short sweep is never slower on more workers. A job whose
 * scheduler is a user's module file always runs on a pool thread, where a callback that
 * never returns can be stopped; with --job-timeout every job does.
 *
 * Lanes. A V8 call site that has seen more than four scheduler classes goes megamorphic for good
 * (design.md §3), so jobs are not dealt out first-come first-served: they are sorted by scheduler
 * and cut into one contiguous lane per runner (balanced by estimated cost), and a runner takes
 * the next job of its lane. One whose lane is empty steals from the tail of the lane with the
 * most work left (a scheduler it has run if it can). A pool thread has up to two jobs posted
 * to it, so that it never waits for the calling thread (busy in a run of its own) to hand it one.
 *
 * Watchdog. Each pool thread keeps, in shared memory, which job it runs, since when, and its
 * scheduler's callback count and nesting depth. A job past its time limit (--job-timeout, or
 * for a module file a default proportional to its size) has its thread terminated and is
 * reported as timed out. A module's callback that stays unreturned for CALLBACK_TIMEOUT_MS has
 * its thread terminated, and the job is replayed on a fresh thread with the scheduler ejected
 * at that very call ("callback did not return in N s", SCX_EXIT_ERROR): the run is
 * deterministic, so the replay reaches the same call, and the run goes on under fair.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Job, JobWatch } from "./job.js";
import { runInline, type JobOutcome } from "./worker.js";
import type { PostedJob } from "./pool_thread.js";
import { SLOT } from "./pool_slot.js";
import { CALLBACK_TIMEOUT_MS, WORKER_START_MS, canRunAway, defaultJobTimeoutMs, inliningPays, jobCost, planCrew, planLanes, threadsWorthStarting } from "./pool_plan.js";
import { raiseInliningBudget } from "./v8_flags.js";
import { threadCpuMs } from "./thread_cpu.js";

export type { JobOutcome } from "./worker.js";
export { runInline } from "./worker.js";
export { jobCost, planLanes, planCrew, estimateMs, WORKER_START_MS, MS_PER_COST, CALLBACK_TIMEOUT_MS } from "./pool_plan.js";

export interface PoolOptions {
  /** Workers, the calling thread included (default: the CPU count). */
  readonly workers?: number;
  /** Called after each finished job with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Aborting stops the sweep: running jobs are stopped and runJobs rejects. */
  readonly signal?: AbortSignal;
  /** Stop a job that runs longer than this many ms (its thread is terminated); 0 or absent: never. */
  readonly jobTimeoutMs?: number;
  /** Run every job on pool threads, even with one worker (benchmarks compare thread counts like for like). */
  readonly forcePool?: boolean;
  /**
   * Another worker entry with worker.ts's contract (default export: (job, watch) → JobOutcome),
   * as a file URL. For tests, e.g. one that also registers a scheduler whose callback never returns.
   */
  readonly workerUrl?: string;
  /** Start-up cost of a pool thread assumed when deciding to start one, ms (default WORKER_START_MS). */
  readonly workerStartMs?: number;
  /** A module's callback running longer than this (wall ms) is ejected by a replay (default CALLBACK_TIMEOUT_MS). */
  readonly callbackTimeoutMs?: number;
}

export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A pool thread and what the pool knows of it. */
interface Runner {
  readonly worker: Worker;
  readonly state: Float64Array;
  readonly lane: number;
  /** Jobs posted to it and not yet answered, oldest (the running one) first. */
  readonly posted: PostedJob[];
  /** Stopped by the pool: its exit is expected. */
  stopped: boolean;
  /** Callback count last seen for its running job, and when that count was first seen. */
  seenJob: number;
  seenCalls: number;
  seenAtMs: number;
}

/** Runs every job; outcomes come back in job order. */
export async function runJobs(jobs: readonly Job[], opts: PoolOptions = {}): Promise<JobOutcome[]> {
  const out: JobOutcome[] = new Array(jobs.length);
  if (jobs.length === 0) return out;
  if (opts.signal?.aborted) throw new Error("aborted");
  const timeoutMs = opts.jobTimeoutMs !== undefined && opts.jobTimeoutMs > 0 ? opts.jobTimeoutMs : 0;
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const startMs = opts.workerStartMs ?? WORKER_START_MS;
  const crew = planCrew(jobs, { workers, timeout: timeoutMs > 0, forcePool: opts.forcePool === true, startMs });
  const callbackMs = opts.callbackTimeoutMs ?? CALLBACK_TIMEOUT_MS;
  const entry = opts.workerUrl ?? new URL("./worker.js", import.meta.url).href;
  // Long jobs repay a larger inlining budget; short ones only pay its compiling (v8_flags.ts).
  if (inliningPays(jobs)) raiseInliningBudget();

  // One lane per runner that may run: the lanes of threads not (yet) started are stolen from.
  const lanes = planLanes(jobs, crew.inline ? workers : crew.threads);
  const left = lanes.map((l) => l.reduce((s, i) => s + jobCost(jobs[i]), 0));
  let unclaimed = jobs.length;
  /** Jobs to post again, first: replays of a runaway callback, and the posted jobs of a stopped thread. */
  const again: PostedJob[] = [];
  /** Schedulers each lane's runner has run: a thief prefers work of one it already knows. */
  const seen = lanes.map(() => new Set<string>());
  /** Lanes whose runner has started (the calling thread's is lane 0 when it runs jobs). */
  const manned = lanes.map((_, l) => crew.inline && l === 0);
  const take = (lane: number, from: number, at: number) => {
    const job = lanes[from].splice(at, 1)[0];
    left[from] -= jobCost(jobs[job]);
    seen[lane].add(jobs[job].scheduler);
    unclaimed--;
    return job;
  };
  /** The next job for lane `lane`'s runner: its own next, or stolen from a tail; `fits` filters. */
  const next = (lane: number, fits: (j: Job) => boolean): number | null => {
    const own = lanes[lane].findIndex((i) => fits(jobs[i]));
    if (own >= 0) return take(lane, lane, own);
    // Work of a lane no thread has started on goes first, from its head: a sweep that no
    // thread joins then runs in the order it has on one worker (the order the JIT warms up
    // in; the reversed order ran the `npm start` sweep ~10 % slower).
    for (let l = 0; l < lanes.length; l++) {
      if (manned[l]) continue;
      const k = lanes[l].findIndex((i) => fits(jobs[i]));
      if (k >= 0) return take(lane, l, k);
    }
    // Steal the last job of a scheduler this runner has run, from the lane with the most work
    // left; failing that, the last job that fits of the lane with the most work left.
    let victim = -1, at = -1;
    for (const known of [true, false]) {
      for (let l = 0; l < lanes.length; l++) {
        if (victim >= 0 && left[l] <= left[victim]) continue;
        for (let k = lanes[l].length - 1; k >= 0; k--) {
          const j = jobs[lanes[l][k]];
          if (fits(j) && (!known || seen[lane].has(j.scheduler))) { victim = l; at = k; break; }
        }
      }
      if (victim >= 0) return take(lane, victim, at);
    }
    return null;
  };

  let done = 0;
  let settle: (e?: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    settle = (e?: unknown) => (e === undefined ? resolve() : reject(e));
  });
  // Awaited once the calling thread's own runs are over; an abort may reject it before that.
  finished.catch(() => {});
  const finish = (i: number, o: JobOutcome) => {
    if (out[i] !== undefined) return;
    out[i] = o;
    done++;
    opts.onProgress?.(done, jobs.length);
    if (done === jobs.length) settle();
  };

  const runners: Runner[] = [];
  const spawn = (lane: number): Runner => {
    const slot = new SharedArrayBuffer(SLOT.size * 8);
    const state = new Float64Array(slot);
    state[SLOT.job] = -1;
    const worker = new Worker(new URL("./pool_thread.js", import.meta.url), { workerData: { entry, slot } });
    const r: Runner = { worker, state, lane, posted: [], stopped: false, seenJob: -1, seenCalls: -1, seenAtMs: 0 };
    worker.on("message", (m: { index: number; outcome: JobOutcome }) => {
      r.posted.shift();
      finish(m.index, m.outcome);
      pump(r);
    });
    // The thread died under its job (out of memory, a native crash, its entry failed to load).
    const died = (why: string) => {
      if (r.stopped) return;
      const running = r.posted[0];
      replace(r, running === undefined ? null : { index: running.index, outcome: { ok: false, error: `worker failed: ${why}`, userError: false } });
    };
    worker.on("error", (e) => died(e instanceof Error ? e.message : String(e)));
    worker.on("exit", (code) => died(`thread exited with code ${code}`));
    runners.push(r);
    manned[lane] = true;
    return r;
  };
  /** Stops runner `r` (its running job ends as `outcome`, or is posted again if null) and starts a fresh one in its lane. */
  const replace = (r: Runner, outcome: { index: number; outcome: JobOutcome | null } | null) => {
    r.stopped = true;
    void r.worker.terminate();
    runners.splice(runners.indexOf(r), 1);
    for (const p of r.posted) {
      if (outcome !== null && p.index === outcome.index && outcome.outcome !== null) finish(p.index, outcome.outcome);
      else if (outcome === null || p.index !== outcome.index) again.push(p);
    }
    if (done < jobs.length && !opts.signal?.aborted) pump(spawn(r.lane));
  };
  /** Posts jobs to `r` until it has enough in hand: two while plenty are left, else one. */
  const pump = (r: Runner) => {
    if (r.stopped) return;
    const want = unclaimed + again.length > 2 * lanes.length ? 2 : 1;
    while (r.posted.length < want) {
      let p = again.shift();
      if (p === undefined) {
        const i = next(r.lane, () => true);
        if (i === null) return;
        p = { index: i, job: jobs[i], abandon: null };
      }
      r.posted.push(p);
      r.worker.postMessage(p);
    }
  };

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const r of [...runners]) {
      const i = r.state[SLOT.job];
      if (i < 0) continue;
      const job = jobs[i], p = r.posted.find((x) => x.index === i);
      const limit = timeoutMs > 0 ? timeoutMs : canRunAway(job) ? defaultJobTimeoutMs(job) : 0;
      if (limit > 0 && now - r.state[SLOT.startedMs] > limit) {
        replace(r, { index: i, outcome: { ok: false, error: `timed out after ${formatSeconds(limit)} (worker stopped)`, userError: false, timedOut: true } });
        continue;
      }
      if (!canRunAway(job)) continue;
      const calls = r.state[SLOT.calls];
      if (r.seenJob !== i || r.seenCalls !== calls || r.state[SLOT.depth] <= 0) {
        r.seenJob = i; r.seenCalls = calls; r.seenAtMs = now;
        continue;
      }
      if (now - r.seenAtMs < callbackMs || p === undefined) continue;
      const why = `callback did not return in ${formatSeconds(callbackMs)}`;
      if (p.abandon === null) {
        // Replay it first, on a fresh thread, ejecting the scheduler at the call that hung.
        again.unshift({ index: i, job, abandon: { call: calls, why } });
        replace(r, { index: i, outcome: null });
      } else {
        replace(r, { index: i, outcome: { ok: false, error: `${why}, again after the scheduler was ejected at callback ${p.abandon.call} (worker stopped)`, userError: false, timedOut: true } });
      }
    }
  }, 100);

  const onAbort = () => settle(new Error("aborted"));
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let threads = 0;
  const grow = (want: number) => {
    for (; threads < want; threads++) pump(spawn(crew.inline ? threads + 1 : threads));
  };
  grow(crew.threads);
  try {
    if (crew.inline) {
      const inlineOk = (j: Job) => !canRunAway(j);
      // The estimate can be far off (workloads differ in events per simulated second): the
      // calling thread's own pace decides whether more threads are worth starting: its fastest
      // pace, judged only once it has run as long as a thread takes to start. Earlier runs are
      // cold (a scheduler's first runs are several times slower), and paces inflated by them
      // started threads that only slowed short sweeps (the `npm start` sweep ran 0.8× on 2).
      // Its CPU time, not wall time: other load on the machine stretches wall time, and a pace
      // inflated by it started a thread on the 20 s sweep just when no core was free for it.
      let pace = Infinity, ranMs = 0;
      for (let i = next(0, inlineOk); i !== null; i = next(0, inlineOk)) {
        const t0 = threadCpuMs() ?? performance.now();
        finish(i, await runInline(jobs[i]));
        const ms = (threadCpuMs() ?? performance.now()) - t0;
        ranMs += ms;
        pace = Math.min(pace, ms / jobCost(jobs[i]));
        if (threads < workers - 1 && ranMs >= startMs) grow(threadsWorthStarting(pace * left.reduce((a, b) => a + b, 0), workers, startMs));
        // Let the pool threads' answers in (and post them more work) between runs.
        await new Promise((resolve) => setImmediate(resolve));
        if (opts.signal?.aborted) throw new Error("aborted");
      }
    }
    await finished;
  } finally {
    clearInterval(watchdog);
    opts.signal?.removeEventListener("abort", onAbort);
    for (const r of runners) r.stopped = true;
    await Promise.all(runners.map((r) => r.worker.terminate()));
  }
  return out;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${+s.toFixed(3)} s`;
}
