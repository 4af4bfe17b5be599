/**
 * Sweeps beyond one machine. A sweep is a list of independent jobs, so `compare --shard i/n` runs
 * only the jobs whose key hashes to shard i, and `merge` puts the shards' results back together.
 *
 * Assignment is stable and balanced: each job has a key, its identity (scheduler, options,
 * workload, params, topology, CPUs, seed, durations, overheads, crash time, antagonists) as
 * canonical JSON; the sweep's jobs are ranked by the SHA-256 of their keys, and the job of rank r
 * goes to shard (r mod n) + 1. That depends only on the set of jobs (not on the order of the
 * flags, nor on the machine), so every shard of a sweep agrees on who runs what without talking,
 * and shards differ by at most one job (a plain hash mod n leaves small sweeps lopsided).
 *
 * Beside its results.json, a shard writes `shard.json`: every job key of the whole sweep in the
 * unsharded order, which of them it ran (in the order of its runs), which failed, and which job
 * the report shows first; `timeline.json` beside it holds the report's timelines of its runs. `merge`
 * checks that all n shards are there and describe the same sweep, and rebuilds the unsharded
 * order, so the merged files are byte-identical to an unsharded run's.
 */
import { createHash } from "node:crypto";
import { CliError } from "./errors.js";
import { jobSpec, type Job } from "./job.js";
import type { RunResult } from "../sim/result.js";

export const SHARD_SCHEMA = "scxlab.shard/1";
export const FAILED_SCHEMA = "scxlab.failed/1";

export interface ShardSpec {
  /** 1-based: shard 1 of n .. shard n of n. */
  readonly index: number;
  readonly count: number;
}

/** A job that produced no result (timed out, or failed and was tolerated). */
export interface FailedJob {
  /** Index of the job in the sweep's (unsharded) order. */
  readonly job: number;
  readonly scheduler: string;
  readonly workload: string;
  readonly seed: number;
  readonly error: string;
  readonly timedOut: boolean;
}

export interface ShardManifest {
  readonly schema: typeof SHARD_SCHEMA;
  /** "i/n", or null for an unsharded sweep. */
  readonly shard: string | null;
  /** Every job key of the sweep, in the unsharded order. */
  readonly jobs: readonly string[];
  /** For each run in results.json, in order: its index in `jobs`. */
  readonly runs: readonly number[];
  readonly failed: readonly FailedJob[];
  /** Index in `jobs` of the run the report shows first, or null. */
  readonly timeline: number | null;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 100000). */
export function parseShard(flag: string, s: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1 && n <= 100_000) || !(i >= 1 && i <= n)) {
    throw new CliError(`${flag}: expected i/n with 1 ≤ i ≤ n (shard i of n, e.g. 3/16), got ${JSON.stringify(s)}`);
  }
  return { index: i, count: n };
}

export function formatShard(s: ShardSpec): string {
  return `${s.index}/${s.count}`;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** A job's identity: what decides its result (not the timeline switch, which only adds output). */
export function jobKey(job: Job): string {
  return canonicalJson({ spec: jobSpec(job), antagonists: job.extras?.antagonists ?? 0 });
}

/** The spec part of a job key, as canonical JSON (comparable with a RunResult's job). */
export function keySpec(key: string): string {
  return canonicalJson((JSON.parse(key) as { spec: unknown }).spec);
}

/** The shard (1-based) of each job of a sweep of `count` shards. */
export function shardAssignment(jobs: readonly Job[], count: number): number[] {
  const keys = jobs.map(jobKey);
  const hashes = keys.map((k) => createHash("sha256").update(k).digest("hex"));
  const order = jobs.map((_, i) => i).sort((a, b) =>
    hashes[a] < hashes[b] ? -1 : hashes[a] > hashes[b] ? 1 : keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b);
  const shard = new Array<number>(jobs.length);
  order.forEach((job, rank) => { shard[job] = (rank % count) + 1; });
  return shard;
}

/** Indices of the jobs that belong to `shard`, in job order. */
export function shardJobs(jobs: readonly Job[], shard: ShardSpec): number[] {
  const of = shardAssignment(jobs, shard.count);
  const mine: number[] = [];
  for (let i = 0; i < jobs.length; i++) if (of[i] === shard.index) mine.push(i);
  return mine;
}

/** Whether a run is the result of the job with this key. */
export function runMatchesKey(r: RunResult, key: string): boolean {
  return canonicalJson(r.job) === keySpec(key);
}
