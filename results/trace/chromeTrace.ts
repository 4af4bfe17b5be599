import { join } from "node:path";
import type { RunResult } from "../../sim/result.js";
import { atomicWrite } from "../io/atomicWrite.js";
import { schedulerLabel } from "../label.js";

/**
 * Chrome / Perfetto JSON trace of one run (the "JSON Array/Object Format" both UIs load).
 * Process 1 ("CPUs") has one thread per CPU (tid = cpu); each timeline slice is a complete
 * event ("X") on its CPU's thread. Class switches and the sched_ext exit are global instants;
 * kernel-log lines are process instants; busy CPUs and queued tasks are counters. Timestamps are µs (the format's unit), fractional
 * so no nanosecond is lost.
 */

export const CPUS_PID = 1;

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

export function toChromeTrace(result: RunResult): ChromeTrace {
  const cpus = Math.max(result.job.cpus, result.cpus.length);
  const events: TraceEvent[] = [
    { name: "process_name", ph: "M", pid: CPUS_PID, tid: 0, args: { name: "CPUs" } },
    { name: "process_sort_index", ph: "M", pid: CPUS_PID, tid: 0, args: { sort_index: 0 } },
  ];
  for (let cpu = 0; cpu < cpus; cpu++) {
    events.push({ name: "thread_name", ph: "M", pid: CPUS_PID, tid: cpu, args: { name: `CPU ${cpu}` } });
    events.push({ name: "thread_sort_index", ph: "M", pid: CPUS_PID, tid: cpu, args: { sort_index: cpu } });
  }
  events.push(...sliceEvents(result), ...flowEvents(result), ...counterEvents(result), ...instantEvents(result));
  return {
    traceEvents: events,
    displayTimeUnit: "ns",
    metadata: {
      scheduler: schedulerLabel(result.job),
      workload: result.job.workload,
      seed: result.job.seed,
      topology: result.job.topology,
      simNs: result.simNs,
      timeline: result.timeline ? (result.timeline.truncated ? "truncated" : "complete") : "absent",
    },
  };
}

function sliceEvents(result: RunResult): TraceEvent[] {
  const t = result.timeline;
  if (!t) return [];
  const names = new Map(result.tasks.map((task) => [task.pid, task.name]));
  const out: TraceEvent[] = [];
  for (let i = 0; i < t.pid.length; i++) {
    const pid = t.pid[i]!;
    const group = t.groupOf[String(pid)] ?? "?";
    out.push({
      name: names.get(pid) ?? `pid ${pid}`,
      cat: group,
      ph: "X",
      pid: CPUS_PID,
      tid: t.cpu[i]!,
      ts: us(t.startNs[i]!),
      dur: us(t.endNs[i]! - t.startNs[i]!),
      args: { pid, group, class: t.cls[i] === 1 ? "ext" : "fair" },
    });
  }
  return out;
}

/**
 * Wakeup flows: an arrow from the waker's slice (the task that resumed or signalled) to the
 * first slice the woken task ran after the wakeup. Wakeups by the kernel (a timer, a sleep
 * ending) have no slice to start from and are left out.
 */
function flowEvents(result: RunResult): TraceEvent[] {
  const t = result.timeline;
  if (!t || !t.wakeNs) return [];
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
  const out: TraceEvent[] = [];
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
    out.push({ name: "wakeup", cat: "wakeup", ph: "s", id: i + 1, pid: CPUS_PID, tid: t.cpu[from]!, ts: us(at) });
    out.push({ name: "wakeup", cat: "wakeup", ph: "f", bp: "e", id: i + 1, pid: CPUS_PID, tid: t.cpu[to]!, ts: us(t.startNs[to]!) });
  }
  return out;
}

function counterEvents(result: RunResult): TraceEvent[] {
  const t = result.timeline;
  if (!t || !(t.sampleNs > 0)) return [];
  const out: TraceEvent[] = [];
  for (let i = 0; i < t.busyCpus.length; i++) {
    const ts = us(i * t.sampleNs);
    out.push({ name: "busy CPUs", ph: "C", pid: CPUS_PID, tid: 0, ts, args: { busy: t.busyCpus[i] } });
    if (i < t.queued.length) out.push({ name: "queued tasks", ph: "C", pid: CPUS_PID, tid: 0, ts, args: { queued: t.queued[i] } });
  }
  return out;
}

function instantEvents(result: RunResult): TraceEvent[] {
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

/** Writes the trace (default `trace.json`) atomically; open it at ui.perfetto.dev. */
export async function writeChromeTrace(dir: string, result: RunResult, fileName = "trace.json"): Promise<string> {
  return atomicWrite(join(dir, fileName), JSON.stringify(toChromeTrace(result)));
}
