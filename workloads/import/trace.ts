/**
 * What a recorded schedule becomes before it is written as a workload: per task, the CPU bursts
 * and the sleeps between them (what `perf sched replay` replays), the forks it made, and when it
 * started. Times are integer ns of the trace's own clock. Both parsers build it through
 * `TraceBuilder`, which merges consecutive bursts (a preemption does not end a burst: the task
 * still wanted the CPU) and drops empty ones.
 */
import { WorkloadError, renderGot } from "../errors.js";

export type TraceEvent =
  | { readonly kind: "run"; readonly ns: number }
  | { readonly kind: "sleep"; readonly ns: number }
  | { readonly kind: "fork"; readonly child: TraceTask }
  /** Woke `target` (perf script's sched_waking/sched_wakeup, in this task's context). */
  | { readonly kind: "wake"; readonly target: TraceTask }
  /** Blocked until `waker` woke it; `ns` is how long that took in the trace. */
  | { readonly kind: "waitwake"; readonly ns: number; readonly waker: TraceTask };

export interface TraceTask {
  readonly tid: number;
  /** Last command name the trace gave it (an exec renames a task). */
  comm: string;
  /** Kernel priority seen most often (120 = nice 0, below 100 = real-time), or null. */
  prio: number | null;
  /** When the task became runnable for the first time in the trace (its fork, first wakeup or first run). */
  readonly startNs: number;
  /** Set when the task's start is a `fork` event in this parent's program. */
  forkedBy: TraceTask | null;
  readonly events: TraceEvent[];
}

export interface Trace {
  readonly format: "timehist" | "script";
  /** Tasks in order of first appearance. */
  readonly tasks: readonly TraceTask[];
  readonly startNs: number;
  readonly endNs: number;
  /** Lines that were events used (samples, sched events). */
  readonly events: number;
  readonly warnings: readonly string[];
  /** CPU time billed without a record proving it (running at the trace's start or end). */
  readonly inferredNs: number;
  /** CPU time no task was billed for because lost events hide who ran. */
  readonly unbilledNs: number;
  /** Lines not understood, skipped; and the first of them as `line N: "text"`, or null. */
  readonly skipped: number;
  readonly skippedSample: string | null;
}

/** Counts the lines a parser could not understand and keeps the first as a sample. */
export class Skipped {
  count = 0;
  sample: string | null = null;

  add(line: number, text: string): void {
    if (this.count++ === 0) this.sample = `line ${line}: ${renderLine(text)}`;
  }
}

/**
 * A bad trace: `file:line: expected ..., got ...` (one line). A WorkloadError, so the CLI exits
 * with code 2 and no stack trace, as for a bad workload file.
 */
export class TraceError extends WorkloadError {
  /** `got` is the offending text (quoted in the message), or with quote = false a plain word. */
  constructor(file: string, line: number, expected: string, got: string, quote = true) {
    const shown = quote ? renderLine(got) : got;
    super({ file, path: "", expected, got: shown, line });
    this.message = `${file}:${line}: expected ${expected}, got ${shown}`;
    this.name = "TraceError";
  }
}

/** A trace line as an error shows it: quoted and cut short, or "end of file". */
function renderLine(s: string): string {
  return s === "" ? "end of file" : renderGot(s.trim());
}

/** Seconds as the trace prints them ("79371.874569") → integer ns, without float rounding. */
export function secondsToNs(s: string): number {
  const dot = s.indexOf(".");
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? "" : s.slice(dot + 1, dot + 10);
  return Number(whole) * 1e9 + Number(frac.padEnd(9, "0"));
}

/** Milliseconds as timehist prints them ("1.148", msec.usec) → integer ns. */
export function msecToNs(s: string): number {
  const dot = s.indexOf(".");
  const whole = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? "" : s.slice(dot + 1, dot + 7);
  return Number(whole) * 1e6 + Number(frac.padEnd(6, "0"));
}

/** Builds one task's program. */
export class TaskProgram {
  readonly task: TraceTask;
  private burstNs = 0;
  private readonly prios = new Map<number, number>();

  constructor(tid: number, comm: string, startNs: number) {
    this.task = { tid, comm, prio: null, startNs, forkedBy: null, events: [] };
  }

  /** The task used the CPU for `ns` more (the current burst goes on). */
  run(ns: number): void {
    if (ns > 0) this.burstNs += ns;
  }

  /** The current burst ended (the task blocked, forked or exited). */
  endBurst(): void {
    if (this.burstNs <= 0) return;
    const ev = this.task.events;
    const last = ev[ev.length - 1];
    if (last?.kind === "run") ev[ev.length - 1] = { kind: "run", ns: last.ns + this.burstNs };
    else ev.push({ kind: "run", ns: this.burstNs });
    this.burstNs = 0;
  }

  /** The task was blocked for `ns` (ends the current burst). */
  sleep(ns: number): void {
    this.endBurst();
    if (ns <= 0) return;
    const ev = this.task.events;
    const last = ev[ev.length - 1];
    if (last?.kind === "sleep") ev[ev.length - 1] = { kind: "sleep", ns: last.ns + ns };
    else if (ev.length > 0) ev.push({ kind: "sleep", ns }); // a sleep before the first run is the start delay
  }

  /** This task woke `target` now (ends the current burst: the wakeup happens between its parts). */
  wake(target: TraceTask): void {
    this.endBurst();
    this.task.events.push({ kind: "wake", target });
  }

  /** The task was blocked `ns` until `waker` woke it. */
  waitWake(ns: number, waker: TraceTask): void {
    this.endBurst();
    if (this.task.events.length > 0) this.task.events.push({ kind: "waitwake", ns: Math.max(0, ns), waker });
  }

  fork(child: TraceTask): void {
    this.endBurst();
    child.forkedBy = this.task;
    this.task.events.push({ kind: "fork", child });
  }

  /** Notes the comm and priority an event gave this task. */
  saw(comm: string | null, prio: number | null): void {
    if (comm !== null && comm !== "") this.task.comm = comm;
    if (prio === null || !Number.isFinite(prio)) return;
    const n = (this.prios.get(prio) ?? 0) + 1;
    this.prios.set(prio, n);
    const best = this.task.prio === null ? 0 : this.prios.get(this.task.prio) ?? 0;
    if (n > best) this.task.prio = prio;
  }
}
