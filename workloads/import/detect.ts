/**
 * Which recorder wrote a trace, from its content: `perf sched timehist` (a table of sched-out
 * samples: time, [cpu], task, wait time, sch delay, run time) or `perf script` (one line per
 * event: comm tid [cpu] time: sched:sched_switch: ...).
 */
import { TraceError } from "./trace.js";

export type TraceFormat = "timehist" | "script";

/**
 * A line not understood among a trace's first events means the format was misdetected (an
 * error); later, it is skipped and counted (perf prints odd lines into long recordings).
 */
export const FIRST_EVENTS = 5;

/**
 * `perf script`: comm, tid (or pid/tid), [cpu], seconds, an optional period, event name, fields.
 * Timestamps have at most 9 digits of seconds (uptime), so that ns stay exact.
 */
export const SCRIPT_LINE = /^\s*(.*?)\s+(-?\d+)(?:\/(-?\d+))?\s+\[(\d+)\]\s+(\d{1,9}\.\d+):\s+(?:\d+\s+)?([\w:.-]+):\s*(.*)$/;

/** `perf sched timehist`: seconds, [cpu], then the task and its three times in msec.usec. */
export const TIMEHIST_LINE = /^\s*(\d{1,9}\.\d+)\s+\[(\d+)\]\s+(.*?)(?:\s+(\d+)(?:->\d+)?)?\s+(\d{1,9}\.\d{3})\s+(\d{1,9}\.\d{3})\s+(\d{1,9}\.\d{3})(?:\s+(\d+\.\d{3}))?(?:\s+([A-Za-z]))?(?:\s+(.*))?$/;

/** timehist's column header (`time cpu task name ...`). */
export const TIMEHIST_HEADER = /^\s*time\s+cpu\s+(?:\S+\s+)?task name\b/;

/**
 * Lines that carry no events: blank, comments (`perf script --header`), and the remarks perf
 * prints on stderr, which land in the file with `2>&1` ("Samples of sched_switch event do not
 * have callchains.", "Warning: ...").
 */
export function isBlankOrComment(line: string): boolean {
  return /^\s*(#.*)?$/.test(line) || /^(Samples of \S+ event|Warning:|WARNING:|  Check IO\/CPU overload!)/.test(line);
}

export function detectFormat(lines: readonly string[], file: string): TraceFormat {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line)) continue;
    if (TIMEHIST_HEADER.test(line) || TIMEHIST_LINE.test(line)) return "timehist";
    const m = SCRIPT_LINE.exec(line);
    if (m && /^(sched:)?sched_/.test(m[6]!)) return "script";
    if (m) continue; // another event (perf record -e took more than sched events); look further
    throw new TraceError(file, i + 1, "perf sched timehist or perf script output of sched events", line);
  }
  throw new TraceError(file, Math.max(1, lines.length), "perf sched timehist or perf script output of sched events", "");
}
