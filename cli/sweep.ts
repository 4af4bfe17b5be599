/**
 * The files a sweep writes beside results.json when it is sharded or lost jobs, and their
 * reading back for `scxlab merge` (formats described in cli/shard.ts and docs/sharding.md):
 * - shard.json (with --shard): the sweep's job keys, which this shard ran, failures, the job the
 *   report shows first;
 * - timeline.json (with --shard): the report's timelines of this shard's runs, by job index;
 * - failed.json (when jobs timed out): which, and why.
 */
import { HISTOGRAM_RESOLUTION } from "../sim/histogram.js";
import { join } from "node:path";
import { atomicWrite } from "../results/index.js";
import type { Job } from "./job.js";
import type { ReportTimeline } from "../results/index.js";
import { FAILED_SCHEMA, formatShard, jobKey, SHARD_SCHEMA, type FailedJob, type ShardManifest, type ShardSpec } from "./shard.js";
import { clean } from "./terminal_text.js";

export const TIMELINE_SCHEMA = "scxlab.timeline/2";

/** timeline.json of a shard: the report's form of each of its runs' timelines. */
export interface TimelineFile {
  schema: typeof TIMELINE_SCHEMA;
  timelines: { job: number; timeline: ReportTimeline | null }[];
}

export function failedJob(index: number, j: Job, error: string, timedOut: boolean): FailedJob {
  return { job: index, scheduler: j.scheduler, workload: j.workload, seed: j.seed, error, timedOut };
}

function describe(f: FailedJob): string {
  return `job ${f.job} (${f.scheduler} on ${f.workload}, seed ${f.seed}): ${f.error}`;
}

/** One warning line per lost job, on stderr. */
export function warnFailures(failed: readonly FailedJob[]): void {
  for (const f of failed) process.stderr.write(`scxlab: warning: ${clean(describe(f))}; left out, the sweep went on\n`);
}

/** The report's notes: how percentiles are measured, then any jobs left out. */
export function reportNotes(failed: readonly FailedJob[]): { notes: string[] } {
  const resolution = `Latency percentiles of each run come from log-bucketed histograms: a reported value is within ${(HISTOGRAM_RESOLUTION * 100).toFixed(1)} % of the exact one; means, minima and maxima are exact.`;
  return { notes: [resolution, ...failed.map((f) => `Not included: ${describe(f)}.`)] };
}

export interface SweepFiles {
  readonly shard: ShardSpec | null;
  /** Every job of the sweep, in order (not only this shard's). */
  readonly jobs: readonly Job[];
  /** For each result, its job index. */
  readonly ran: readonly number[];
  readonly failed: readonly FailedJob[];
  /** Index in `jobs` of the run the report shows first. */
  readonly chosenJob: number;
  /** For each result, its timeline in the report's form. */
  readonly timelines: readonly (ReportTimeline | null)[];
}

/** Writes shard.json and timeline.json (sharded sweeps) and failed.json (when jobs were lost). */
export async function writeSweepFiles(out: string, s: SweepFiles): Promise<void> {
  if (s.shard !== null) {
    const manifest: ShardManifest = {
      schema: SHARD_SCHEMA,
      shard: formatShard(s.shard),
      jobs: s.jobs.map(jobKey),
      runs: s.ran,
      failed: s.failed,
      timeline: s.chosenJob,
    };
    await atomicWrite(join(out, "shard.json"), JSON.stringify(manifest, null, 1) + "\n");
    const file: TimelineFile = { schema: TIMELINE_SCHEMA, timelines: s.ran.map((job, k) => ({ job, timeline: s.timelines[k] ?? null })) };
    await atomicWrite(join(out, "timeline.json"), JSON.stringify(file) + "\n");
  }
  if (s.failed.length > 0) {
    await atomicWrite(join(out, "failed.json"), JSON.stringify({ schema: FAILED_SCHEMA, failed: s.failed }, null, 1) + "\n");
  }
}
