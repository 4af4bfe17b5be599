/**
 * `perf sched timehist` text → Trace. Each sample line is a task being switched out:
 *
 *              time    cpu  task name           wait time  sch delay   run time
 *      79371.874569 [0011]  gcc[31949]              0.014      0.000      1.148
 *
 * run time ended at `time`; before it the task was off the CPU for `wait time`, of which
 * `sch delay` was spent runnable (woken or preempted, waiting for a CPU) and the rest blocked.
 * So each line adds `wait - delay` of sleep (none after a preemption, which keeps the burst
 * going) and `run` of CPU. Extra columns (-V cpu visual, --prio, --state, pre-migration time,
 * -n next task, callchains) are accepted; wakeup (-w) and migration (-M) lines, lost-event
 * lines and the -S summary are skipped. A task's start is its first run minus its sch delay.
 * A task perf could not resolve prints as `:-1[-1/3343]` (tid -1 of pid 3343): such samples
 * become one task per process, `unresolved-3343`. A run time reaching back before the previous
 * sample of its CPU (after lost events) is trimmed there, so no CPU is billed twice. A line not
 * understood is skipped and counted, unless it comes among the first samples.
 */
import { FIRST_EVENTS, isBlankOrComment, TIMEHIST_HEADER, TIMEHIST_LINE } from "./detect.js";
import { msecToNs, secondsToNs, Skipped, TaskProgram, TraceError, type Trace } from "./trace.js";

const SAMPLE = '"<time> [<cpu>] <comm>[<tid>] <wait time> <sch delay> <run time>" (a perf sched timehist line)';
const SUMMARY = /^\s*(Runtime summary|Terminated tasks|Idle stats|Idle-time summary|Wait-time summary|Total number of|Total run time|Total scheduling time|Total migrations)/i;
const SIDE_LINE = /^\s*\d+\.\d+\s+\[\d+\]\s.*\s(awakened|migrated):\s/;
const LOST = /^\s*\d+\.\d+\s+lost \d+ events on cpu \d+/;
const TASK = /^(.*)\[(-?\d+)(?:\/(-?\d+))?\]$/;

export function parseTimehist(lines: readonly string[], file: string): Trace {
  const live = new Map<number, TaskProgram>();
  const lastOut = new Map<number, number>();
  const cpuOut = new Map<number, number>();
  const skipped = new Skipped();
  let trimmedNs = 0, unresolved = 0;
  const all: TaskProgram[] = [];
  const warnings: string[] = [];
  let start = Infinity, end = -Infinity, events = 0, lost = 0, backwards = 0, last = -Infinity;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line) || TIMEHIST_HEADER.test(line) || /^[\s-]+$/.test(line) || /^\s*\[tid\/pid\]/.test(line)) continue;
    if (SUMMARY.test(line)) break;
    if (SIDE_LINE.test(line)) continue;
    if (LOST.test(line)) { lost++; continue; }
    const m = TIMEHIST_LINE.exec(line);
    if (!m) {
      if (events < FIRST_EVENTS) throw new TraceError(file, i + 1, `${SAMPLE}: the file was read as perf sched timehist output, which this line is not`, line);
      skipped.add(i + 1, line);
      continue;
    }
    const name = m[3]!.replace(/^[si]\s+(?=\S)/, ""); // the -V column marks the CPU with s or i
    if (name === "<idle>" || name === "") continue;
    const task = TASK.exec(name);
    if (!task) {
      if (events < FIRST_EVENTS) throw new TraceError(file, i + 1, 'a task as "comm[tid]" or "comm[tid/pid]" after the CPU', name);
      skipped.add(i + 1, line);
      continue;
    }
    let tid = Number(task[2]);
    if (tid === 0) continue; // an idle task with a pid
    let comm = task[1]!;
    if (tid < 0) { // unresolved: keyed by its process, below every real tid
      const pid = Math.max(0, Number(task[3] ?? 0));
      tid = -1 - pid;
      comm = `unresolved-${pid}`;
      unresolved++;
    }
    const cpu = Number(m[2]);
    let t = secondsToNs(m[1]!);
    if (t < last) { backwards++; t = last; }
    last = t;
    const wait = msecToNs(m[5]!), delay = msecToNs(m[6]!);
    let run = msecToNs(m[7]!);
    const prevOut = cpuOut.get(cpu);
    if (prevOut !== undefined && t - run < prevOut) { trimmedNs += prevOut - (t - run); run = Math.max(0, t - prevOut); }
    cpuOut.set(cpu, t);
    const state = m[9] ?? null;
    const schedIn = t - run;
    let p = live.get(tid);
    if (!p) {
      p = new TaskProgram(tid, comm, schedIn - delay);
      live.set(tid, p);
      all.push(p);
      start = Math.min(start, p.task.startNs);
    } else { // blocked: off the CPU less the runnable part, and never more than the gap since its last line
      p.sleep(Math.max(0, Math.min(wait - delay, schedIn - (lastOut.get(tid) ?? schedIn))));
    }
    lastOut.set(tid, t);
    p.saw(comm, m[4] !== undefined ? Number(m[4]) : null);
    p.run(run);
    if (state !== null && state !== "R") p.endBurst();
    if (state === "X" || state === "Z" || state === "x") { live.delete(tid); lastOut.delete(tid); p.endBurst(); }
    start = Math.min(start, schedIn); // a run reaching back before every other sample extends the span
    end = Math.max(end, t);
    events++;
  }
  if (events === 0) throw new TraceError(file, lines.length || 1, `at least one task sample, ${SAMPLE}`, "");
  for (const p of all) p.endBurst();
  if (lost > 0) warnings.push(`${lost} "lost events" lines: the recorder dropped events, some bursts and sleeps are missing`);
  if (backwards > 0) warnings.push(`${backwards} samples earlier than the line before them (taken as simultaneous)`);
  if (unresolved > 0) warnings.push(`${unresolved} samples of tasks perf could not resolve (":-1[-1/pid]") imported as one task per process, unresolved-<pid>`);
  if (trimmedNs > 0) warnings.push(`${(trimmedNs / 1e9).toFixed(6)} s of run time reaching back before the previous sample of its CPU was trimmed (events were lost)`);
  return {
    format: "timehist", tasks: all.map((p) => p.task), startNs: start, endNs: end, events, warnings,
    inferredNs: 0, unbilledNs: trimmedNs, skipped: skipped.count, skippedSample: skipped.sample,
  };
}
