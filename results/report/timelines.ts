import type { RunResult, Timeline } from "../../sim/result.js";

/**
 * What the report keeps of a run's timeline so that any run of a sweep can be shown: the
 * slices, class bands and samples (not the wakeups, which only the Perfetto trace draws), the
 * names of the tasks that appear, and, past a budget of slices per run, only the run's first
 * part (a report of 24 busy runs would otherwise weigh hundreds of megabytes).
 */

export interface ReportTimeline {
  cpu: number[];
  pid: number[];
  startNs: number[];
  endNs: number[];
  cls: number[];
  groupOf: Record<string, string>;
  sampleNs: number;
  busyCpus: number[];
  queued: number[];
  /** The recorder's own cap was hit. */
  truncated: boolean;
  /** Slices starting at or after this time were left out of the report (null: none were). */
  clippedAtNs: number | null;
  /** pid → task name, for the pids above. */
  names: Record<string, string>;
}

/** Slices the report keeps over all runs; each run gets an equal share, at least MIN_PER_RUN. */
export const REPORT_SLICE_BUDGET = 240_000;
const MIN_PER_RUN = 5_000;

export function reportSliceCap(runs: number): number {
  return Math.max(MIN_PER_RUN, Math.floor(REPORT_SLICE_BUDGET / Math.max(1, runs)));
}

/**
 * The report's form of a run's timeline, keeping at most `cap` slices: those that start before
 * the cap-th slice in time order does (so what is shown is complete up to that time).
 * Idempotent for a given cap, so a merged sweep gets the same bytes as an unsharded one.
 */
export function reportTimeline(run: Pick<RunResult, "timeline" | "tasks">, cap: number): ReportTimeline | null {
  const t = run.timeline as (Timeline | ReportTimeline | undefined);
  if (!t) return null;
  const n = t.pid.length;
  let clippedAtNs = "clippedAtNs" in t ? t.clippedAtNs : null;
  let keep = n;
  if (n > cap) {
    const starts = Float64Array.from(t.startNs).sort();
    const cut = starts[cap]!;
    clippedAtNs = clippedAtNs === null ? cut : Math.min(clippedAtNs, cut);
    keep = 0;
    for (let i = 0; i < n; i++) if (t.startNs[i]! < cut) keep++;
  }
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (keep === n || t.startNs[i]! < clippedAtNs!) idx.push(i);
  const pick = (a: readonly number[]) => idx.map((i) => a[i]!);
  const pids = new Set(idx.map((i) => String(t.pid[i])));
  const groupOf: Record<string, string> = {};
  for (const p of Object.keys(t.groupOf).sort((a, b) => Number(a) - Number(b))) if (pids.has(p)) groupOf[p] = t.groupOf[p]!;
  const names: Record<string, string> = {};
  if ("names" in t) {
    for (const p of Object.keys(t.names)) if (pids.has(p)) names[p] = t.names[p]!;
  } else {
    for (const task of run.tasks ?? []) if (pids.has(String(task.pid))) names[String(task.pid)] = task.name;
  }
  return {
    cpu: pick(t.cpu), pid: pick(t.pid), startNs: pick(t.startNs), endNs: pick(t.endNs), cls: pick(t.cls), groupOf,
    sampleNs: t.sampleNs, busyCpus: [...t.busyCpus], queued: [...t.queued], truncated: t.truncated, clippedAtNs, names,
  };
}
