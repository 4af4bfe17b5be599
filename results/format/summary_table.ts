import { bestPerGroupMetric, bestPerMetric, seedsVary, type Aggregate, type Best } from "../aggregate.js";
import type { MetricInfo, MetricKey } from "../metrics.js";
import { formatRatio, relativeTo } from "../relative.js";
import { formatRowExits } from "./exits.js";
import { formatEstimateParts } from "./units.js";
import { escapeControls } from "../../sim/printable.js";

/**
 * The terminal summary: one block per workload, one line per scheduler, aligned columns of
 * mean ± CI half-width. `*` marks the best mean in a column (several when they tie), `**` a
 * best whose interval separates from every other scheduler's. A row whose scheduler exited
 * early is flagged `!` with the exit in its own column, and is not ranked.
 */

export const SUMMARY_COLUMNS: readonly MetricKey[] = [
  "throughput",
  "wakeupP50",
  "wakeupP99",
  "wakeupP999",
  "requestP99",
  "jainFairness",
  "contextSwitches",
];

export interface SummaryOptions {
  columns?: readonly MetricKey[];
}

export function formatSummaryTable(agg: Aggregate, options: SummaryOptions = {}): string {
  const columns = agg.metrics.filter((m) => (options.columns ?? SUMMARY_COLUMNS).includes(m.key));
  if (agg.rows.length === 0) return "no results\n";
  const blocks: string[] = [];
  for (const workload of agg.workloads) {
    const rows = agg.rows.filter((r) => r.workload === workload);
    const best = bestPerMetric(agg, workload);
    const exited = rows.some((r) => r.exits.length > 0);
    const header = ["scheduler", "n", ...(exited ? ["sched_ext exit"] : []), ...columns.map(columnTitle)];
    const cells: Cell[][] = rows.map((r) => [
      [escapeControls(r.label) + (r.exits.length > 0 ? " !" : ""), ""],
      [String(r.n), ""],
      ...(exited ? [["", formatRowExits(r.exits, r.n)] as Cell] : []),
      ...columns.map((m): Cell => {
        // Every cell keeps a two-character mark slot so the columns stay aligned.
        const [value, rest] = formatEstimateParts(r.metrics[m.key], m.unit);
        return [value, `${rest} ${markOf(best[m.key], r.label)}`];
      }),
    ]);
    const seeds = Math.max(...rows.map((r) => r.n));
    const notes = [
      ...(seedsVary(agg, workload) ? [] : ["seeds do not vary: every seed gave the same values, so no difference is marked significant"]),
      ...(exited ? [exitNote(rows.every((r) => r.exits.length > 0))] : []),
    ];
    blocks.push([`workload: ${escapeControls(workload)}  (${seeds} seed${seeds === 1 ? "" : "s"})`, alignColumns(header, cells), ...notes, ...groupBlock(agg, workload), ...relativeBlock(agg, workload, columns)].join("\n"));
  }
  const level = Math.round(agg.level * 100);
  const legend =
    `mean ± ${level}% CI half-width; ↓ lower is better, ↑ higher is better, no arrow: no better direction; ` +
    "* best mean (several: a tie, within the histogram resolution for percentiles), ** best and its CI separates from all others";
  return [...blocks, legend, ...agg.warnings.map((w) => `warning: ${w}`)].join("\n\n") + "\n";
}

/** With two or more task groups: a line per (group, scheduler) with the group's own metrics. */
function groupBlock(agg: Aggregate, workload: string): string[] {
  const rows = agg.rows.filter((r) => r.workload === workload);
  const names = [...new Set(rows.flatMap((r) => r.groups.map((g) => g.name)))];
  if (names.length < 2) return [];
  const header = ["group", "scheduler", ...agg.groupMetrics.map(columnTitle)];
  const cells: Cell[][] = [];
  for (const name of names) {
    const best = bestPerGroupMetric(agg, workload, name);
    rows.forEach((r, k) => {
      const g = r.groups.find((x) => x.name === name);
      if (!g) return;
      cells.push([
        [k === 0 || cells.length === 0 ? escapeControls(name) : "", ""],
        ["", escapeControls(r.label) + (r.exits.length > 0 ? " !" : "")],
        ...agg.groupMetrics.map((m): Cell => {
          const [value, rest] = formatEstimateParts(g.metrics[m.key], m.unit);
          return [value, `${rest} ${markOf(best[m.key], r.label)}`];
        }),
      ]);
    });
  }
  return ["", "per task group:", alignColumns(header, cells)];
}

function markOf(b: Best, label: string): string {
  return b.labels.includes(label) ? (b.significant ? "**" : "* ") : "  ";
}

/** Each other scheduler's means as ratios of the baseline's, hyperfine style. */
function relativeBlock(agg: Aggregate, workload: string, columns: readonly MetricInfo[]): string[] {
  const rel = relativeTo(agg, workload);
  if (rel === null) return [];
  const header = ["scheduler", ...columns.map((m) => m.label)];
  const cells = rel.rows.map((r): Cell[] => [[escapeControls(r.label) + (r.exited ? " !" : ""), ""], ...columns.map((m): Cell => [formatRatio(r.ratios[m.key]), ""])]);
  return ["", `relative to ${escapeControls(rel.baseline)} (ratio of means ± sd, as hyperfine prints it):`, alignColumns(header, cells)];
}

function columnTitle(m: Pick<MetricInfo, "label" | "better">): string {
  return m.better === null ? m.label : `${m.label} ${m.better === "lower" ? "↓" : "↑"}`;
}

function exitNote(all: boolean): string {
  return all
    ? "! every scheduler exited early (fair ran the rest of those runs): compared as they are"
    : "! sched_ext exited early in these runs and fair ran the rest: not ranked";
}

/** A cell is [digits, rest]: digits right-aligned, rest left-aligned, so the ± line up. */
type Cell = [string, string];

const width = (s: string) => [...s].length;

/**
 * First column left-aligned, and any column of text only (empty digits); others aligned on the
 * digits/rest split; two spaces between.
 */
function alignColumns(header: string[], rows: Cell[][]): string {
  const left = header.map((_, c) => Math.max(0, ...rows.map((r) => width(r[c]![0]))));
  const right = header.map((_, c) => Math.max(0, ...rows.map((r) => width(r[c]![1]))));
  const total = header.map((h, c) => Math.max(width(h), left[c]! + right[c]!));
  const textOnly = header.map((_, c) => c === 0 || left[c] === 0);
  const pad = (s: string, n: number, atStart: boolean) => (atStart ? " ".repeat(n - width(s)) + s : s + " ".repeat(n - width(s)));
  const lines = [header.map((h, c) => pad(h, total[c]!, !textOnly[c])).join("  ")];
  for (const r of rows) {
    const cells = r.map(([digits, rest], c) => {
      if (c === 0) return pad(digits, total[c]!, false);
      const body = pad(digits, left[c]!, true) + pad(rest, right[c]!, false);
      return pad(body, total[c]!, !textOnly[c]);
    });
    lines.push(cells.join("  "));
  }
  return lines.map((l) => l.trimEnd()).join("\n");
}
