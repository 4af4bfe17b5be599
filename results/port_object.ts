/**
 * What a sweep shows about a TS port beside its compiled upstream object: a `.o` file whose
 * sched_ext_ops name is the port's registry name (bpfland and scx_bpfland.bpf.o). Per workload,
 * the two rows are the same on every summary metric, or within each other's confidence
 * intervals on all of them, or apart on some; the report lists which, with the values, and
 * points to the README, which says what is known to differ between each port and its object.
 */
import type { RunResult } from "../sim/result.js";
import type { Aggregate, AggregateRow } from "./aggregate.js";
import type { Estimate } from "./stats/confidence_interval.js";
import { formatEstimate } from "./format/units.js";
import { schedulerLabel } from "./label.js";

/** Where the README explains each port's known differences from its object. */
const README_SECTION = `README "Running a compiled sched_ext scheduler" says what is known to differ between each port and its upstream object, and why`;

/** The metrics named when two rows are apart, at most. */
const MAX_NAMED = 3;

/** One note per (port, object) pair in the sweep; none when the sweep has no such pair. */
export function portObjectNotes(results: readonly RunResult[], agg: Aggregate): string[] {
  const opsName = new Map<string, string>(), isObject = new Map<string, boolean>(), base = new Map<string, string>();
  for (const r of results) {
    const label = schedulerLabel(r.job);
    if (r.scx.scheduler !== null) opsName.set(label, r.scx.scheduler);
    // A compiled object is a path ending in .o, as a scheduler spec tells them apart.
    isObject.set(label, /\.o$/i.test(r.job.scheduler));
    base.set(label, r.job.scheduler);
  }
  const notes: string[] = [];
  for (const obj of agg.labels) {
    const name = opsName.get(obj);
    if (isObject.get(obj) !== true || name === undefined) continue;
    for (const port of agg.labels) {
      if (isObject.get(port) !== false || base.get(port) !== name) continue;
      notes.push(pairNote(agg, port, obj));
    }
  }
  return notes;
}

function pairNote(agg: Aggregate, port: string, obj: string): string {
  const same: string[] = [], close: string[] = [], apart: string[] = [];
  for (const w of agg.workloads) {
    const p = row(agg, port, w), o = row(agg, obj, w);
    if (p === undefined || o === undefined) continue;
    const differ = agg.metrics.filter((m) => !sameMean(p.metrics[m.key], o.metrics[m.key]));
    if (differ.length === 0) { same.push(w); continue; }
    const separate = differ.filter((m) => !overlap(p.metrics[m.key], o.metrics[m.key]));
    if (separate.length === 0) { close.push(w); continue; }
    const named = separate.slice(0, MAX_NAMED).map((m) => `${m.label} ${mean(p.metrics[m.key], m.unit)} against ${mean(o.metrics[m.key], m.unit)}`);
    apart.push(`${w} (${named.join(", ")}${separate.length > MAX_NAMED ? ", …" : ""})`);
  }
  const parts = [
    same.length > 0 ? `the same on every summary metric on ${same.join(", ")}` : "",
    close.length > 0 ? `within each other's confidence intervals on ${close.join(", ")}` : "",
    apart.length > 0 ? `apart on ${apart.join("; ")}` : "",
  ].filter((s) => s !== "");
  return `${port} (a TS port) against ${obj} (its compiled object): ${parts.join("; ") || "no workload run by both"}. ${README_SECTION}.`;
}

function row(agg: Aggregate, label: string, workload: string): AggregateRow | undefined {
  return agg.rows.find((r) => r.label === label && r.workload === workload);
}

function sameMean(a: Estimate, b: Estimate): boolean {
  return a.mean === b.mean;
}

/** Both intervals known and overlapping (with one seed there is none, so no overlap is claimed). */
function overlap(a: Estimate, b: Estimate): boolean {
  return a.lo !== null && a.hi !== null && b.lo !== null && b.hi !== null && a.lo <= b.hi && b.lo <= a.hi;
}

function mean(e: Estimate, unit: Parameters<typeof formatEstimate>[1]): string {
  return formatEstimate({ ...e, half: null }, unit);
}
