import type { RunResult } from "../sim/result.js";
import { schedulerLabel } from "./label.js";
import { METRICS, metricInfos, type MetricInfo, type MetricKey } from "./metrics.js";
import { confidenceInterval, type Estimate } from "./stats/confidenceInterval.js";
import { significantlyBetter } from "./stats/significantlyBetter.js";

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
}

export interface Aggregate {
  schema: typeof AGGREGATE_SCHEMA;
  level: number;
  metrics: MetricInfo[];
  workloads: string[];
  labels: string[];
  rows: AggregateRow[];
  /** Things a reader should know, e.g. a row that mixes topologies. */
  warnings: string[];
}

export function aggregate(results: readonly RunResult[], level = 0.95): Aggregate {
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
    };
    rows.push(row);
    warnings.push(...mixWarnings(row, runs));
  }
  return {
    schema: AGGREGATE_SCHEMA,
    level,
    metrics: metricInfos(),
    workloads: unique(rows.map((r) => r.workload)),
    labels: unique(rows.map((r) => r.label)),
    rows,
    warnings,
  };
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
  return out;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export interface Best {
  /** Label of the row with the best mean, or null when no row has a value. */
  label: string | null;
  /** True when its interval separates from every other row's interval. */
  significant: boolean;
}

/** Per metric, the best scheduler on one workload and whether it wins significantly. */
export function bestPerMetric(agg: Aggregate, workload: string): Record<MetricKey, Best> {
  const rows = agg.rows.filter((r) => r.workload === workload);
  const out = {} as Record<MetricKey, Best>;
  for (const m of agg.metrics) {
    let best: AggregateRow | null = null;
    for (const r of rows) {
      const v = r.metrics[m.key].mean;
      if (v === null) continue;
      const b = best?.metrics[m.key].mean ?? null;
      if (b === null || (m.lowerIsBetter ? v < b : v > b)) best = r;
    }
    const significant =
      best !== null &&
      rows.length > 1 &&
      rows.every((r) => r === best || significantlyBetter(best!.metrics[m.key], r.metrics[m.key], m.lowerIsBetter));
    out[m.key] = { label: best?.label ?? null, significant };
  }
  return out;
}
