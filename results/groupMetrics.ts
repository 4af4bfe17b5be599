import type { GroupResult, RunResult } from "../sim/result.js";
import { PERCENTILE_RESOLUTION, type Direction, type MetricUnit } from "./metrics.js";

/**
 * The metrics of one task group (an rt-app task with all its instances), defined once like
 * METRICS: what a policy comparison is about is often one group against another (interactive
 * wakeup latency versus batch CPU share), which whole-run numbers average away.
 */

export type GroupMetricKey = "cpuShare" | "throughput" | "wakeupP50" | "wakeupP99" | "wakeupP999" | "requestP99";

export interface GroupMetricInfo {
  key: GroupMetricKey;
  label: string;
  unit: MetricUnit;
  better: Direction;
  resolution: number;
}

export interface GroupMetricDef extends GroupMetricInfo {
  /** NaN when the group could not measure it in this run. */
  value(run: RunResult, group: GroupResult): number;
}

const pct = (s: GroupResult["wakeupLatencyNs"], p: "p50" | "p99" | "p999") => (s.count > 0 ? s[p] : NaN);

export const GROUP_METRICS: readonly GroupMetricDef[] = [
  // A share has no better direction: more CPU for one group is less for another.
  { key: "cpuShare", label: "CPU share", unit: "ratio", better: null, resolution: 0, value: (r, g) => cpuShare(r, g) },
  { key: "throughput", label: "throughput", unit: "rps", better: "higher", resolution: 0, value: groupThroughput },
  { key: "wakeupP50", label: "wakeup p50", unit: "ns", better: "lower", resolution: PERCENTILE_RESOLUTION, value: (_, g) => pct(g.wakeupLatencyNs, "p50") },
  { key: "wakeupP99", label: "wakeup p99", unit: "ns", better: "lower", resolution: PERCENTILE_RESOLUTION, value: (_, g) => pct(g.wakeupLatencyNs, "p99") },
  { key: "wakeupP999", label: "wakeup p99.9", unit: "ns", better: "lower", resolution: PERCENTILE_RESOLUTION, value: (_, g) => pct(g.wakeupLatencyNs, "p999") },
  { key: "requestP99", label: "request p99", unit: "ns", better: "lower", resolution: PERCENTILE_RESOLUTION, value: (_, g) => pct(g.requestLatencyNs, "p99") },
];

/** Activations finished per measured second; NaN for a group that has none (a CPU hog never finishes one). */
function groupThroughput(run: RunResult, group: GroupResult): number {
  return run.measuredNs > 0 && group.requests > 0 ? (group.requests * 1e9) / run.measuredNs : NaN;
}

/** The group's CPU time over all groups' CPU time in the run (NaN when no group ran). */
function cpuShare(run: RunResult, group: GroupResult): number {
  let total = 0;
  for (const g of Object.values(run.groups)) total += g.cpuNs;
  return total > 0 ? group.cpuNs / total : NaN;
}

/** Plain-data description (no functions), for JSON and the report. */
export function groupMetricInfos(): GroupMetricInfo[] {
  return GROUP_METRICS.map(({ key, label, unit, better, resolution }) => ({ key, label, unit, better, resolution }));
}
