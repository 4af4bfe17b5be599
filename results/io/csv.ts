import { join } from "node:path";
import type { GroupResult, RunResult } from "../../sim/result.js";
import { GROUP_METRICS } from "../groupMetrics.js";
import { formatOptions, schedulerLabel } from "../label.js";
import { METRICS, type MetricKey } from "../metrics.js";
import { atomicWrite } from "./atomicWrite.js";

/**
 * `results.csv`: one row per run (group empty) followed by one row per task group of that run
 * (group named; the group's own metrics, identifiers repeated, run-wide columns empty), flat columns, RFC 4180 (CRLF line ends, fields with a comma,
 * quote or line break quoted, quotes doubled). Metric columns come from METRICS with their
 * unit in the name (`wakeup_p99_ns`); a value a run could not measure is an empty field.
 * Text that a spreadsheet would run as a formula (a workload file named "=cmd|...", a scheduler's
 * exit message starting with "@") gets a leading apostrophe, as OWASP advises; numbers never do.
 */

type Cell = string | number | boolean | null | undefined;

/** Every metric needs a column name: the Record type makes a new metric fail to compile here. */
const METRIC_COLUMNS: Record<MetricKey, string> = {
  throughput: "throughput_rps",
  wakeupP50: "wakeup_p50_ns",
  wakeupP99: "wakeup_p99_ns",
  wakeupP999: "wakeup_p999_ns",
  requestP50: "request_p50_ns",
  requestP99: "request_p99_ns",
  requestP999: "request_p999_ns",
  requestMean: "request_mean_ns",
  utilization: "utilization",
  jainFairness: "jain_fairness",
  contextSwitches: "context_switches",
  migrations: "migrations",
};

const COLUMNS: [string, (r: RunResult) => Cell][] = [
  ["label", (r) => schedulerLabel(r.job)],
  ["scheduler", (r) => r.job.scheduler],
  ["options", (r) => formatOptions(r.job.options)],
  ["workload", (r) => r.job.workload],
  ["group", () => ""],
  ["params", (r) => formatOptions(r.job.params)],
  ["seed", (r) => r.job.seed],
  ["cpus", (r) => r.job.cpus],
  ["topology", (r) => r.job.topology],
  ["duration_ns", (r) => r.job.durationNs],
  ["overheads", (r) => r.job.overheads],
  ["sim_ns", (r) => r.simNs],
  ["completed", (r) => r.totals.completed],
  ["requests", (r) => r.totals.requests],
  ...METRICS.map((m): [string, (r: RunResult) => Cell] => [METRIC_COLUMNS[m.key], m.value]),
  ["cpu_share", () => null],
  ["cs_voluntary", (r) => r.totals.contextSwitches.voluntary],
  ["cs_involuntary", (r) => r.totals.contextSwitches.involuntary],
  ["migrations_smt", (r) => r.totals.migrations.smt],
  ["migrations_llc", (r) => r.totals.migrations.llc],
  ["migrations_numa", (r) => r.totals.migrations.numa],
  ["exit_kind", (r) => r.scx.exit?.kind ?? "SCX_EXIT_NONE"],
  ["exit_reason", (r) => r.scx.exit?.reason],
  ["exit_msg", (r) => r.scx.exit?.msg],
  ["exit_at_ns", (r) => r.scx.exit?.atNs],
  ["exit_code", (r) => r.scx.exit?.exitCode],
  ["tasks_created", (r) => r.invariants.created],
  ["tasks_exited", (r) => r.invariants.exited],
  ["tasks_alive", (r) => r.invariants.alive],
  ["lost", (r) => r.invariants.lost],
  ["events", (r) => r.events],
  ["warnings", (r) => r.warnings.length],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/** Columns that name the run: repeated on its group rows so each row stands alone. */
const IDENTITY = new Set(["label", "scheduler", "options", "workload", "params", "seed", "cpus", "topology", "duration_ns", "overheads", "sim_ns", "exit_kind", "exit_at_ns"]);

const pick = (s: GroupResult["requestLatencyNs"], p: "p50" | "p999" | "mean") => (s.count > 0 ? s[p] : null);

/** A group row's own values; the group metrics are those of groupMetrics.ts, so the report and the CSV agree. */
const GROUP_COLUMNS: Record<string, (r: RunResult, name: string, g: GroupResult) => Cell> = {
  group: (_, name) => name,
  completed: (_, __, g) => g.completed,
  requests: (_, __, g) => g.requests,
  request_p50_ns: (_, __, g) => pick(g.requestLatencyNs, "p50"),
  request_p999_ns: (_, __, g) => pick(g.requestLatencyNs, "p999"),
  request_mean_ns: (_, __, g) => pick(g.requestLatencyNs, "mean"),
};
for (const m of GROUP_METRICS) {
  const column = m.key === "cpuShare" ? "cpu_share" : METRIC_COLUMNS[m.key];
  GROUP_COLUMNS[column] = (r, _, g) => m.value(r, g);
}

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isFinite(value)) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(results: readonly RunResult[]): string {
  const lines = [CSV_COLUMNS.map(csvField).join(",")];
  for (const r of results) {
    lines.push(COLUMNS.map(([, get]) => csvField(get(r))).join(","));
    for (const [name, g] of Object.entries(r.groups)) {
      lines.push(COLUMNS.map(([column, get]) => {
        const own = GROUP_COLUMNS[column];
        return csvField(own ? own(r, name, g) : IDENTITY.has(column) ? get(r) : null);
      }).join(","));
    }
  }
  return lines.join("\r\n") + "\r\n";
}

export async function writeResultsCsv(dir: string, results: readonly RunResult[], fileName = "results.csv"): Promise<string> {
  return atomicWrite(join(dir, fileName), toCsv(results));
}
