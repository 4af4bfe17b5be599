import type { ClassSwitch, ExitInfo, RunResult } from "../../sim/result.js";
import { portObjectNotes } from "../port_object.js";
import { reportSliceCap, reportTimeline, type ReportTimeline } from "./timelines.js";
import { bestPerGroupMetric, bestPerMetric, seedsVary, type Aggregate, type AggregateRow, type Best } from "../aggregate.js";
import type { GroupMetricInfo, GroupMetricKey } from "../group_metrics.js";
import { formatRowExits } from "../format/exits.js";
import { formatRatio, relativeTo } from "../relative.js";
import { schedulerLabel } from "../label.js";
import type { MetricInfo, MetricKey } from "../metrics.js";
import { runLatency } from "../metrics.js";
import type { Estimate } from "../stats/confidence_interval.js";
import { mean } from "../stats/mean.js";
import { formatEstimate } from "../format/units.js";
import { statsPoints } from "../stats/merge_stats.js";
import { counterData, type CounterData } from "./counters.js";

/**
 * What the browser gets: everything the charts need, already computed, and nothing else (whole
 * RunResults can carry thousands of tasks). The client only draws; statistics stay in TS.
 */

export interface CdfSeries {
  label: string;
  /**
   * [latency ns, cumulative fraction], x ascending and F non-decreasing: the percentiles (min,
   * p50, p90, p99, p99.9, max, averaged over seeds) and, for wakeups, the edges of the run's
   * latency histogram (pooled over seeds). A latency of 0 appears as x = 0.
   */
  points: [number, number][];
  /** Where the points between the percentiles come from. */
  source: "histogram" | "percentiles";
  /** The averaged percentiles, for the tooltip. */
  p50: number;
  p99: number;
  max: number;
}

export interface WorkloadData {
  name: string;
  rows: (Pick<AggregateRow, "label" | "n" | "metrics"> & { text: Record<MetricKey, string>; exit: string })[];
  best: Record<MetricKey, Best>;
  /** False when every seed gave the same values (nothing is then significant). */
  seedsVary: boolean;
  /** Each task group's metrics per scheduler (whole-run rows stay in `rows`). */
  groups: GroupData[];
  /** Other schedulers as ratios of the baseline's means ("0.42 ± 0.05×"), formatted as on the terminal. */
  relative: { baseline: string; rows: { label: string; exited: boolean; text: Record<MetricKey, string> }[] } | null;
  cdf: { wakeup: CdfSeries[]; request: CdfSeries[] };
  /** The schedulers' own counters (null when no run reported any). */
  counters: CounterData | null;
}

export interface GroupData {
  name: string;
  rows: { label: string; exited: boolean; text: Record<GroupMetricKey, string> }[];
  best: Record<GroupMetricKey, Best>;
}

export interface ExitRow extends ExitInfo {
  label: string;
  workload: string;
  seed: number;
}

/** One run as the report's run section shows it (the picker chooses among all of them). */
export interface RunView {
  label: string;
  workload: string;
  seed: number;
  simNs: number;
  cpus: number;
  timeline: ReportTimeline | null;
  switches: ClassSwitch[];
  exit: ExitInfo | null;
  log: { atNs: number; msg: string }[];
}

export interface ReportData {
  title: string;
  notes: string[];
  /** Said under a workload whose rows have one seed each. */
  oneSeedNote: string;
  level: number;
  metrics: MetricInfo[];
  groupMetrics: GroupMetricInfo[];
  labels: string[];
  workloads: WorkloadData[];
  exits: ExitRow[];
  /** Every run, in the sweep's order; `chosen` is the one shown first (null: no runs). */
  runs: RunView[];
  chosen: number | null;
  warnings: string[];
}

const LEVELS = [0, 0.5, 0.9, 0.99, 0.999, 1];

const ONE_SEED_NOTE = "One seed per scheduler: no confidence intervals or error bars. Run more seeds (compare --seeds) to compare with confidence.";

export function buildReportData(input: {
  title: string;
  results: readonly RunResult[];
  aggregate: Aggregate;
  chosenRun?: number;
  notes?: string[];
  oneSeedNote?: string;
  timelines?: readonly (ReportTimeline | null)[];
}): ReportData {
  const { results, aggregate: agg } = input;
  const workloads = agg.workloads.map((name): WorkloadData => {
    const rows = agg.rows.filter((r) => r.workload === name);
    const runsOf = (label: string) => results.filter((r) => r.job.workload === name && schedulerLabel(r.job) === label);
    return {
      name,
      rows: rows.map(({ label, n, metrics, exits }) => ({ label, n, metrics, text: cellTexts(agg.metrics, metrics), exit: formatRowExits(exits, n) })),
      best: bestPerMetric(agg, name),
      seedsVary: seedsVary(agg, name),
      relative: relativeTexts(agg, name),
      groups: groupTexts(agg, name),
      cdf: {
        wakeup: rows.flatMap((r) => cdfSeries(r.label, runsOf(r.label), "wakeupLatencyNs")),
        request: rows.flatMap((r) => cdfSeries(r.label, runsOf(r.label), "requestLatencyNs")),
      },
      counters: counterData(rows.map((r) => r.label), runsOf, agg.level),
    };
  });
  const exits = results.flatMap((r) =>
    r.scx.exit ? [{ ...r.scx.exit, label: schedulerLabel(r.job), workload: r.job.workload, seed: r.job.seed }] : [],
  );
  return {
    title: input.title,
    notes: [...(input.notes ?? []), ...portObjectNotes(results, agg)],
    oneSeedNote: input.oneSeedNote ?? ONE_SEED_NOTE,
    level: agg.level,
    metrics: agg.metrics,
    groupMetrics: agg.groupMetrics,
    labels: agg.labels,
    workloads,
    exits,
    runs: runViews(results, input.timelines),
    chosen: chosenRun(results, input.chosenRun),
    warnings: agg.warnings,
  };
}

function groupTexts(agg: Aggregate, workload: string): GroupData[] {
  const rows = agg.rows.filter((r) => r.workload === workload);
  const names = [...new Set(rows.flatMap((r) => r.groups.map((g) => g.name)))];
  return names.map((name) => ({
    name,
    best: bestPerGroupMetric(agg, workload, name),
    rows: rows.flatMap((r) => {
      const g = r.groups.find((x) => x.name === name);
      if (!g) return [];
      const text = {} as Record<GroupMetricKey, string>;
      for (const m of agg.groupMetrics) text[m.key] = formatEstimate(g.metrics[m.key], m.unit);
      return [{ label: r.label, exited: r.exits.length > 0, text }];
    }),
  }));
}

function relativeTexts(agg: Aggregate, workload: string): WorkloadData["relative"] {
  const rel = relativeTo(agg, workload);
  if (rel === null) return null;
  return {
    baseline: rel.baseline,
    rows: rel.rows.map((r) => {
      const text = {} as Record<MetricKey, string>;
      for (const m of agg.metrics) text[m.key] = formatRatio(r.ratios[m.key]);
      return { label: r.label, exited: r.exited, text };
    }),
  };
}

/** Table cells are formatted here so the terminal and the report print the same numbers. */
function cellTexts(infos: MetricInfo[], metrics: Record<MetricKey, Estimate>): Record<MetricKey, string> {
  const out = {} as Record<MetricKey, string>;
  for (const m of infos) out[m.key] = formatEstimate(metrics[m.key], m.unit);
  return out;
}

/**
 * A scheduler's latency distribution over its seeds: each percentile averaged across runs
 * (quantile averaging keeps the shape of the per-run distributions), and for wakeups the
 * histogram's bin edges, so the curve has a point at every power of two instead of six.
 */
function cdfSeries(label: string, runs: RunResult[], which: "wakeupLatencyNs" | "requestLatencyNs"): CdfSeries[] {
  const stats = runs.map((r) => runLatency(r, which)).filter((s) => s.count > 0);
  if (stats.length === 0) return [];
  const pts = stats.map(statsPoints);
  const pct = LEVELS.map((q, i) => [mean(pts.map((p) => p[i]!)), q] as [number, number]);
  const hist = which === "wakeupLatencyNs" ? histogramCdf(runs) : [];
  return [{ label, points: monotoneCdf([...pct, ...hist]), source: hist.length > 0 ? "histogram" : "percentiles", p50: pct[1]![0], p99: pct[3]![0], max: pct[5]![0] }];
}

/**
 * F at each bin's upper edge of the wakeup histograms, all groups and seeds pooled: bin 0 holds
 * latencies below 1 µs, bin i those in [2^(i-1), 2^i) µs; the last bin is open-ended and gives
 * no edge. Empty when the runs carry no histogram.
 */
export function histogramCdf(runs: readonly RunResult[]): [number, number][] {
  const bins: number[] = [];
  for (const r of runs) {
    for (const g of Object.values(r.groups)) {
      (g.wakeupHistogramUs ?? []).forEach((c, i) => { bins[i] = (bins[i] ?? 0) + c; });
    }
  }
  const total = bins.reduce((a, c) => a + (c ?? 0), 0);
  if (total === 0) return [];
  const out: [number, number][] = [];
  let cum = 0;
  for (let i = 0; i < bins.length - 1; i++) {
    cum += bins[i] ?? 0;
    out.push([2 ** i * 1000, cum / total]);
    if (cum === total) break;
  }
  return out;
}

/** Points sorted by latency with F never decreasing (sources may disagree slightly); one point per x. */
export function monotoneCdf(points: readonly [number, number][]): [number, number][] {
  const sorted = [...points].filter(([x, f]) => Number.isFinite(x) && Number.isFinite(f)).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  let top = 0;
  for (const [x, f] of sorted) {
    top = Math.max(top, f);
    const last = out[out.length - 1];
    if (last && last[0] === x) last[1] = top;
    else out.push([x, top]);
  }
  return out;
}

/**
 * Each run's view, its timeline in the report's form: given (a merge passes the shards'), else
 * made from the run's own timeline within the report's budget.
 */
function runViews(results: readonly RunResult[], timelines: readonly (ReportTimeline | null)[] | undefined): RunView[] {
  const cap = reportSliceCap(results.filter((r) => r.timeline).length);
  return results.map((r, i) => ({
    label: schedulerLabel(r.job),
    workload: r.job.workload,
    seed: r.job.seed,
    simNs: r.simNs,
    cpus: Math.max(r.job.cpus, r.cpus.length),
    timeline: timelines?.[i] ?? reportTimeline(r, cap),
    switches: r.scx.timeline,
    exit: r.scx.exit,
    log: r.scx.log,
  }));
}

/** The requested run, else the first with a timeline, else the first (for its log and exit). */
function chosenRun(results: readonly RunResult[], index: number | undefined): number | null {
  if (index !== undefined && !(Number.isInteger(index) && index >= 0 && index < results.length)) {
    throw new RangeError(`chosenRun ${index} is not a run index (0..${results.length - 1})`);
  }
  if (results.length === 0) return null;
  if (index !== undefined) return index;
  const k = results.findIndex((x) => x.timeline);
  return k >= 0 ? k : 0;
}
