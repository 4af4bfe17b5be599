/**
 * The pool on sweeps as users run them (issue 20.1): the default line-up × mixed × 3 seeds at
 * 20 s and at 5 s (`npm start`), each in a fresh process (cold, as `compare` runs it) on 1 and
 * 2 workers, interleaved; and what a pool thread costs to start, which sets the crossover below
 * which the pool starts no thread.
 */
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import { runJobs, runInline, jobCost } from "../pool.js";
import type { ThreadTimeline } from "./thread_timeline.js";
import { threadCpuMs } from "../thread_cpu.js";
import type { Job } from "../job.js";

/** The default line-up of `compare` (cli/commands/compare.ts), kept here so the bench stays fixed. */
const LINE_UP = ["fair", "simple", "cfs-like", "bpfland", "lavd", "rusty", "p2dq", "rr"];

/** The jobs `compare -d <durationS>` runs by default (seeds 1..seeds on mixed, 4 CPUs, timelines on). */
export function userSweep(durationS: number, seeds: number): Job[] {
  return LINE_UP.flatMap((scheduler) => Array.from({ length: seeds }, (_, k) => ({
    scheduler, options: {}, workload: "mixed", params: {}, topology: "4", cpus: 4, seed: k + 1,
    durationNs: Math.round(durationS * 1e9), overheads: true, crashAtNs: null, extras: { timeline: true },
  })));
}

export interface SweepOut {
  kind: "sweep";
  wallMs: number;
  cpuMs: number;
  /**
   * CPU time of the calling thread alone, or null where /proc/thread-self is missing. The rest
   * of cpuMs is pool threads, V8's compiler and GC threads: with one worker those run on the
   * otherwise idle core for free, with two they compete with the runs.
   */
  mainCpuMs: number | null;
  /** Threads that ran jobs (0 is the calling thread). */
  threads: number[];
  /** Hash of the results without wall time: equal for every worker count. */
  hash: string;
}

/** One sweep through the real pool, timed from the first job to the last outcome; `startMs` overrides the pool's WORKER_START_MS (0: a thread starts at once). */
export async function timeSweep(jobs: Job[], workers: number, startMs?: number): Promise<SweepOut> {
  const t0 = performance.now(), c0 = process.cpuUsage(), m0 = threadCpuMs();
  const out = await runJobs(jobs, { workers, ...(startMs !== undefined ? { workerStartMs: startMs } : {}) });
  const wallMs = performance.now() - t0, cu = process.cpuUsage(c0), m1 = threadCpuMs();
  const h = createHash("sha256");
  for (const o of out) h.update(o.ok ? JSON.stringify({ ...o.result, wallMs: 0 }) : `error ${o.error}`);
  return { kind: "sweep", wallMs, cpuMs: (cu.user + cu.system) / 1000, mainCpuMs: m0 === null || m1 === null ? null : m1 - m0, threads: [...new Set(out.map((o) => o.thread ?? -1))].sort(), hash: h.digest("hex") };
}

export interface PoolStartOut {
  kind: "poolStart";
  /** Their jobCost in all (simulated CPU-ms). */
  cost: number;
  /** One pass over the jobs on the calling thread of a fresh process: cold (its first), then warm (its third); ms per job. */
  mainCold: number[];
  mainWarm: number[];
  /** A fresh thread running the same pass cold, ms from asking for the thread. */
  thread: {
    /** Its isolate began; Node's bootstrap in it was over; the worker entry was loaded. */
    bornMs: number;
    upMs: number;
    loadedMs: number;
    /** Each job's end. */
    doneMs: number[];
  };
}

/**
 * Where a pool thread's start-up goes: the jobs once cold on the calling thread (this is a
 * fresh process), twice more to warm it, then the same pass on a fresh thread, timed from the
 * moment the thread is asked for. The difference between the thread's pass and the calling
 * thread's cold pass is what the thread itself adds (booting and loading); the difference
 * between the cold and the warm pass is JIT warm-up, which every thread pays for itself.
 */
export async function timePoolStart(jobs: Job[]): Promise<PoolStartOut> {
  const pass = async () => {
    const ms: number[] = [];
    for (const job of jobs) {
      const t0 = performance.now();
      const o = await runInline(job);
      if (!o.ok) throw new Error(o.error);
      ms.push(performance.now() - t0);
    }
    return ms;
  };
  const mainCold = await pass();
  await pass();
  const mainWarm = await pass();
  const askedAt = performance.timeOrigin + performance.now();
  const tl = await new Promise<ThreadTimeline>((resolve, reject) => {
    const w = new Worker(new URL("./thread_timeline.js", import.meta.url), { workerData: { jobs } });
    w.once("message", (m: ThreadTimeline) => { resolve(m); void w.terminate(); });
    w.once("error", reject);
  });
  const rel = (at: number) => at - askedAt;
  return {
    kind: "poolStart", cost: jobs.reduce((s, j) => s + jobCost(j), 0), mainCold, mainWarm,
    thread: { bornMs: rel(tl.bornAt), upMs: rel(tl.upAt), loadedMs: rel(tl.loadedAt), doneMs: tl.doneAt.map(rel) },
  };
}
