import type { Aggregate, AggregateRow } from "./aggregate.js";
import type { MetricKey } from "./metrics.js";
import { ratioOf, type Ratio } from "./stats/ratio.js";

/**
 * The relative summary hyperfine prints, per workload: every other scheduler's metrics as
 * ratios of the baseline's ("bpfland: wakeup p99 0.42 ± 0.05× simple"). The baseline is the
 * aggregate's (compare --baseline), or the workload's first row when that label did not run there.
 */

export interface RelativeRow {
  label: string;
  /** Its scheduler exited early in some run (flagged like its summary row). */
  exited: boolean;
  ratios: Record<MetricKey, Ratio | null>;
}

export interface Relative {
  workload: string;
  baseline: string;
  rows: RelativeRow[];
}

export function relativeTo(agg: Aggregate, workload: string): Relative | null {
  const rows = agg.rows.filter((r) => r.workload === workload);
  const base: AggregateRow | undefined = rows.find((r) => r.label === agg.baseline) ?? rows[0];
  if (!base || rows.length < 2) return null;
  return {
    workload,
    baseline: base.label,
    rows: rows.filter((r) => r !== base).map((r) => {
      const ratios = {} as Record<MetricKey, Ratio | null>;
      for (const m of agg.metrics) ratios[m.key] = ratioOf(r.metrics[m.key], base.metrics[m.key]);
      return { label: r.label, exited: r.exits.length > 0, ratios };
    }),
  };
}

/** "0.42 ± 0.05×", "1.3×" (one seed), "—" (no ratio): two decimals below 10, fewer above. */
export function formatRatio(r: Ratio | null): string {
  if (r === null || !Number.isFinite(r.ratio)) return "—";
  const a = Math.abs(r.ratio);
  const d = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return r.sd === null ? `${r.ratio.toFixed(d)}×` : `${r.ratio.toFixed(d)} ± ${r.sd.toFixed(d)}×`;
}
