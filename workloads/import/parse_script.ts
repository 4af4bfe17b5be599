/**
 * `perf script` output of sched events → Trace, the way perf sched replay reads a recording:
 *
 *   bash  1234 [001] 5678.123456: sched:sched_switch: prev_comm=bash prev_pid=1234 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
 *   bash  1234 [001] 5678.123456: sched:sched_switch: bash:1234 [120] S ==> swapper/1:0 [120]
 *   make   300 [000] 5678.123500: sched:sched_wakeup: comm=cc1 pid=301 prio=120 target_cpu=002
 *   make   300 [000] 5678.123400: sched:sched_process_fork: comm=make pid=300 child_comm=make child_pid=301
 *   cc1    301 [002] 5678.200000: sched:sched_process_exit: comm=cc1 pid=301 prio=120
 *
 * (the kernel's own field format and libtraceevent's compact one are both read). Per task: a
 * burst runs from switch-in to a switch-out that blocks it (prev_state other than R); a
 * preemption (R, R+) keeps the burst going; the sleep lasts from the block to the first
 * sched_waking / sched_wakeup after it (to the next switch-in if none was recorded). A fork
 * while the parent is known to run becomes a fork event in the parent's program; otherwise the
 * child starts after a delay. Other events (sched_migrate_task, sched_stat_*, cycles ...) and
 * callchain lines are skipped.
 */
import { isBlankOrComment, SCRIPT_LINE } from "./detect.js";
import { secondsToNs, TaskProgram, TraceError, type Trace } from "./trace.js";

const LINE = '"<comm> <tid> [<cpu>] <time>: <event>: <fields>" (a perf script line)';
const SWITCH_KV = /^prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)\s*$/;
const SWITCH_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\] (\S+) ==> (.*):(-?\d+) \[(-?\d+)\]\s*$/;
const WAKE_KV = /^comm=(.*?) pid=(-?\d+)(?: prio=(-?\d+))?(?: success=\d+)?(?: target_cpu=\d+)?\s*$/;
const WAKE_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\](?: success=\d+)?(?: CPU:\d+)?\s*$/;
const FORK = /^comm=(.*) pid=(-?\d+) child_comm=(.*) child_pid=(-?\d+)\s*$/;
const EXIT = /^comm=(.*?) pid=(-?\d+)(?: prio=(-?\d+))?(?: group_dead=\d+)?\s*$/;
/** A callchain line under a sample: an address, then a symbol. */
const CALLCHAIN = /^\s+[0-9a-f]{4,}\s/;

const enum S { Running, Runnable, Blocked }

interface Live {
  readonly p: TaskProgram;
  state: S;
  /** Running: since when it ran; Blocked: since when it slept. */
  since: number;
  /** First wakeup after blocking, or -1. */
  wokeAt: number;
}

export function parseScript(lines: readonly string[], file: string): Trace {
  const live = new Map<number, Live>();
  const all: TaskProgram[] = [];
  const cpuLast = new Map<number, number>();
  const warnings: string[] = [];
  let start = NaN, end = -Infinity, events = 0, backwards = 0, last = -Infinity, inconsistent = 0;

  const create = (tid: number, comm: string, at: number, state: S, since: number): Live => {
    const l: Live = { p: new TaskProgram(tid, comm, at), state, since, wokeAt: -1 };
    live.set(tid, l);
    all.push(l.p);
    return l;
  };
  /** A task seen running on `cpu` (the one it is known by, or a new one running since the CPU's last switch). */
  const runningNow = (tid: number, comm: string, cpu: number): Live => {
    const since = cpuLast.get(cpu) ?? start;
    return live.get(tid) ?? create(tid, comm, since, S.Running, since);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlankOrComment(line) || CALLCHAIN.test(line)) continue;
    const m = SCRIPT_LINE.exec(line);
    if (!m) throw new TraceError(file, i + 1, LINE, line);
    const ev = m[6]!.replace(/^sched:/, "");
    if (!ev.startsWith("sched_")) continue;
    const fields = m[7]!;
    const cpu = Number(m[4]);
    let t = secondsToNs(m[5]!);
    if (Number.isNaN(start)) start = t;
    if (t < last) { backwards++; t = last; }
    last = t;
    const bad = (what: string): never => { throw new TraceError(file, i + 1, `${ev} fields ${what}`, fields); };

    switch (ev) {
      case "sched_switch": {
        const s = SWITCH_KV.exec(fields) ?? SWITCH_PLUGIN.exec(fields)
          ?? bad('"prev_comm=… prev_pid=… prev_prio=… prev_state=… ==> next_comm=… next_pid=… next_prio=…"');
        const [, pcomm, ppid, pprio, pstate, ncomm, npid, nprio] = s;
        const prev = Number(ppid), next = Number(npid);
        if (prev !== 0) {
          const l = runningNow(prev, pcomm!, cpu);
          l.p.saw(pcomm!, Number(pprio));
          if (l.state === S.Running) l.p.run(t - l.since);
          else { // events were lost: it ran at least since this CPU's last switch
            inconsistent++;
            l.p.run(t - Math.max(cpuLast.get(cpu) ?? start, l.since));
          }
          if (pstate!.startsWith("R")) { l.state = S.Runnable; }
          else if (/^[XZx]/.test(pstate!)) { l.p.endBurst(); live.delete(prev); }
          else { l.p.endBurst(); l.state = S.Blocked; l.since = t; l.wokeAt = -1; }
        }
        if (next !== 0) {
          const l = live.get(next) ?? create(next, ncomm!, t, S.Runnable, t);
          l.p.saw(ncomm!, Number(nprio));
          if (l.state === S.Blocked) l.p.sleep((l.wokeAt >= 0 ? l.wokeAt : t) - l.since);
          l.state = S.Running;
          l.since = t;
        }
        cpuLast.set(cpu, t);
        break;
      }
      case "sched_wakeup": case "sched_waking": case "sched_wakeup_new": {
        const w = WAKE_KV.exec(fields) ?? WAKE_PLUGIN.exec(fields) ?? bad('"comm=… pid=… prio=… target_cpu=…"');
        const tid = Number(w[2]);
        if (tid === 0) break;
        const l = live.get(tid) ?? create(tid, w[1]!, t, S.Runnable, t);
        l.p.saw(w[1]!, w[3] !== undefined ? Number(w[3]) : null);
        if (l.state === S.Blocked && l.wokeAt < 0) l.wokeAt = t;
        break;
      }
      case "sched_process_fork": {
        const f = FORK.exec(fields) ?? bad('"comm=… pid=… child_comm=… child_pid=…"');
        const parentTid = Number(f[2]), childTid = Number(f[4]);
        if (childTid === 0) break;
        const stale = live.get(childTid);
        if (stale) { stale.p.endBurst(); live.delete(childTid); }
        const child = create(childTid, f[3]!, t, S.Runnable, t);
        const parent = parentTid === 0 ? null : runningNow(parentTid, f[1]!, cpu);
        if (parent && parent.state === S.Running) {
          parent.p.run(t - parent.since);
          parent.since = t;
          parent.p.fork(child.p.task);
        }
        break;
      }
      case "sched_process_exit": {
        const x = EXIT.exec(fields) ?? bad('"comm=… pid=… prio=…"');
        const tid = Number(x[2]);
        if (tid !== 0) live.get(tid)?.p.saw(x[1]!, null);
        break;
      }
      default:
        continue; // sched_migrate_task, sched_stat_*, sched_process_exec, ...: not needed
    }
    end = Math.max(end, t);
    events++;
  }
  if (events === 0) throw new TraceError(file, lines.length || 1, "sched_switch, sched_wakeup or sched_process_fork/exit events", "");
  for (const l of live.values()) {
    if (l.state === S.Running) l.p.run(end - l.since);
    l.p.endBurst();
  }
  for (const p of all) p.endBurst();
  if (!lines.some((l) => /sched_switch:/.test(l))) warnings.push("no sched_switch events: no CPU bursts can be recovered (record sched:sched_switch)");
  if (backwards > 0) warnings.push(`${backwards} events earlier than the line before them (taken as simultaneous)`);
  if (inconsistent > 0) warnings.push(`${inconsistent} switch-outs of tasks not seen running (events were lost or the trace is filtered)`);
  return { format: "script", tasks: all.map((p) => p.task), startNs: start, endNs: end, events, warnings };
}
