import type { ReportData, RunView } from "./data.js";
import type { ReportTimeline } from "./timelines.js";

/**
 * The report's data as it is embedded in the HTML, smaller than `ReportData` without losing a
 * bit: most of a sweep's report is its timelines, and two parts of them repeat.
 * - Every scheduler runs the same tasks of a workload and seed, so the pid → name and pid → group
 *   tables are shared: runs whose tables agree on every pid they both name point at one table.
 * - Slice times are large numbers close to each other: each slice's end is kept as the step from
 *   the previous slice's end (slices are recorded as they end) and its start as its length.
 * The client's unpack.js rebuilds `ReportData` exactly before anything is drawn. On the default
 * sweep this takes the report from 8.5 MB to about half.
 */

/** Pid → task name and pid → group, shared by the runs that point at it. */
export interface TaskTable {
  names: Record<string, string>;
  groupOf: Record<string, string>;
}

export type PackedTimeline = Omit<ReportTimeline, "names" | "groupOf" | "startNs" | "endNs"> & {
  /** Index into `PackedReportData.taskTables`. */
  tasks: number;
  /** Pids of this run's slices it has no name for (the result lists only some tasks): a shared table may. */
  unnamed: number[];
  /** The same for groups. */
  ungrouped: number[];
  /** endNs[i] − endNs[i−1] (endNs[−1] = 0). */
  endStepNs: number[];
  /** endNs[i] − startNs[i]. */
  lengthNs: number[];
};

export type PackedRunView = Omit<RunView, "timeline"> & { timeline: PackedTimeline | null };

export type PackedReportData = Omit<ReportData, "runs"> & { runs: PackedRunView[]; taskTables: TaskTable[] };

/** Packs the report's data for embedding (the inverse is the client's `unpackReportData`). */
export function packReportData(data: ReportData): PackedReportData {
  const tables: { workload: string; table: TaskTable }[] = [];
  const runs = data.runs.map((run): PackedRunView => {
    const t = run.timeline;
    if (t === null) return { ...run, timeline: null };
    const { names, groupOf, startNs, endNs, ...rest } = t;
    const n = endNs.length;
    const endStepNs = new Array<number>(n);
    const lengthNs = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      endStepNs[i] = endNs[i]! - (i === 0 ? 0 : endNs[i - 1]!);
      lengthNs[i] = endNs[i]! - startNs[i]!;
    }
    const shown = [...new Set(rest.pid)].sort((a, b) => a - b);
    const unnamed = shown.filter((p) => !(String(p) in names));
    const ungrouped = shown.filter((p) => !(String(p) in groupOf));
    return { ...run, timeline: { ...rest, tasks: shareTable(tables, run.workload, names, groupOf), unnamed, ungrouped, endStepNs, lengthNs } };
  });
  return { ...data, runs, taskTables: tables.map((x) => x.table) };
}

/** The index of a table of this workload that agrees with these entries (extended by them), else a new one. */
function shareTable(tables: { workload: string; table: TaskTable }[], workload: string, names: Record<string, string>, groupOf: Record<string, string>): number {
  const fits = (t: TaskTable) => agrees(t.names, names) && agrees(t.groupOf, groupOf);
  const k = tables.findIndex((x) => x.workload === workload && fits(x.table));
  if (k < 0) {
    tables.push({ workload, table: { names: { ...names }, groupOf: { ...groupOf } } });
    return tables.length - 1;
  }
  Object.assign(tables[k]!.table.names, names);
  Object.assign(tables[k]!.table.groupOf, groupOf);
  return k;
}

function agrees(shared: Record<string, string>, own: Record<string, string>): boolean {
  for (const pid of Object.keys(own)) {
    const v = shared[pid];
    if (v !== undefined && v !== own[pid]) return false;
  }
  return true;
}
