import type { ExitKind, RunResult } from "../sim/result.js";
import { schedulerLabel } from "./label.js";
import { METRICS, metricInfos, type Direction, type MetricInfo, type MetricKey } from "./metrics.js";
import { GROUP_METRICS, groupMetricInfos, type GroupMetricInfo, type GroupMetricKey } from "./group_metrics.js";
import { confidenceInterval, type Estimate } from "./stats/confidence_interval.js";
import { significantlyBetter } from "./stats/significantly_better.js";
import { isTie } from "./stats/is_tie.js";

/**
 * Runs grouped per (scheduler label, workload), each metric as a mean over seeds with its 95 %
 * Student-t interval. Rows keep first-appearance order, so a sweep's order is the report's.
 */

export const AGGREGATE_SCHEMA = "scxlab.aggregate/1";

export interface AggregateRow {
  label: string;
  scheduler: string;
  options: Record<string, string | number | boolean>;
  workload: string;
  /** Runs in this row (seeds); a metric's own n can be lower if some runs could not measure it. */
  n: number;
  seeds: number[];
  metrics: Record<MetricKey, Estimate>;
  /** Runs whose sched_ext scheduler exited before the end (fair ran the rest), in seed order. */
  exits: RowExit[];
  /** Each task group's metrics over the same seeds, in the order the groups first appear. */
  groups: AggregateGroup[];
}

export interface AggregateGroup {
  name: string;
  metrics: Record<GroupMetricKey, Estimate>;
}

/** One run's early exit, as the row carries it: enough to flag the row and say when. */
export interface RowExit {
  seed: number;
  kind: ExitKind;
  atNs: number;
}

export interface Aggregate {
  schema: typeof AGGREGATE_SCHEMA;
  level: number;
  metrics: MetricInfo[];
  groupMetrics: GroupMetricInfo[];
  workloads: string[];
  labels: string[];
  /** The label ratios are taken against (relative.ts): the chosen one, else the first. */
  baseline: string | null;
  rows: AggregateRow[];
  /** Things a reader should know, e.g. a row that mixes topologies. */
  warnings: string[];
}

export interface AggregateOptions {
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  /** Scheduler label of the baseline for relative summaries; default: the first label. */
  baseline?: string;
}

export function aggregate(results: readonly RunResult[], options: AggregateOptions = {}): Aggregate {
  const level = options.level ?? 0.95;
  const byKey = new Map<string, RunResult[]>();
  for (const r of results) {
    const key = JSON.stringify([schedulerLabel(r.job), r.job.workload]);
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const rows: AggregateRow[] = [];
  const warnings: string[] = [];
  for (const runs of byKey.values()) {
    const first = runs[0]!.job;
    const metrics = {} as Record<MetricKey, Estimate>;
    for (const m of METRICS) metrics[m.key] = confidenceInterval(runs.map(m.value), level);
    const row: AggregateRow = {
      label: schedulerLabel(first),
      scheduler: first.scheduler,
      options: { ...first.options },
      workload: first.workload,
      n: runs.length,
      seeds: runs.map((r) => r.job.seed),
      metrics,
      exits: runs.flatMap((r) => (r.scx.exit ? [{ seed: r.job.seed, kind: r.scx.exit.kind, atNs: r.scx.exit.atNs }] : [])),
      groups: aggregateGroups(runs, level),
    };
    rows.push(row);
    warnings.push(...mixWarnings(row, runs));
  }
  const labels = unique(rows.map((r) => r.label));
  return {
    schema: AGGREGATE_SCHEMA,
    level,
    metrics: metricInfos(),
    groupMetrics: groupMetricInfos(),
    workloads: unique(rows.map((r) => r.workload)),
    labels,
    baseline: options.baseline !== undefined && labels.includes(options.baseline) ? options.baseline : (labels[0] ?? null),
    rows,
    warnings,
  };
}

/** Per group, each group metric over the runs that have the group (a run without it does not count). */
function aggregateGroups(runs: readonly RunResult[], level: number): AggregateGroup[] {
  const names = unique(runs.flatMap((r) => Object.keys(r.groups)));
  return names.map((name) => {
    const metrics = {} as Record<GroupMetricKey, Estimate>;
    for (const m of GROUP_METRICS) {
      metrics[m.key] = confidenceInterval(runs.flatMap((r) => (Object.hasOwn(r.groups, name) ? [m.value(r, r.groups[name]!)] : [])), level);
    }
    return { name, metrics };
  });
}

/** Averaging over seeds is only meaningful when the rest of the job is the same. */
function mixWarnings(row: AggregateRow, runs: RunResult[]): string[] {
  const out: string[] = [];
  const where = `${row.label} on ${row.workload}`;
  for (const field of ["topology", "cpus", "durationNs", "overheads", "params"] as const) {
    const distinct = unique(runs.map((r) => JSON.stringify(r.job[field] ?? null)));
    if (distinct.length > 1) out.push(`${where}: runs differ in ${field} (${distinct.join(" vs ")}); averaged anyway`);
  }
  const seeds = unique(row.seeds.map(String));
  if (seeds.length < row.seeds.length) out.push(`${where}: repeated seeds (${row.seeds.join(", ")})`);
  for (const r of runs) {
    const x = r.tasksRefused;
    if (x !== undefined) out.push(`${where}, seed ${r.job.seed}: ${x.count} new tasks refused at the live-task cap of ${x.cap} (raise it with --max-tasks)`);
  }
  return out;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export interface Best {
  /**
   * The rows sharing the best mean: one label, or several when their means tie (closer than the
   * metric's resolution). Empty when the metric has no direction or no row has a value.
   */
  labels: string[];
  /** True when a single best row's interval separates from every other ranked row's. */
  significant: boolean;
}

/**
 * Whether the seeds changed anything on this workload: false when every row ran two or more
 * seeds and each metric came out the same on all of them (a deterministic workload). Then the
 * intervals are ±0 and say nothing about noise, so nothing may be called significant.
 */
export function seedsVary(agg: Aggregate, workload: string): boolean {
  const rows = agg.rows.filter((r) => r.workload === workload);
  if (rows.some((r) => r.n < 2)) return true;
  return rows.some((r) => agg.metrics.some((m) => (r.metrics[m.key].sd ?? 0) > 0));
}

/**
 * The rows that may be ranked: those whose scheduler stayed attached in every run. A row with
 * an early exit measured mostly fair, not its policy, so it cannot win, unless every row
 * exited (then they are compared as they are, and flagged).
 */
export function rankedRows(rows: readonly AggregateRow[]): AggregateRow[] {
  const stayed = rows.filter((r) => r.exits.length === 0);
  return stayed.length > 0 ? stayed : [...rows];
}

/**
 * Per metric, the best scheduler(s) on one workload and whether the win is significant: only
 * for a single best whose interval separates from every other ranked row's, when the seeds
 * vary and no other row ties with it.
 */
export function bestPerMetric(agg: Aggregate, workload: string): Record<MetricKey, Best> {
  const rows = rankedRows(agg.rows.filter((r) => r.workload === workload));
  return rankBest(rows.map((r) => ({ label: r.label, metrics: r.metrics })), agg.metrics, seedsVary(agg, workload));
}

/** The same for one task group's metrics: the rows ranked are those that ran the group. */
export function bestPerGroupMetric(agg: Aggregate, workload: string, group: string): Record<GroupMetricKey, Best> {
  const rows = rankedRows(agg.rows.filter((r) => r.workload === workload)).flatMap((r) => {
    const g = r.groups.find((x) => x.name === group);
    return g ? [{ label: r.label, metrics: g.metrics }] : [];
  });
  return rankBest(rows, agg.groupMetrics, seedsVary(agg, workload));
}

interface Rankable<K extends string> {
  label: string;
  metrics: Record<K, Estimate>;
}

function rankBest<K extends string>(rows: readonly Rankable<K>[], infos: readonly { key: K; better: Direction; resolution: number }[], varies: boolean): Record<K, Best> {
  const out = {} as Record<K, Best>;
  for (const m of infos) {
    const valued = rows.filter((r) => r.metrics[m.key].mean !== null);
    if (m.better === null || valued.length === 0) {
      out[m.key] = { labels: [], significant: false };
      continue;
    }
    const sign = m.better === "lower" ? 1 : -1;
    const top = valued.reduce((b, r) => (sign * r.metrics[m.key].mean! < sign * b.metrics[m.key].mean! ? r : b));
    const tied = valued.filter((r) => isTie(r.metrics[m.key].mean!, top.metrics[m.key].mean!, m.resolution));
    const significant =
      varies &&
      tied.length === 1 &&
      valued.length > 1 &&
      rows.every((r) => r === top || significantlyBetter(top.metrics[m.key], r.metrics[m.key], m.better === "lower"));
    out[m.key] = { labels: tied.map((r) => r.label), significant };
  }
  return out;
}
