/**
 * The crash demo's windows of one run: before the fault, after it. Each is the stretch between
 * two snapshots (sim/snapshot.ts), measured by the same builder as whole runs
 * (sim/result_builder.ts) and shaped as a RunResult so that results/ can tabulate and chart
 * windows side by side like schedulers. What is the demo's own: the label, the scheduler that
 * ran, the exit shown with a window, and the class switches and kernel log cut to the window.
 */
import type { Machine } from "../../sim/machine.js";
import { snapshot as kernelSnapshot, type Snapshot } from "../../sim/snapshot.js";
import { windowMetrics, windowTasks } from "../../sim/result_builder.js";
import { RUN_SCHEMA, type ExitInfo, type JobSpec, type RunResult } from "../../sim/result.js";

export type { Snapshot };

/** The machine's counters now. Reads only. */
export function snapshot(m: Machine): Snapshot {
  return kernelSnapshot(m.kernel, m.scxApi.stats);
}

export interface WindowSpec {
  /** Row label in tables and charts, e.g. "before (simple)". */
  readonly label: string;
  /** What ran: the scheduler's name, or "fair". */
  readonly ran: string;
  readonly from: Snapshot;
  readonly to: Snapshot;
  /** The exit to show with this window (the report's exit table), or null. */
  readonly exit: ExitInfo | null;
}

/** The sched_ext counters that moved in the window (all of b's when a scheduler instance began inside it). */
function changedEvents(a: Snapshot, b: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  const from = a.scxInstance === b.scxInstance ? a.scxEvents : {};
  for (const [k, v] of Object.entries(b.scxEvents)) {
    const d = v - (from[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** One window as a RunResult (simNs is the window's length; job.scheduler is its label). */
export function windowResult(w: WindowSpec, job: JobSpec, full: RunResult, maxTasks: number): RunResult {
  const { from: a, to: b } = w;
  const m = windowMetrics(a, b);
  const len = m.lengthNs;
  const { tasks, truncated } = windowTasks(a, b, maxTasks);
  const inWindow = (t: number) => t >= a.atNs && (t < b.atNs || (t === b.atNs && b.atNs === full.simNs));
  return {
    schema: RUN_SCHEMA,
    job: { ...job, scheduler: w.label, options: {}, durationNs: len, warmupNs: 0, crashAtNs: null },
    simNs: len,
    measuredNs: len,
    events: m.events,
    wallMs: 0,
    groups: m.groups,
    tasks,
    tasksTruncated: truncated,
    cpus: m.cpus,
    totals: m.totals,
    scx: {
      scheduler: w.ran === "fair" ? null : w.ran,
      timeline: full.scx.timeline.filter((s) => inWindow(s.atNs)),
      exit: w.exit,
      log: full.scx.log.filter((l) => inWindow(l.atNs)),
      events: changedEvents(a, b),
    },
    invariants: { ...b.invariants },
    warnings: [],
  };
}
