/** A readable summary of one RunResult for the terminal. */
import type { RunResult, Stats } from "../sim/result.js";
import { formatNs } from "../results/format/units.js";
import { describeRunLength } from "./run_length.js";
import { clean } from "./terminal_text.js";
import { table } from "./text_table.js";
export { clean, cleanText } from "./terminal_text.js";

export function formatRun(r: RunResult): string {
  const j = r.job;
  const lines: string[] = [];
  lines.push(`scheduler ${j.scheduler}${Object.keys(j.options).length ? ` (${Object.entries(j.options).map(([k, v]) => `${k}=${v}`).join(", ")})` : ""} · workload ${j.workload} · ${j.cpus} CPUs (${j.topology}) · ${describeRunLength(r)} · seed ${j.seed} · overheads ${j.overheads ? "on" : "off"}${j.hz !== undefined ? ` · HZ ${j.hz}` : ""}${refused(r)}`);
  lines.push("");
  const head = ["group", "tasks", "done", "requests", "cpu s", "wakeup p50", "p99", "request p50", "p99", "p99.9"];
  // Group by group (not Object.entries): a GroupResult is built when read, and a run of a
  // million names should not hold a million of them at once.
  const rows = Object.keys(r.groups).map((g) => {
    const s = r.groups[g]!;
    return [
      clean(g), String(s.tasks), String(s.completed), String(s.requests), (s.cpuNs / 1e9).toFixed(3),
      lat(s.wakeupLatencyNs, "p50"), lat(s.wakeupLatencyNs, "p99"), lat(s.requestLatencyNs, "p50"), lat(s.requestLatencyNs, "p99"), lat(s.requestLatencyNs, "p999"),
    ];
  });
  lines.push(...table([head, ...rows]));
  lines.push("");
  const t = r.totals;
  lines.push(`throughput ${t.throughput.toFixed(1)} req/s · utilisation ${(t.utilization * 100).toFixed(1)} % · Jain fairness ${t.jainFairness.toFixed(3)}`);
  lines.push(`context switches ${t.contextSwitches.voluntary} voluntary, ${t.contextSwitches.involuntary} involuntary · migrations ${t.migrations.total} (smt ${t.migrations.smt}, core ${t.migrations.core}, llc ${t.migrations.llc}, numa ${t.migrations.numa})`);
  for (const s of r.scx.timeline) lines.push(`[${(s.atNs / 1e9).toFixed(6)}] class ${s.from} → ${s.to} (${s.reason})`);
  if (r.scx.exit) lines.push(`sched_ext exit: ${r.scx.exit.kind} (${r.scx.exit.reason})${r.scx.exit.msg ? `: ${clean(r.scx.exit.msg)}` : ""} at ${(r.scx.exit.atNs / 1e9).toFixed(6)} s`);
  const inv = r.invariants;
  lines.push(`tasks created ${inv.created} = alive ${inv.alive} + exited ${inv.exited} · lost ${inv.lost}`);
  const eps = r.wallMs > 0 ? ` · ${Math.round(r.events / (r.wallMs / 1000)).toLocaleString("en-US")} events/s` : "";
  lines.push(`${r.events.toLocaleString("en-US")} events in ${r.wallMs} ms${eps}`);
  return lines.join("\n");
}

/** The header's note of new tasks refused at the live-task cap, if any were. */
function refused(r: RunResult): string {
  const x = r.tasksRefused;
  return x === undefined ? "" : ` · ${x.count} new tasks refused (live-task cap ${x.cap})`;
}

function lat(s: Stats, k: "p50" | "p99" | "p999"): string {
  return s.count === 0 ? "-" : formatNs(s[k]);
}
