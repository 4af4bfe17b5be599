/**
 * Recorded schedules as workloads: `importTrace(text, file)` detects the format (perf sched
 * timehist or perf script), parses it into per-task run/sleep/fork programs and returns the
 * rt-app-dialect document, its JSON text and the plan parsed back from that text.
 */
import type { WorkloadPlan } from "../../sim/plan.js";
import type { RtAppDoc } from "../builtin/types.js";
import { parseWorkload } from "../parse.js";
import { detectFormat, type TraceFormat } from "./detect.js";
import { parseScript } from "./parse_script.js";
import { parseTimehist } from "./parse_timehist.js";
import { toWorkload, type ImportSummary } from "./to_workload.js";
import { TraceError, type Trace } from "./trace.js";
import { EngineBug } from "../../sim/errors.js";

export { TraceError, type Trace, type TraceTask, type TraceEvent } from "./trace.js";
export { detectFormat, type TraceFormat } from "./detect.js";
export type { ImportSummary } from "./to_workload.js";

export interface Imported {
  readonly format: TraceFormat;
  readonly doc: RtAppDoc;
  /** The document as written: pretty JSON, one event per line. */
  readonly text: string;
  /** `text` parsed back (as `outName`): the proof that the file loads. */
  readonly plan: WorkloadPlan;
  readonly summary: ImportSummary;
  /** Remarks about the trace (lost events, ...), then the parser's warnings. */
  readonly warnings: readonly string[];
}

/** Longest trace accepted: durations must stay within what a workload file may hold (1e12 µs). */
const MAX_SPAN_NS = 1e15;

/** Parses a trace (either format). */
export function parseTrace(text: string, file: string): Trace {
  const lines = String(text).split(/\r?\n/);
  return detectFormat(lines, file) === "timehist" ? parseTimehist(lines, file) : parseScript(lines, file);
}

/** A trace → a workload; `outName` names the workload file the result is checked as. */
export function importTrace(text: string, file: string, outName = "imported.json"): Imported {
  const trace = parseTrace(text, file);
  if (trace.endNs - trace.startNs > MAX_SPAN_NS) {
    throw new TraceError(file, 1, "a trace covering at most 1e6 s", `${((trace.endNs - trace.startNs) / 1e9).toExponential(2)} s`, false);
  }
  const { doc, summary } = toWorkload(trace);
  if (summary.tasks === 0) {
    throw new TraceError(file, 1, "a trace in which at least one task ran", "none", false);
  }
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  let plan: WorkloadPlan;
  try {
    plan = parseWorkload(json, outName);
  } catch (e) { // the document is ours: a rejection is a bug here, not bad input
    throw new EngineBug(`trace import produced a workload the parser rejects: ${(e as Error).message}`);
  }
  const skipped = trace.skipped > 0 ? [`${trace.skipped} lines not understood were skipped (first: ${trace.skippedSample})`] : [];
  return { format: trace.format, doc, text: json, plan, summary, warnings: [...skipped, ...trace.warnings, ...plan.warnings] };
}
