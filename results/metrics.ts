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

export interface MetricInfo {
  key: MetricKey;
  label: string;
  unit: MetricUnit;
  lowerIsBetter: boolean;
}

export interface MetricDef extends MetricInfo {
  /** NaN when the run could not measure it (no requests finished, say). */
  value(run: RunResult): number;
}

export const METRICS: readonly MetricDef[] = [
  { key: "throughput", label: "throughput", unit: "rps", lowerIsBetter: false, value: (r) => r.totals.throughput },
  { key: "wakeupP50", label: "wakeup p50", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "wakeupLatencyNs").p50 },
  { key: "wakeupP99", label: "wakeup p99", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "wakeupLatencyNs").p99 },
  { key: "wakeupP999", label: "wakeup p99.9", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "wakeupLatencyNs").p999 },
  { key: "requestP50", label: "request p50", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "requestLatencyNs").p50 },
  { key: "requestP99", label: "request p99", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "requestLatencyNs").p99 },
  { key: "requestP999", label: "request p99.9", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "requestLatencyNs").p999 },
  { key: "requestMean", label: "request mean", unit: "ns", lowerIsBetter: true, value: (r) => runLatency(r, "requestLatencyNs").mean },
  // Higher utilisation on the same offered work means less time idle while work waited
  // (work conservation); scheduler overhead is accounted apart, in CpuResult.overheadNs.
  { key: "utilization", label: "utilisation", unit: "ratio", lowerIsBetter: false, value: (r) => r.totals.utilization },
  { key: "jainFairness", label: "Jain fairness", unit: "ratio", lowerIsBetter: false, value: (r) => r.totals.jainFairness },
  {
    key: "contextSwitches",
    label: "context switches",
    unit: "count",
    lowerIsBetter: true,
    value: (r) => r.totals.contextSwitches.voluntary + r.totals.contextSwitches.involuntary,
  },
  { key: "migrations", label: "migrations", unit: "count", lowerIsBetter: true, value: (r) => r.totals.migrations.total },
];

export const METRIC_KEYS: readonly MetricKey[] = METRICS.map((m) => m.key);

export function metricDef(key: MetricKey): MetricDef {
  const def = METRICS.find((m) => m.key === key);
  if (!def) throw new Error(`unknown metric "${key}"; known: ${METRIC_KEYS.join(", ")}`);
  return def;
}

/** Plain-data description of the metrics (no functions), for JSON and the report. */
export function metricInfos(): MetricInfo[] {
  return METRICS.map(({ key, label, unit, lowerIsBetter }) => ({ key, label, unit, lowerIsBetter }));
}

/** A run's latency over all its groups (see mergeStats for how percentiles are combined). */
export function runLatency(run: RunResult, which: "wakeupLatencyNs" | "requestLatencyNs" | "waitNs"): Stats {
  // Runs carry exact whole-run stats from merged histograms; older results only per group.
  // A run that measured nothing has zeros there; it must be left out of means, not count as 0 ns.
  if (which !== "waitNs" && run.totals[which] !== undefined) return run.totals[which].count > 0 ? run.totals[which] : emptyStats();
  return mergeStats(Object.values(run.groups).map((g) => g[which]));
}
