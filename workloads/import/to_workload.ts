/**
 * Trace → rt-app-dialect document: one task per traced task, named by its comm (made unique
 * with the tid, then a counter), running its events once (`loop: 1`): `run` for each CPU burst,
 * `sleep` for each time blocked, `fork` where it forked a traced child (the child is then
 * `fork_only`); a task not forked in the trace starts after `delay` µs (from the trace's start).
 * The kernel priority becomes a nice value (prio - 120) or, below 100, SCHED_FIFO with its RT
 * priority (which the parser maps to SCHED_OTHER, with a warning). Tasks that never ran, and
 * forks of them, are left out. Durations are µs with ns precision.
 */
import type { RtAppDoc } from "../builtin/types.js";
import { ANTAGONIST } from "../antagonists.js";
import type { Trace, TraceTask } from "./trace.js";

export interface ImportSummary {
  readonly tasks: number;
  readonly runs: number;
  readonly sleeps: number;
  readonly forks: number;
  /** Wakeups replayed as such: the waker's sem_post releases the wakee's sem_wait. */
  readonly wakes: number;
  readonly cpuNs: number;
  readonly spanNs: number;
  /** Traced tasks left out because they never ran. */
  readonly dropped: number;
  /** CPU time billed without a record proving it (see Trace.inferredNs). */
  readonly inferredNs: number;
  /** CPU time left unbilled (lost switches hide who ran) or trimmed (timehist overlaps). */
  readonly unbilledNs: number;
  /** Lines not understood and skipped, and the first as `line N: "text"`. */
  readonly skipped: number;
  readonly skippedSample: string | null;
}

const us = (ns: number) => Math.round(ns) / 1000;

export function toWorkload(trace: Trace): { doc: RtAppDoc; summary: ImportSummary } {
  const kept = new Set<TraceTask>();
  // a task is kept if it ran, or forked a kept task (children come after parents: walk backwards)
  for (let i = trace.tasks.length - 1; i >= 0; i--) {
    const t = trace.tasks[i]!;
    if (t.events.some((e) => (e.kind === "run" && e.ns > 0) || (e.kind === "fork" && kept.has(e.child)))) kept.add(t);
  }
  const names = uniqueNames(trace.tasks.filter((t) => kept.has(t)));
  // a wait for a wakeup is replayed when its waker is in the workload; else it is a fixed sleep
  const waits = (t: TraceTask) => t.events.some((e) => e.kind === "waitwake" && kept.has(e.waker));
  const tasks: Record<string, unknown> = {};
  let runs = 0, sleeps = 0, forks = 0, wakes = 0, cpuNs = 0;
  for (const t of trace.tasks) {
    if (!kept.has(t)) continue;
    const o: Record<string, unknown> = { loop: 1 };
    const forked = t.forkedBy !== null && kept.has(t.forkedBy);
    if (forked) o.fork_only = true;
    else if (t.startNs > trace.startNs) o.delay = us(t.startNs - trace.startNs);
    Object.assign(o, priority(t.prio));
    const n: Record<string, number> = {};
    const key = (k: string) => { n[k] = (n[k] ?? 0) + 1; return `${k}${n[k] - 1}`; };
    const events = t.events.filter((e) => (e.kind !== "fork" || kept.has(e.child)) && (e.kind !== "wake" || (kept.has(e.target) && waits(e.target))));
    // a trailing sleep or wait only delays the exit: leave it out
    while (events.length > 0 && (events[events.length - 1]!.kind === "sleep" || events[events.length - 1]!.kind === "waitwake")) events.pop();
    for (const e of events) {
      switch (e.kind) {
        case "fork": o[key("fork")] = names.get(e.child)!; forks++; break;
        case "run": o[key("run")] = us(e.ns); runs++; cpuNs += e.ns; break;
        case "sleep": o[key("sleep")] = us(e.ns); sleeps++; break;
        case "wake": o[key("sem_post")] = wakeName(names.get(e.target)!); wakes++; break;
        case "waitwake":
          if (kept.has(e.waker)) o[key("sem_wait")] = wakeName(names.get(t)!);
          else { o[key("sleep")] = us(e.ns); sleeps++; }
          break;
      }
    }
    tasks[names.get(t)!] = o;
  }
  const spanNs = Math.max(0, trace.endNs - trace.startNs);
  const doc: RtAppDoc = { global: { duration: Math.max(0.001, Math.ceil(spanNs / 1e6) / 1000) }, tasks };
  return {
    doc,
    summary: {
      tasks: kept.size, runs, sleeps, forks, wakes, cpuNs, spanNs, dropped: trace.tasks.length - kept.size,
      inferredNs: trace.inferredNs, unbilledNs: trace.unbilledNs, skipped: trace.skipped, skippedSample: trace.skippedSample,
    },
  };
}

/** The semaphore a task waits on for its wakeups. */
function wakeName(task: string): string {
  return `wake:${task}`;
}

function priority(prio: number | null): Record<string, unknown> {
  if (prio === null) return {};
  if (prio < 100) return { policy: "SCHED_FIFO", priority: Math.min(99, Math.max(1, 99 - prio)) };
  const nice = Math.min(19, Math.max(-20, prio - 120));
  return nice === 0 ? {} : { priority: nice };
}

/** comm when unique, else comm-tid, else comm-tid-2, -3 ...; never "antagonist" (--antagonists uses it). */
function uniqueNames(tasks: readonly TraceTask[]): Map<TraceTask, string> {
  const count = new Map<string, number>();
  const base = (t: TraceTask) => t.comm.trim() === "" ? "task" : t.comm.trim();
  for (const t of tasks) count.set(base(t), (count.get(base(t)) ?? 0) + 1);
  const used = new Set<string>([ANTAGONIST]);
  const out = new Map<TraceTask, string>();
  for (const t of tasks) {
    const b = base(t);
    let name = count.get(b) === 1 && b !== ANTAGONIST ? b : `${b}-${t.tid}`;
    for (let k = 2; used.has(name); k++) name = `${b}-${t.tid}-${k}`;
    used.add(name);
    out.set(t, name);
  }
  return out;
}
