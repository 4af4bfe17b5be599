/**
 * The demo's files: `report.html` (results' report with this one run: its per-CPU timeline with
 * the class band, the windows before and after the fault as the rows of the tables and charts,
 * and the demo's timeline as the log) and `result.json` (the whole run's RunResult, without the
 * per-CPU timeline as `run --json` does, plus a `crashDemo` field with the story and windows).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { aggregate, atomicWriteStream, writeReport } from "../../results/index.js";
import { prettyJsonPiecesByKey } from "../../results/io/json_pieces.js";
import { errnoName } from "../../sim/bpf/index.js";
import type { RunResult } from "../../sim/result.js";
import type { CrashDemoOutcome } from "./demo.js";
import { FAULT_INFO } from "./faults.js";

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(3)} s`;
}

export function reportTitle(o: CrashDemoOutcome): string {
  return `scxlab crash-demo: ${o.scheduler} on ${o.result.job.workload}, fault "${o.fault}" at ${secs(o.faultAtNs)}`;
}

export function reportNotes(o: CrashDemoOutcome): string[] {
  const notes = [`Fault "${o.fault}" at ${secs(o.faultAtNs)}: ${FAULT_INFO[o.fault].what}.`];
  const e = o.exit;
  notes.push(e === null
    ? `The scheduler was still enabled at the end (expected ${FAULT_INFO[o.fault].kind}).`
    : `Exit: ${e.kind} (${e.reason})${e.msg ? `: ${e.msg}` : ""} at ${(e.atNs / 1e9).toFixed(6)} s; every task went back to the fair class.`);
  if (o.linkUpdate !== null) {
    notes.push(`BPF_LINK_UPDATE with a second scheduler's map at ${secs(o.linkUpdateAtNs)}: ${o.linkUpdate < 0 ? `-${errnoName(o.linkUpdate)}` : o.linkUpdate} (sched_ext links cannot be updated).`);
  }
  if (o.reattach?.attachedAtNs != null) {
    notes.push(`A new loader attached "${o.reattach.scheduler}" through a new link at ${secs(o.reattach.attachedAtNs)}.`);
  }
  const spans = o.windows.map((w, i) => `${w.job.scheduler} ${secs(o.windowStartsNs[i]!)}–${secs(o.windowStartsNs[i]! + w.simNs)}`);
  notes.push(`The tables and charts compare windows of this one run (${spans.join("; ")}); latencies count in the window where they were recorded.`);
  notes.push("The log below is the demo's timeline: kernel lines, the loaders' bpf(2) calls and output, and # remarks.");
  const i = o.result.invariants;
  notes.push(`Tasks created ${i.created} = alive ${i.alive} + exited ${i.exited}; lost ${i.lost}.`);
  return notes;
}

/** The RunResult plus what the demo adds: fault, link update, exit, story, windows. */
export function demoJson(o: CrashDemoOutcome): Record<string, unknown> {
  const { timeline: _timeline, ...run } = o.result;
  return {
    ...run,
    crashDemo: {
      fault: o.fault,
      faultAtNs: o.faultAtNs,
      expectedExitKind: FAULT_INFO[o.fault].kind,
      timeoutMs: o.timeoutMs,
      stallBeganNs: o.stallBeganNs,
      linkUpdate: { atNs: o.linkUpdateAtNs, result: o.linkUpdate, errno: o.linkUpdate !== null && o.linkUpdate < 0 ? errnoName(o.linkUpdate) : null },
      exit: o.exit,
      atExit: o.atExit,
      linkReleasedNs: o.linkReleasedNs,
      reattach: o.reattach === null ? null : {
        scheduler: o.reattach.scheduler, attachedAtNs: o.reattach.attachedAtNs, attempts: o.reattach.attempts,
        lastError: o.reattach.lastError, linkId: o.reattach.linkId,
      },
      story: o.story,
      windows: o.windows.map((w, i) => ({ startNs: o.windowStartsNs[i], ...w, tasks: [], tasksTruncated: true })),
    },
  };
}

/** Writes report.html and result.json into `dir`; returns their paths. */
export async function writeDemoOutputs(o: CrashDemoOutcome, dir: string): Promise<{ report: string; json: string }> {
  mkdirSync(dir, { recursive: true });
  const chosen: RunResult = { ...o.result, scx: { ...o.result.scx, log: o.story.map((l) => ({ atNs: l.atNs, msg: l.text })) } };
  const report = await writeReport(dir, {
    title: reportTitle(o), results: [chosen, ...o.windows], aggregate: aggregate(o.windows), chosenRun: 0, notes: reportNotes(o),
    oneSeedNote: "Each row is one window of this single run, so there are no confidence intervals or error bars; to compare schedulers with confidence, use scxlab compare with --seeds.",
  });
  const json = await atomicWriteStream(join(dir, "result.json"), demoJsonPieces(o));
  return { report, json };
}

/**
 * result.json's text in pieces, as `run --json` writes its RunResult (a run of many task names
 * passes V8's limit on one string): the run's groups and tasks one by one, and inside crashDemo
 * each window's groups one by one. Joined: `JSON.stringify(demoJson(o), null, 2)` and a newline.
 */
export function* demoJsonPieces(o: CrashDemoOutcome): Generator<string> {
  // crashDemo → windows → each window → its groups → each group.
  yield* prettyJsonPiecesByKey(demoJson(o), (key) => (key === "crashDemo" ? 4 : 1));
  yield "\n";
}
