/**
 * Builds RunResults from two snapshots (see snapshot.ts): the whole run is the stretch from the
 * measurement start to the end; a window (the crash demo's before and after) is any other.
 * Totals, Jain's index, migrations, utilisation and the per-task records are computed here
 * once for both.
 */
import type { Kernel } from "./kernel.js";
import { Place } from "./task.js";
import { Distance } from "./topology.js";
import { RUN_SCHEMA, type GroupResult, type JobSpec, type RunEnd, type RunResult, type TaskResult } from "./result.js";
import { measurementStart, snapshot, windowStats, type GroupSnap, type GroupsSnap, type Snapshot, type TaskSnap } from "./snapshot.js";
import { Lat, type GroupStats } from "./group_stats.js";

/** The metrics of the stretch between two snapshots. */
export interface WindowMetrics {
  readonly lengthNs: number;
  readonly events: number;
  /** By group name, in the workload's order. */
  readonly groups: Record<string, GroupResult>;
  readonly cpus: RunResult["cpus"];
  readonly totals: RunResult["totals"];
}

/**
 * Counters, latencies, CPU use and fairness between `a` and `b` (snapshots of one run, a first).
 * With `whole` (the group columns `b` reads, for the whole run) each group carries its run-long
 * fields too.
 */
export function windowMetrics(a: Snapshot, b: Snapshot, whole?: GroupStats): WindowMetrics {
  const len = b.atNs - a.atNs;
  const groups = lazyGroups(b.groupNames, a.groups, b.groups, whole);
  const n = b.busyNs.length;
  let busy = 0;
  const cpus = b.busyNs.map((bb, c) => {
    const busyNs = bb - a.busyNs[c]!;
    busy += busyNs;
    const overheadNs = Math.min(len, b.overheadNs[c]! - a.overheadNs[c]!);
    return { cpu: c, busyNs, idleNs: Math.max(0, len - busyNs - overheadNs), overheadNs };
  });
  let completed = 0, requests = 0;
  for (let i = 0; i < b.groups.length; i++) {
    const ga = a.groups.counts(i), gb = b.groups.counts(i);
    completed += gb.completed - ga.completed;
    requests += gb.requests - ga.requests;
  }
  const mig = (d: Distance) => b.migrations[d]! - a.migrations[d]!;
  return {
    lengthNs: len,
    events: b.events - a.events,
    groups,
    cpus,
    totals: {
      completed,
      requests,
      throughput: len > 0 ? requests / (len / 1e9) : 0,
      wakeupLatencyNs: windowStats(a.groups.merged(Lat.Wakeup), b.groups.merged(Lat.Wakeup)),
      requestLatencyNs: windowStats(a.groups.merged(Lat.Request), b.groups.merged(Lat.Request)),
      contextSwitches: { voluntary: b.voluntary - a.voluntary, involuntary: b.involuntary - a.involuntary },
      migrations: {
        smt: mig(Distance.Smt), core: mig(Distance.Core), llc: mig(Distance.Llc), numa: mig(Distance.Numa),
        total: mig(Distance.Smt) + mig(Distance.Core) + mig(Distance.Llc) + mig(Distance.Numa),
      },
      utilization: len > 0 ? busy / (n * len) : 0,
      jainFairness: jain(a, b),
    },
  };
}

/**
 * A stretch's groups by name, each GroupResult built when read: a run may name a million tasks,
 * and a million GroupResults held at once take ~1 KB each (three Stats, a bins array, boxed
 * numbers), where the columns they are built from take ~0.3 KB. The object reads as a plain one
 * (keys in the workload's order, enumerable, JSON.stringify and structured clone see every
 * group); a group read twice is built twice, and the groups cannot be assigned to.
 */
function lazyGroups(names: readonly string[], ga: GroupsSnap, gb: GroupsSnap, whole: GroupStats | undefined): Record<string, GroupResult> {
  const groups: Record<string, GroupResult> = {};
  for (let i = 0; i < names.length; i++) {
    // An own property even for a task named "__proto__" (a plain `groups[name] =` would set the prototype).
    Object.defineProperty(groups, names[i]!, {
      get: whole ? () => wholeGroup(ga.at(i), gb.at(i), whole, i) : () => windowGroup(ga.at(i), gb.at(i)),
      enumerable: true, configurable: true,
    });
  }
  return groups;
}

// One object literal each (no spreads): a spread gives every object a hidden class of its own,
// which a run of a million task names pays for a million times.
function windowGroup(ga: GroupSnap, gb: GroupSnap): GroupResult {
  return {
    tasks: gb.tasks - ga.completed, completed: gb.completed - ga.completed, cpuNs: gb.cpuNs - ga.cpuNs, requests: gb.requests - ga.requests,
    wakeupLatencyNs: windowStats(ga.wakeup, gb.wakeup), requestLatencyNs: windowStats(ga.request, gb.request), waitNs: windowStats(ga.wait, gb.wait),
  };
}

function wholeGroup(ga: GroupSnap, gb: GroupSnap, g: GroupStats, i: number): GroupResult {
  return {
    tasks: gb.tasks - ga.completed, completed: gb.completed - ga.completed, cpuNs: gb.cpuNs - ga.cpuNs, requests: gb.requests - ga.requests,
    wakeupLatencyNs: windowStats(ga.wakeup, gb.wakeup), requestLatencyNs: windowStats(ga.request, gb.request), waitNs: windowStats(ga.wait, gb.wait),
    firstStartNs: g.firstStartNs[i] >= 0 ? g.firstStartNs[i] : null, lastExitNs: g.lastExitNs[i] >= 0 ? g.lastExitNs[i] : null,
    deadlineNs: g.deadlineNs[i], deadlineMisses: g.deadlineMisses[i], wakeupHistogramUs: g.wakeupHistogram(i),
  };
}

/** A task as `a` saw it (see Snapshot.tasks), or null if it was not there yet. */
function taskAt(a: Snapshot, slot: number, tb: TaskSnap): TaskSnap | null {
  if (a.tasks === null) return tb.startNs === 0 ? atStart(tb) : null;
  const ta = a.tasks.at(slot);
  return ta && ta.pid === tb.pid ? ta : null;
}

/** Task `tb` as it was at time 0, before it ran (a literal, not a spread: see windowGroup). */
function atStart(tb: TaskSnap): TaskSnap {
  return {
    pid: tb.pid, name: tb.name, group: tb.group, nice: tb.nice, cpuNs: 0, waitNs: 0, startNs: tb.startNs, exitNs: null, switches: 0, nvcsw: 0,
    migrations: 0, openLoop: tb.openLoop, fairWeight: tb.fairWeight, alive: true,
  };
}

/** The task was there between the snapshots (started before b, not exited before a). */
function inStretch(a: Snapshot, b: Snapshot, tb: TaskSnap): boolean {
  return tb.startNs < b.atNs && (tb.exitNs === null || tb.exitNs >= a.atNs);
}

/**
 * Jain's index over CPU time per unit of weight, among closed-loop tasks alive all stretch long
 * that never blocked in it: 1 when they share in exact proportion to weight.
 */
function jain(a: Snapshot, b: Snapshot): number {
  let s = 0, s2 = 0, cnt = 0;
  b.tasks?.forEach((tb, slot) => {
    if (tb === null || !inStretch(a, b, tb) || tb.openLoop || !tb.alive || tb.startNs > a.atNs) return;
    const ta = taskAt(a, slot, tb);
    if (ta === null || !ta.alive || tb.nvcsw !== ta.nvcsw) return;
    const x = (tb.cpuNs - ta.cpuNs) / tb.fairWeight;
    s += x; s2 += x * x; cnt++;
  });
  return cnt === 0 || s2 === 0 ? 1 : (s * s) / (cnt * s2);
}

/** The records of the tasks there between the snapshots, at most `cap`; `truncated` when some were left out. */
export function windowTasks(a: Snapshot, b: Snapshot, cap: number): { tasks: TaskResult[]; truncated: boolean } {
  const tasks: TaskResult[] = [];
  b.tasks?.forEach((tb, slot) => {
    if (tb === null || !inStretch(a, b, tb) || tasks.length >= cap) return;
    const ta = taskAt(a, slot, tb);
    tasks.push({
      pid: tb.pid, name: tb.name, group: tb.group, nice: tb.nice, cpuNs: tb.cpuNs - (ta?.cpuNs ?? 0), waitNs: tb.waitNs - (ta?.waitNs ?? 0),
      startNs: tb.startNs, exitNs: tb.exitNs, switches: tb.switches - (ta?.switches ?? 0), migrations: tb.migrations - (ta?.migrations ?? 0),
    });
  });
  let created = 0;
  for (let i = 0; i < b.groups.length; i++) created += b.groups.counts(i).tasks - a.groups.counts(i).completed;
  return { tasks, truncated: tasks.length < created };
}

export interface ResultExtras {
  readonly job: JobSpec;
  readonly wallMs: number;
  readonly scheduler: string | null;
  readonly exit: RunResult["scx"]["exit"];
  readonly stats: Record<string, number>;
  readonly warnings: readonly string[];
  /** How a run "until the tasks end" ended (absent for other runs). */
  readonly end?: RunEnd | null;
  /** The run goes no further: the result may keep the recorder's columns rather than a copy. */
  readonly final?: boolean;
}

/** The RunResult of the whole run: its measurement start to now, with the recorder's task records and timeline. */
export function buildResult(k: Kernel, x: ResultExtras): RunResult {
  const rec = k.rec;
  for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) k.updateCurr(c, k.tasks[k.curr[c]]);
  for (const t of k.tasks) if (t.place !== Place.Free) rec.syncTask(t);
  // A final result takes the recorder's columns (the run goes no further); any other reads a copy.
  const stats = x.final ? rec.handOverGroups() : rec.groups.copy();
  const end = snapshot(k, x.stats, true, stats);
  const w = windowMetrics(measurementStart(k), end, stats);
  const result: RunResult = {
    schema: RUN_SCHEMA,
    job: x.job,
    simNs: k.now,
    ...(x.end ? { end: x.end } : {}),
    measuredNs: w.lengthNs,
    events: w.events,
    wallMs: x.wallMs,
    groups: w.groups,
    tasks: rec.taskRecords,
    tasksTruncated: rec.tasksTruncated,
    cpus: w.cpus,
    totals: w.totals,
    scx: { scheduler: x.scheduler, timeline: rec.classSwitches, exit: x.exit, log: rec.log, events: { ...end.scxEvents } },
    invariants: end.invariants,
    ...(k.refusedTasks > 0 ? { tasksRefused: { count: k.refusedTasks, cap: k.maxLiveTasks } } : {}),
    warnings: k.refusedTasks > 0 ? [...x.warnings, refusedWarning(k.refusedTasks, k.maxLiveTasks)] : [...x.warnings],
  };
  const tl = rec.tl;
  if (tl !== null) {
    result.timeline = { ...tl, sampleNs: k.timelineSampleInterval, truncated: rec.tlTruncated };
  }
  return result;
}

/** What a run whose new tasks were refused at the cap says about it. */
export function refusedWarning(count: number, cap: number): string {
  return `${count} new tasks (arrivals or forks) refused: ${cap} were alive, the live-task cap (fork fails with EAGAIN, as at RLIMIT_NPROC); raise it with --max-tasks`;
}
