import type { RunResult, Stats } from "../sim/result.js";
import { emptyStats, mergeStats } from "./stats/mergeStats.js";

/**
 * The metrics compared across schedulers, defined once: key, label, unit, which direction is
 * better, and how to read it from one run. Everything downstream (aggregate, CSV, tables,
 * report) iterates this list, so adding a metric is one entry here.
 */

export type MetricKey =
  | "throughput"
  | "wakeupP50"
  | "wakeupP99"
  | "wakeupP999"
  | "requestP50"
  | "requestP99"
  | "requestP999"
  | "requestMean"
  | "utilization"
  | "jainFairness"
  | "contextSwitches"
  | "migrations";

/** ns: a duration; rps: per simulated second; ratio: 0..1; count: events in the run. */
export type MetricUnit = "ns" | "rps" | "ratio" | "count";

/** Which way is better; null for a metric that describes a run without ranking it. */
export type Direction = "lower" | "higher" | null;

/**
 * Relative resolution of latency percentiles: the simulator's log-bucket histograms report a
 * percentile within 1/128 of the true value (sim/histogram.ts, HISTOGRAM_RESOLUTION; a test
 * keeps the two equal). Two means closer than this are a tie, not a ranking.
 */
export const PERCENTILE_RESOLUTION = 1 / 128;

export interface MetricInfo {
  key: MetricKey;
  label: string;
  unit: MetricUnit;
  better: Direction;
  /** Relative difference at or below which two values are a tie (0: only equal values tie). */
  resolution: number;
}

export interface MetricDef extends MetricInfo {
  /** NaN when the run could not measure it (no requests finished, say). */
  value(run: RunResult): number;
}

const pct = { unit: "ns", better: "lower", resolution: PERCENTILE_RESOLUTION } as const;

export const METRICS: readonly MetricDef[] = [
  { key: "throughput", label: "throughput", unit: "rps", better: "higher", resolution: 0, value: (r) => r.totals.throughput },
  { key: "wakeupP50", label: "wakeup p50", ...pct, value: (r) => runLatency(r, "wakeupLatencyNs").p50 },
  { key: "wakeupP99", label: "wakeup p99", ...pct, value: (r) => runLatency(r, "wakeupLatencyNs").p99 },
  { key: "wakeupP999", label: "wakeup p99.9", ...pct, value: (r) => runLatency(r, "wakeupLatencyNs").p999 },
  { key: "requestP50", label: "request p50", ...pct, value: (r) => runLatency(r, "requestLatencyNs").p50 },
  { key: "requestP99", label: "request p99", ...pct, value: (r) => runLatency(r, "requestLatencyNs").p99 },
  { key: "requestP999", label: "request p99.9", ...pct, value: (r) => runLatency(r, "requestLatencyNs").p999 },
  { key: "requestMean", label: "request mean", unit: "ns", better: "lower", resolution: 0, value: (r) => runLatency(r, "requestLatencyNs").mean },
  // No direction for these three: busy CPUs can mean a policy that keeps them running while
  // sleepers starve, and fewer switches or migrations can mean a policy that never preempts or
  // never balances. They describe how a policy behaves; the latencies say whether it helped.
  { key: "utilization", label: "utilisation", unit: "ratio", better: null, resolution: 0, value: (r) => r.totals.utilization },
  { key: "jainFairness", label: "Jain fairness", unit: "ratio", better: "higher", resolution: 0, value: (r) => r.totals.jainFairness },
  {
    key: "contextSwitches",
    label: "context switches",
    unit: "count",
    better: null,
    resolution: 0,
    value: (r) => r.totals.contextSwitches.voluntary + r.totals.contextSwitches.involuntary,
  },
  { key: "migrations", label: "migrations", unit: "count", better: null, resolution: 0, value: (r) => r.totals.migrations.total },
];

export const METRIC_KEYS: readonly MetricKey[] = METRICS.map((m) => m.key);

export function metricDef(key: MetricKey): MetricDef {
  const def = METRICS.find((m) => m.key === key);
  if (!def) throw new Error(`unknown metric "${key}"; known: ${METRIC_KEYS.join(", ")}`);
  return def;
}

/** Plain-data description of the metrics (no functions), for JSON and the report. */
export function metricInfos(): MetricInfo[] {
  return METRICS.map(({ key, label, unit, better, resolution }) => ({ key, label, unit, better, resolution }));
}

/** A run's latency over all its groups (see mergeStats for how percentiles are combined). */
export function runLatency(run: RunResult, which: "wakeupLatencyNs" | "requestLatencyNs" | "waitNs"): Stats {
  // Runs carry exact whole-run stats from merged histograms; older results only per group.
  // A run that measured nothing has zeros there; it must be left out of means, not count as 0 ns.
  if (which !== "waitNs" && run.totals[which] !== undefined) return run.totals[which].count > 0 ? run.totals[which] : emptyStats();
  return mergeStats(Object.values(run.groups).map((g) => g[which]));
}
