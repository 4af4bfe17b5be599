import { join } from "node:path";
import type { RunResult } from "../../sim/result.js";
import { formatOptions, schedulerLabel } from "../label.js";
import { METRICS, type MetricKey } from "../metrics.js";
import { atomicWrite } from "./atomicWrite.js";

/**
 * `results.csv`: one row per run, flat columns, RFC 4180 (CRLF line ends, fields with a comma,
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
  ["wall_ms", (r) => r.wallMs],
  ["warnings", (r) => r.warnings.length],
];

export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

export function csvField(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && !Number.isFinite(value)) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(results: readonly RunResult[]): string {
  const lines = [CSV_COLUMNS.map(csvField).join(",")];
  for (const r of results) lines.push(COLUMNS.map(([, get]) => csvField(get(r))).join(","));
  return lines.join("\r\n") + "\r\n";
}

export async function writeResultsCsv(dir: string, results: readonly RunResult[], fileName = "results.csv"): Promise<string> {
  return atomicWrite(join(dir, fileName), toCsv(results));
}
