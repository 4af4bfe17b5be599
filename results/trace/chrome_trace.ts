import { join } from "node:path";
import type { RunResult } from "../../sim/result.js";
import { atomicWriteStream } from "../io/atomic_write.js";
import { schedulerLabel } from "../label.js";
import { taskStates } from "./task_states.js";

/** Timeline class numbers (sim Cls) by name. */
const CLASS_NAMES: Readonly<Record<number, string>> = { 0: "fair", 1: "ext", 2: "rt", 3: "dl" };

/**
 * Chrome / Perfetto JSON trace of one run (the "JSON Array/Object Format" both UIs load).
 * Process 1 ("CPUs") has one thread per CPU (tid = cpu); each timeline slice is a complete
 * event ("X") on its CPU's thread. Process 2 ("Tasks") has one thread per task (tid = pid)
 * whose complete events are the task's states: running, runnable (waiting for a CPU) and
 * sleeping, so waiting time shows beside the CPUs. Class switches and the sched_ext exit are
 * global instants; kernel-log lines are process instants; busy CPUs and queued tasks are
 * counters. Timestamps are µs (the format's unit), fractional so no nanosecond is lost.
 *
 * A busy run has millions of events: they are produced one at a time (traceEvents) and written
 * as a stream (writeChromeTrace), never gathered into one array or one string.
 */

export const CPUS_PID = 1;
export const TASKS_PID = 2;

export interface TraceEvent {
  name: string;
  ph: "X" | "i" | "M" | "C" | "s" | "f";
  /** Flow id (ph "s"/"f"). */
  id?: number;
  /** Flow binding point: "e" binds the end of a flow to the enclosing slice. */
  bp?: "e";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: "g" | "p" | "t";
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ns";
  metadata: Record<string, unknown>;
}

const us = (ns: number) => ns / 1000;

/** The whole trace as one object: for small runs and tests; files are written by writeChromeTrace. */
export function toChromeTrace(result: RunResult): ChromeTrace {
  const traceEvents: TraceEvent[] = [];
  for (const e of traceEventsOf(result)) traceEvents.push(e);
  return { traceEvents, displayTimeUnit: "ns", metadata: traceMetadata(result) };
}

function traceMetadata(result: RunResult): Record<string, unknown> {
  return {
    scheduler: schedulerLabel(result.job),
    workload: result.job.workload,
    seed: result.job.seed,
    topology: result.job.topology,
    simNs: result.simNs,
    timeline: result.timeline ? (result.timeline.truncated ? "truncated" : "complete") : "absent",
  };
}

/** Every event of the trace, in file order, one at a time. */
export function* traceEventsOf(result: RunResult): Generator<TraceEvent> {
  const cpus = Math.max(result.job.cpus, result.cpus.length);
  yield { name: "process_name", ph: "M", pid: CPUS_PID, tid: 0, args: { name: "CPUs" } };
  yield { name: "process_sort_index", ph: "M", pid: CPUS_PID, tid: 0, args: { sort_index: 0 } };
  for (let cpu = 0; cpu < cpus; cpu++) {
    yield { name: "thread_name", ph: "M", pid: CPUS_PID, tid: cpu, args: { name: `CPU ${cpu}` } };
    yield { name: "thread_sort_index", ph: "M", pid: CPUS_PID, tid: cpu, args: { sort_index: cpu } };
  }
  yield* sliceEvents(result);
  yield* taskStateEvents(result);
  yield* flowEvents(result);
  yield* counterEvents(result);
  yield* instantEvents(result);
}

/** The "Tasks" process: a thread per task that ran, named "name (pid)", with its state spans. */
function* taskStateEvents(result: RunResult): Generator<TraceEvent> {
  const t = result.timeline;
  if (!t || t.pid.length === 0) return;
  const names = new Map(result.tasks.map((task) => [task.pid, task.name]));
  yield { name: "process_name", ph: "M", pid: TASKS_PID, tid: 0, args: { name: "Tasks" } };
  yield { name: "process_sort_index", ph: "M", pid: TASKS_PID, tid: 0, args: { sort_index: 1 } };
  for (const { pid, spans } of taskStates(result)) {
    const group = t.groupOf[String(pid)] ?? "?";
    yield { name: "thread_name", ph: "M", pid: TASKS_PID, tid: pid, args: { name: `${names.get(pid) ?? "pid"} (${pid})` } };
    yield { name: "thread_sort_index", ph: "M", pid: TASKS_PID, tid: pid, args: { sort_index: pid } };
    for (const sp of spans) {
      yield { name: sp.state, cat: "task-state", ph: "X", pid: TASKS_PID, tid: pid, ts: us(sp.startNs), dur: us(sp.endNs - sp.startNs), args: { pid, group } };
    }
  }
}

/** Writes the trace of `result` to `path` as a stream, atomically; open it at ui.perfetto.dev. */
export async function writeChromeTraceFile(path: string, result: RunResult): Promise<string> {
  return atomicWriteStream(path, tracePieces(result));
}

function* tracePieces(result: RunResult): Generator<string> {
  yield '{"traceEvents":[';
  let first = true;
  for (const e of traceEventsOf(result)) {
    yield first ? JSON.stringify(e) : `,\n${JSON.stringify(e)}`;
    first = false;
  }
  yield `],"displayTimeUnit":"ns","metadata":${JSON.stringify(traceMetadata(result))}}\n`;
}

function* sliceEvents(result: RunResult): Generator<TraceEvent> {
  const t = result.timeline;
  if (!t) return;
  const names = new Map(result.tasks.map((task) => [task.pid, task.name]));
  for (let i = 0; i < t.pid.length; i++) {
    const pid = t.pid[i]!;
    const group = t.groupOf[String(pid)] ?? "?";
    yield {
      name: names.get(pid) ?? `pid ${pid}`,
      cat: group,
      ph: "X",
      pid: CPUS_PID,
      tid: t.cpu[i]!,
      ts: us(t.startNs[i]!),
      dur: us(t.endNs[i]! - t.startNs[i]!),
      args: { pid, group, class: CLASS_NAMES[t.cls[i]] ?? "fair" },
    };
  }
}

/**
 * Wakeup flows: an arrow from the waker's slice (the task that resumed, signalled or forked) to
 * the first slice the woken task ran after the wakeup, named for its WAKE_* flags ("fork",
 * "wakeup sync", "wakeup"). Wakeups by the kernel (a timer, a sleep
 * ending) have no slice to start from and are left out.
 */
function* flowEvents(result: RunResult): Generator<TraceEvent> {
  const t = result.timeline;
  if (!t || !t.wakeNs) return;
  const byPid = new Map<number, number[]>();
  for (let i = 0; i < t.pid.length; i++) {
    const list = byPid.get(t.pid[i]!) ?? [];
    list.push(i);
    byPid.set(t.pid[i]!, list);
  }
  for (const list of byPid.values()) list.sort((a, b) => t.startNs[a]! - t.startNs[b]!);
  /** Position of the first slice in `list` starting at or after `ns` (list.length if none). */
  const firstAtOrAfter = (list: number[], ns: number) => {
    let lo = 0, hi = list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (t.startNs[list[mid]!]! < ns) lo = mid + 1; else hi = mid; }
    return lo;
  };
  for (let i = 0; i < t.wakeNs.length; i++) {
    const waker = t.wakerPid[i]!, at = t.wakeNs[i]!;
    if (waker <= 0) continue;
    const wakerSlices = byPid.get(waker), wakeeSlices = byPid.get(t.wakePid[i]!);
    if (!wakerSlices || !wakeeSlices) continue;
    const k = firstAtOrAfter(wakerSlices, at + 1) - 1;
    const j = firstAtOrAfter(wakeeSlices, at);
    if (k < 0 || j >= wakeeSlices.length) continue;
    const from = wakerSlices[k]!, to = wakeeSlices[j]!;
    if (t.endNs[from]! < at) continue;
    const flags = t.wakeFlags?.[i] ?? 0;
    const name = flags & WAKE_FORK ? "fork" : flags & WAKE_SYNC ? "wakeup sync" : "wakeup";
    const args = { waker, wakee: t.wakePid[i]!, flags: wakeFlagNames(flags) };
    yield { name, cat: "wakeup", ph: "s", id: i + 1, pid: CPUS_PID, tid: t.cpu[from]!, ts: us(at), args };
    yield { name, cat: "wakeup", ph: "f", bp: "e", id: i + 1, pid: CPUS_PID, tid: t.cpu[to]!, ts: us(t.startNs[to]!) };
  }
}

/** Timeline.wakeFlags bits: the kernel's SCX_WAKE_* values (WF_FORK, WF_TTWU, WF_SYNC). */
const WAKE_FORK = 1 << 2, WAKE_TTWU = 1 << 3, WAKE_SYNC = 1 << 4;

/** "TTWU|SYNC": the WAKE_* bits of a wakeup, by their kernel names. */
function wakeFlagNames(flags: number): string {
  const names: string[] = [];
  if (flags & WAKE_FORK) names.push("FORK");
  if (flags & WAKE_TTWU) names.push("TTWU");
  if (flags & WAKE_SYNC) names.push("SYNC");
  return names.join("|");
}

function* counterEvents(result: RunResult): Generator<TraceEvent> {
  const t = result.timeline;
  if (!t || !(t.sampleNs > 0)) return;
  for (let i = 0; i < t.busyCpus.length; i++) {
    const ts = us(i * t.sampleNs);
    yield { name: "busy CPUs", ph: "C", pid: CPUS_PID, tid: 0, ts, args: { busy: t.busyCpus[i] } };
    if (i < t.queued.length) yield { name: "queued tasks", ph: "C", pid: CPUS_PID, tid: 0, ts, args: { queued: t.queued[i] } };
  }
}

function instantEvents(result: RunResult): TraceEvent[] {
  // A handful of events (switches, the exit, log lines): an array is fine here.
  const out: TraceEvent[] = result.scx.timeline.map((sw) => ({
    name: `${sw.from} → ${sw.to}`,
    cat: "class-switch",
    ph: "i" as const,
    s: "g" as const,
    pid: CPUS_PID,
    tid: 0,
    ts: us(sw.atNs),
    args: { from: sw.from, to: sw.to, reason: sw.reason },
  }));
  const exit = result.scx.exit;
  if (exit) {
    out.push({
      name: `sched_ext exit: ${exit.kind}`,
      cat: "scx-exit",
      ph: "i",
      s: "g",
      pid: CPUS_PID,
      tid: 0,
      ts: us(exit.atNs),
      args: { kind: exit.kind, reason: exit.reason, msg: exit.msg, exitCode: exit.exitCode },
    });
  }
  // Kernel-log lines as process-scoped instants: visible on the CPUs track, not across all.
  for (const line of result.scx.log) {
    out.push({ name: line.msg, cat: "scx-log", ph: "i", s: "p", pid: CPUS_PID, tid: 0, ts: us(line.atNs) });
  }
  return out;
}

/** Writes the trace as `trace.json` (or `fileName`) in `dir`, streamed and atomic. */
export async function writeChromeTrace(dir: string, result: RunResult, fileName = "trace.json"): Promise<string> {
  return writeChromeTraceFile(join(dir, fileName), result);
}
