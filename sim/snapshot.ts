/**
 * A snapshot is a pure read of the kernel's counters and latency histograms at one instant: the
 * CPU time of running tasks is counted up to that instant without charging it, so taking one
 * changes nothing. Metrics of a stretch of a run are the difference of two snapshots (see
 * result_builder.ts); the whole run's stretch starts at `measurementStart`.
 */
import type { Kernel } from "./kernel.js";
import { Histogram, type HistogramView } from "./histogram.js";
import { Lat, type GroupStats } from "./group_stats.js";
import { Place, type Task } from "./task.js";
import { checkInvariants, type Invariants } from "./invariants.js";
import type { Stats, TaskResult } from "./result.js";

/** One histogram's samples at an instant (a copy, or the live histogram for a snapshot read at once). */
export type HistSnap = Readonly<HistogramView>;

/** A group's counters at an instant. */
export interface GroupCounts {
  readonly tasks: number;
  readonly completed: number;
  readonly cpuNs: number;
  readonly requests: number;
}

export interface GroupSnap extends GroupCounts {
  readonly wakeup: HistSnap;
  readonly request: HistSnap;
  readonly wait: HistSnap;
}

/** A snapshot's groups, each built when asked for: a run may have a million of them. */
export interface GroupsSnap {
  readonly length: number;
  at(i: number): GroupSnap;
  /** Group `i`'s counters alone (no histograms built). */
  counts(i: number): GroupCounts;
  /** Every group's samples of one kind together, added in group order. */
  merged(kind: Lat): HistSnap;
}

/**
 * A snapshot's tasks by slot (null: a free slot). Those of a live snapshot are read from the
 * kernel during `forEach`, each valid only inside its call; a kept snapshot holds copies.
 */
export interface TaskSnaps {
  forEach(fn: (t: TaskSnap | null, slot: number) => void): void;
  at(slot: number): TaskSnap | null | undefined;
}

/** A task's record at one instant, plus what a window needs to tell tasks apart. */
export interface TaskSnap extends Pick<TaskResult, "pid" | "name" | "group" | "nice" | "cpuNs" | "waitNs" | "startNs" | "exitNs" | "switches" | "migrations"> {
  readonly nvcsw: number;
  readonly openLoop: boolean;
  readonly fairWeight: number;
  readonly alive: boolean;
}

export interface Snapshot {
  readonly atNs: number;
  readonly events: number;
  readonly groupNames: readonly string[];
  readonly groups: GroupsSnap;
  readonly busyNs: readonly number[];
  readonly overheadNs: readonly number[];
  readonly voluntary: number;
  readonly involuntary: number;
  /** Indexed by Distance. */
  readonly migrations: readonly number[];
  /**
   * By task slot; null at the measurement start, where every task counts from zero and the
   * tasks there all along are those started at time 0 (a warm-up resets their counters).
   */
  readonly tasks: TaskSnaps | null;
  readonly invariants: Invariants;
  /**
   * sched_ext core events and the scheduler's own stats, of scheduler instance `scxInstance`
   * (each counts from zero, as each struct scx_sched does); empty at the measurement start.
   */
  readonly scxEvents: Readonly<Record<string, number>>;
  readonly scxInstance: number;
}

/** The recorder's groups (a copy, or the live columns for a snapshot read at once), CPU time running now added. */
class StatsGroups implements GroupsSnap {
  readonly length: number;
  constructor(private readonly s: GroupStats, private readonly pendingNs: Float64Array) {
    this.length = s.length;
  }

  at(i: number): GroupSnap {
    const s = this.s;
    return {
      tasks: s.tasks[i], completed: s.completed[i], cpuNs: s.cpuNs[i] + this.pendingNs[i], requests: s.requests[i],
      wakeup: s.latency(i, Lat.Wakeup), request: s.latency(i, Lat.Request), wait: s.latency(i, Lat.Wait),
    };
  }

  counts(i: number): GroupCounts {
    const s = this.s;
    return { tasks: s.tasks[i], completed: s.completed[i], cpuNs: s.cpuNs[i] + this.pendingNs[i], requests: s.requests[i] };
  }

  merged(kind: Lat): HistSnap {
    const out = new Histogram();
    this.s.mergeInto(kind, out);
    return out;
  }
}

/** A task's numbers now, `pendNs` of running not yet charged added. */
function taskSnap(t: Task, pendNs: number): TaskSnap {
  return {
    pid: t.pid, name: t.comm, group: t.group, nice: t.nice, cpuNs: t.cpuNs + pendNs, waitNs: t.waitNs, startNs: t.startNs,
    exitNs: t.exitNs >= 0 ? t.exitNs : null, switches: t.nvcsw + t.nivcsw, nvcsw: t.nvcsw, migrations: t.migrations,
    openLoop: t.openLoop, fairWeight: t.fairWeight, alive: t.place !== Place.Dead,
  };
}

/** The kernel's tasks read as they are now, one at a time (no copy of a million tasks at the end of a run). */
class LiveTasks implements TaskSnaps {
  constructor(private readonly tasks: readonly Task[], private readonly pendingBySlot: ReadonlyMap<number, number>) {}

  forEach(fn: (t: TaskSnap | null, slot: number) => void): void {
    this.tasks.forEach((t, slot) => fn(t.place === Place.Free ? null : taskSnap(t, this.pendingBySlot.get(slot) ?? 0), slot));
  }

  at(slot: number): TaskSnap | null | undefined {
    const t = this.tasks[slot];
    if (t === undefined) return undefined;
    return t.place === Place.Free ? null : taskSnap(t, this.pendingBySlot.get(slot) ?? 0);
  }
}

/**
 * The kernel's counters now (`scxStats`: the scheduler's own stats). Reads only. A snapshot
 * kept for later copies the groups and tasks; `live` reads the tasks from the kernel, for one
 * read at once (the end of a run), and the groups from `groups` (by default the recorder's own
 * columns when live, else a copy).
 */
export function snapshot(k: Kernel, scxStats: Readonly<Record<string, number>>, live = false, groups?: GroupStats): Snapshot {
  const rec = k.rec, n = k.topo.nrCpus, now = k.now;
  const busyNs = Array.from(k.busyNs);
  const pendingBySlot = new Map<number, number>();
  for (let c = 0; c < n; c++) {
    const slot = k.curr[c];
    if (slot < 0) continue;
    const pend = Math.max(0, now - Math.max(k.lastUpdate[c], k.runStart[c]));
    busyNs[c] += pend;
    pendingBySlot.set(slot, (pendingBySlot.get(slot) ?? 0) + pend);
  }
  const groupPending = new Float64Array(rec.groups.length);
  for (const [slot, pend] of pendingBySlot) groupPending[k.tasks[slot].groupIdx] += pend;
  const tasks: TaskSnaps = live ? new LiveTasks(k.tasks, pendingBySlot)
    : k.tasks.map((t, slot) => (t.place === Place.Free ? null : taskSnap(t, pendingBySlot.get(slot) ?? 0)));
  return {
    atNs: now,
    events: k.events,
    groupNames: rec.groupNames,
    groups: new StatsGroups(groups ?? (live ? rec.groups : rec.groups.copy()), groupPending),
    busyNs,
    overheadNs: Array.from(k.overheadNs),
    voluntary: rec.voluntary,
    involuntary: rec.involuntary,
    migrations: Array.from(rec.migrations),
    tasks,
    invariants: checkInvariants(k),
    scxEvents: { ...k.ext.events, ...scxStats },
    scxInstance: k.ext.instance,
  };
}

/**
 * Where a whole run's measurement starts: the end of the warm-up (time 0 without one), every
 * counter zero. The event count and the tasks count from time 0 (see Snapshot.tasks).
 */
export function measurementStart(k: Kernel): Snapshot {
  const empty = new Histogram();
  const none: GroupSnap = { tasks: 0, completed: 0, cpuNs: 0, requests: 0, wakeup: empty, request: empty, wait: empty };
  const n = k.topo.nrCpus;
  return {
    atNs: k.rec.measureFromNs,
    events: 0,
    groupNames: k.rec.groupNames,
    groups: { length: k.rec.groupNames.length, at: () => none, counts: () => none, merged: () => empty },
    busyNs: new Array<number>(n).fill(0),
    overheadNs: new Array<number>(n).fill(0),
    voluntary: 0,
    involuntary: 0,
    migrations: [0, 0, 0, 0, 0],
    tasks: null,
    invariants: { created: 0, exited: 0, alive: 0, lost: 0 },
    scxEvents: {},
    scxInstance: k.ext.instance,
  };
}

/** Stats of the samples recorded between two snapshots of one histogram. */
export function windowStats(a: HistSnap, b: HistSnap): Stats {
  if (a.count === 0) return b.stats(); // nothing before a: b's samples are the window's
  const count = b.count - a.count;
  if (count <= 0) return new Histogram().stats();
  const h = Histogram.difference(b, a);
  // Extreme buckets first (quantile clamps to [min, max]), then exact values where known.
  h.min = 0;
  h.max = Number.POSITIVE_INFINITY;
  const lo = h.quantile(0), hi = h.quantile(1);
  h.min = b.min < a.min ? b.min : Math.max(b.min, lo);
  h.max = b.max > a.max ? b.max : Math.min(b.max, hi);
  if (h.min > h.max) h.min = h.max;
  return h.stats();
}
