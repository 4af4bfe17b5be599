/**
 * `perf script` output of sched events → Trace, the way perf sched replay reads a recording:
 *
 *   bash  1234 [001] 5678.123456: sched:sched_switch: prev_comm=bash prev_pid=1234 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
 *   bash  1234 [001] 5678.123456: sched:sched_switch: bash:1234 [120] S ==> swapper/1:0 [120]
 *   make   300 [000] 5678.123500: sched:sched_wakeup: comm=cc1 pid=301 prio=120 target_cpu=002
 *   make   300 [000] 5678.123400: sched:sched_process_fork: comm=make pid=300 child_comm=make child_pid=301
 *   cc1    301 [002] 5678.200000: sched:sched_process_exit: comm=cc1 pid=301 prio=120 group_dead=true
 *
 * (script_fields.ts reads the fields). Per task: a burst runs from switch-in to a switch-out that
 * blocks it (prev_state other than R); a preemption (R, R+) keeps the burst going; the sleep
 * lasts from the block to the first sched_waking / sched_wakeup after it (to the next switch-in
 * if none was recorded). CPU time is billed per CPU by cpu_track.ts, from what each record's
 * header proves runs there, so lost switches cost time that is reported, never CPU time that did
 * not exist. A fork while the parent is known to run becomes a fork event in the parent's
 * program; otherwise the child starts after a delay. Other events (sched_migrate_task,
 * sched_stat_*, cycles ...) and callchain lines are skipped; a line not understood at all is
 * skipped and counted, unless it comes among the first events (then the file is not perf script).
 */
import { FIRST_EVENTS, isBlankOrComment, SCRIPT_LINE } from "./detect.js";
import { CpuTrack } from "./cpu_track.js";
import { parseFork, parseNamed, parseSwitch } from "./script_fields.js";
import { secondsToNs, Skipped, TaskProgram, TraceError, type Trace } from "./trace.js";

const LINE = '"<comm> <tid> [<cpu>] <time>: <event>: <fields>" (a perf script line)';

/** A callchain line under a sample: an address, then a symbol. */
const CALLCHAIN = /^\s+[0-9a-f]{4,}\s/;

const enum S { Running, Runnable, Blocked }

interface Live {
  readonly p: TaskProgram;
  state: S;
  /** Blocked: since when it slept. */
  since: number;
  /** First wakeup after blocking, or -1. */
  wokeAt: number;
  /** The traced task that made that wakeup, when one was running on the waking CPU. */
  waker: Live | null;
  /** The CPU it runs on while Running, else -1. */
  cpu: number;
}

export function parseScript(lines: readonly string[], file: string): Trace {
  const live = new Map<number, Live>();
  const all: TaskProgram[] = [];
  const warnings: string[] = [];
  const skipped = new Skipped();
  let start = NaN, end = -Infinity, events = 0, backwards = 0, last = -Infinity, sawSwitch = false;
  let comm = ""; // the comm of the record being read, for tasks first met through its header

  const create = (tid: number, name: string, at: number, state: S): Live => {
    const l: Live = { p: new TaskProgram(tid, name, at), state, since: at, wokeAt: -1, waker: null, cpu: -1 };
    live.set(tid, l);
    all.push(l.p);
    return l;
  };
  /** `l` is on `cpu` from `at`: a sleep ends, and a belief that it ran elsewhere is dropped. */
  const onCpu = (l: Live, cpu: number, at: number): void => {
    if (l.state === S.Blocked) {
      const slept = (l.wokeAt >= 0 ? Math.min(l.wokeAt, at) : at) - l.since;
      if (l.waker !== null) l.p.waitWake(slept, l.waker.p.task);
      else l.p.sleep(slept);
      l.waker = null;
    }
    if (l.state === S.Running && l.cpu !== cpu && l.cpu >= 0) track!.forget(l.cpu);
    l.state = S.Running;
    l.cpu = cpu;
  };
  let track: CpuTrack | null = null;
  const host = {
    bill: (tid: number, from: number, to: number) => live.get(tid)?.p.run(to - from),
    lostTrack: (tid: number, at: number) => {
      const l = live.get(tid);
      if (!l || l.state !== S.Running) return;
      l.p.endBurst(); // how it left is unknown: taken as a block, its sleep ending at its next wakeup
      l.state = S.Blocked; l.since = at; l.wokeAt = -1; l.waker = null; l.cpu = -1;
    },
    foundRunning: (tid: number, cpu: number, at: number) => onCpu(live.get(tid) ?? create(tid, comm, at, S.Runnable), cpu, at),
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line) || CALLCHAIN.test(line)) continue;
    const m = SCRIPT_LINE.exec(line);
    if (!m) {
      if (events < FIRST_EVENTS) throw new TraceError(file, i + 1, `${LINE}: the file was read as perf script output, which this line is not`, line);
      skipped.add(i + 1, line);
      continue;
    }
    const ev = m[6]!.replace(/^sched:/, "");
    if (!ev.startsWith("sched_")) continue;
    const fields = m[7]!;
    const cpu = Number(m[4]);
    const headerTid = Number(m[3] ?? m[2]);
    comm = m[1]!.trim();
    let t = secondsToNs(m[5]!);
    if (Number.isNaN(start)) { start = t; track = new CpuTrack(host, start); }
    if (t < last) { backwards++; t = last; }
    last = t;
    const tr = track!;

    switch (ev) {
      case "sched_switch": {
        const s = parseSwitch(fields);
        if (!s) { skipped.add(i + 1, line); continue; }
        sawSwitch = true;
        comm = s.prevComm;
        tr.prove(cpu, s.prev, t);
        if (s.prev !== 0) {
          const l = live.get(s.prev) ?? create(s.prev, s.prevComm, t, S.Running);
          l.p.saw(s.prevComm, s.prevPrio);
          l.cpu = -1;
          if (s.prevState.startsWith("R")) l.state = S.Runnable;
          else if (/^[XZx]/.test(s.prevState)) { l.p.endBurst(); live.delete(s.prev); }
          else { l.p.endBurst(); l.state = S.Blocked; l.since = t; l.wokeAt = -1; l.waker = null; }
        }
        if (s.next !== 0) {
          const l = live.get(s.next) ?? create(s.next, s.nextComm, t, S.Runnable);
          l.p.saw(s.nextComm, s.nextPrio);
          onCpu(l, cpu, t);
        }
        tr.switchIn(cpu, s.next, t);
        break;
      }
      case "sched_wakeup": case "sched_waking": case "sched_wakeup_new": {
        const w = parseNamed(fields);
        if (!w) { skipped.add(i + 1, line); continue; }
        tr.prove(cpu, headerTid, t);
        if (w.pid <= 0) break;
        const l = live.get(w.pid) ?? create(w.pid, w.comm, t, S.Runnable);
        l.p.saw(w.comm, w.prio);
        if (l.state === S.Blocked && l.wokeAt < 0) {
          l.wokeAt = t;
          // who woke whom: the task current on the waking CPU, when it is a traced task that runs
          const by = headerTid > 0 && headerTid !== w.pid ? live.get(headerTid) : undefined;
          if (ev !== "sched_wakeup_new" && by && by.state === S.Running && by.cpu === cpu) {
            l.waker = by;
            by.p.wake(l.p.task);
          }
        }
        break;
      }
      case "sched_process_fork": {
        const f = parseFork(fields);
        if (!f) { skipped.add(i + 1, line); continue; }
        tr.prove(cpu, headerTid, t);
        if (f.child <= 0) break;
        const stale = live.get(f.child);
        if (stale) { stale.p.endBurst(); live.delete(f.child); }
        const child = create(f.child, f.childComm, t, S.Runnable);
        const parent = f.parent > 0 ? live.get(f.parent) : undefined;
        if (parent && parent.state === S.Running) parent.p.fork(child.p.task);
        break;
      }
      case "sched_process_exit": {
        const x = parseNamed(fields);
        if (!x) { skipped.add(i + 1, line); continue; }
        tr.prove(cpu, headerTid, t);
        if (x.pid > 0) live.get(x.pid)?.p.saw(x.comm, null);
        break;
      }
      default: // sched_migrate_task, sched_stat_*, ...: only the header is used
        tr.prove(cpu, headerTid, t);
        end = Math.max(end, t);
        continue;
    }
    end = Math.max(end, t);
    events++;
  }
  if (events === 0) throw new TraceError(file, lines.length || 1, "sched_switch, sched_wakeup or sched_process_fork/exit events", "");
  track!.finish(end);
  for (const p of all) p.endBurst();
  if (!sawSwitch) warnings.push("no sched_switch events: no CPU bursts can be recovered (record sched:sched_switch)");
  if (backwards > 0) warnings.push(`${backwards} events earlier than the line before them (taken as simultaneous)`);
  const tr = track!;
  if (tr.resyncs > 0) {
    warnings.push(`${tr.resyncs} records show a task on a CPU where another was believed to run (switches were lost): ` +
      `${(tr.unbilledNs / 1e9).toFixed(6)} s of CPU time whose owner the trace does not show was not billed`);
  }
  return {
    format: "script", tasks: all.map((p) => p.task), startNs: start, endNs: end, events, warnings,
    inferredNs: tr.inferredNs, unbilledNs: tr.unbilledNs, skipped: skipped.count, skippedSample: skipped.sample,
  };
}
