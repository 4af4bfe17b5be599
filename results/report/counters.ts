import type { RunResult } from "../../sim/result.js";
import { confidenceInterval, type Estimate } from "../stats/confidence_interval.js";
import { formatEstimate } from "../format/units.js";

/**
 * What a scheduler counted during its runs of one workload (RunResult.scx.events: a compiled
 * object's .bss/.data integers such as bpfland's nr_direct_dispatches, a TS scheduler's
 * scx.stat counters, the kernel's SCX_EV_* events), for the report's counter chart. Names are
 * kept in arrays, never as object keys, since they come from user objects.
 */
export interface CounterData {
  /** Every counter some run reported, sorted. */
  names: string[];
  /** The counter shown first: of those non-zero somewhere, the one most schedulers report (else 0). */
  initial: number;
  /** Per scheduler: for each name, the mean over its seeds with its interval (null when its runs lack it), and as text. */
  rows: { label: string; values: (Estimate | null)[]; text: string[] }[];
}

/** The counters of `labels`' runs (`runsOf(label)`), or null when no run reported one. */
export function counterData(labels: readonly string[], runsOf: (label: string) => readonly RunResult[], level: number): CounterData | null {
  const all = new Set<string>();
  for (const label of labels) for (const r of runsOf(label)) for (const k of Object.keys(r.scx.events ?? {})) all.add(k);
  if (all.size === 0) return null;
  const names = [...all].sort();
  const rows = labels.map((label) => {
    const runs = runsOf(label);
    const values = names.map((name) => {
      const xs = runs.map((r) => (Object.hasOwn(r.scx.events ?? {}, name) ? r.scx.events[name]! : Number.NaN));
      return xs.length > 0 && xs.every(Number.isFinite) ? confidenceInterval(xs, level) : null;
    });
    return { label, values, text: values.map((e) => (e === null ? "—" : formatEstimate(e, "count"))) };
  });
  // Shown first: of the counters some scheduler has non-zero, the one most schedulers report.
  let initial = 0, most = 0;
  names.forEach((_, i) => {
    const having = rows.filter((r) => r.values[i] !== null).length;
    if (having > most && rows.some((r) => (r.values[i]?.mean ?? 0) !== 0)) { initial = i; most = having; }
  });
  return { names, initial, rows };
}
