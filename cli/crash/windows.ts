/**
 * Metrics of a time window of one run: before the fault, after it. A snapshot is a pure read of
 * the machine's counters and latency histograms at one instant (the CPU time of running tasks
 * is counted up to that instant without charging it, so taking one changes nothing); a window
 * is the difference of two snapshots, shaped as a RunResult so that results/ can tabulate and
 * chart windows side by side like schedulers. Latencies count in the window where they were
 * recorded (a wakeup latency when the task first runs, a request latency when it completes);
 * window percentiles come from the difference of the histograms' buckets (within the
 * histogram's 0.8 % resolution; min and max exact when they fall in the window).
 */
import type { Machine } from "../../sim/machine.js";
import { Histogram } from "../../sim/histogram.js";
import { Distance } from "../../sim/topology.js";
import { Place } from "../../sim/task.js";
import { RUN_SCHEMA, type ExitInfo, type GroupResult, type JobSpec, type RunResult, type Stats, type TaskResult } from "../../sim/result.js";
import type { Invariants } from "../../sim/invariants.js";

interface HistSnap {
  counts: Float64Array;
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface GroupSnap {
  tasks: number;
  completed: number;
  cpuNs: number;
  requests: number;
  wakeup: HistSnap;
  request: HistSnap;
  wait: HistSnap;
}

/** A task's record at one instant, plus what the windows need to tell tasks apart. */
interface TaskSnap extends Pick<TaskResult, "pid" | "name" | "group" | "nice" | "cpuNs" | "waitNs" | "startNs" | "exitNs" | "switches" | "migrations"> {
  nvcsw: number;
  openLoop: boolean;
  fairWeight: number;
  alive: boolean;
}

export interface Snapshot {
  readonly atNs: number;
  readonly events: number;
  readonly groups: readonly GroupSnap[];
  readonly busyNs: readonly number[];
  readonly overheadNs: readonly number[];
  readonly voluntary: number;
  readonly involuntary: number;
  readonly migrations: readonly number[];
  /** By task slot. */
  readonly tasks: readonly (TaskSnap | null)[];
  readonly invariants: Invariants;
  readonly scxEvents: Record<string, number>;
}

function histSnap(h: Histogram): HistSnap {
  return { counts: Float64Array.from(h.counts), count: h.count, sum: h.sum, min: h.min, max: h.max };
}

/** The machine's counters now. Reads only. */
export function snapshot(m: Machine): Snapshot {
  const k = m.kernel, rec = k.rec, n = k.topo.nrCpus, now = k.now;
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
  const tasks = k.tasks.map((t, slot): TaskSnap | null => {
    if (t.place === Place.Free) return null;
    const pend = pendingBySlot.get(slot) ?? 0;
    groupPending[t.groupIdx] += pend;
    return {
      pid: t.pid, name: t.comm, group: t.group, nice: t.nice, cpuNs: t.cpuNs + pend, waitNs: t.waitNs, startNs: t.startNs,
      exitNs: t.exitNs >= 0 ? t.exitNs : null, switches: t.nvcsw + t.nivcsw, nvcsw: t.nvcsw, migrations: t.migrations,
      openLoop: t.openLoop, fairWeight: t.fairWeight, alive: t.place !== Place.Dead,
    };
  });
  return {
    atNs: now,
    events: k.events,
    groups: rec.groups.map((g, i) => ({
      tasks: g.tasks, completed: g.completed, cpuNs: g.cpuNs + groupPending[i]!, requests: g.requests,
      wakeup: histSnap(g.wakeup), request: histSnap(g.request), wait: histSnap(g.wait),
    })),
    busyNs,
    overheadNs: Array.from(k.overheadNs),
    voluntary: rec.voluntary,
    involuntary: rec.involuntary,
    migrations: Array.from(rec.migrations),
    tasks,
    invariants: m.invariants(),
    scxEvents: { ...k.ext.events, ...m.scxApi.stats },
  };
}

/** Stats of the samples recorded between two snapshots of one histogram. */
export function windowStats(a: HistSnap, b: HistSnap): Stats {
  const count = b.count - a.count;
  if (count <= 0) return new Histogram().stats();
  const h = new Histogram();
  for (let i = 0; i < h.counts.length; i++) h.counts[i] = b.counts[i]! - a.counts[i]!;
  h.count = count;
  h.sum = b.sum - a.sum;
  // Extreme buckets first (quantile clamps to [min, max]), then exact values where known.
  h.min = 0;
  h.max = Number.POSITIVE_INFINITY;
  const lo = h.quantile(0), hi = h.quantile(1);
  h.min = a.count === 0 || b.min < a.min ? b.min : Math.max(b.min, lo);
  h.max = a.count === 0 || b.max > a.max ? b.max : Math.min(b.max, hi);
  if (h.min > h.max) h.min = h.max;
  return h.stats();
}

export interface WindowSpec {
  /** Row label in tables and charts, e.g. "before (simple)". */
  readonly label: string;
  /** What ran: the scheduler's name, or "fair". */
  readonly ran: string;
  readonly from: Snapshot;
  readonly to: Snapshot;
  /** The exit to show with this window (the report's exit table), or null. */
  readonly exit: ExitInfo | null;
}

/** All groups' samples of one kind together. */
function mergeSnaps(hs: readonly HistSnap[]): HistSnap {
  const out: HistSnap = { counts: new Float64Array(hs[0]?.counts.length ?? 0), count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: 0 };
  for (const h of hs) {
    for (let i = 0; i < out.counts.length; i++) out.counts[i] += h.counts[i]!;
    out.count += h.count;
    out.sum += h.sum;
    if (h.min < out.min) out.min = h.min;
    if (h.max > out.max) out.max = h.max;
  }
  return out;
}

/** One window as a RunResult (simNs is the window's length; job.scheduler is its label). */
export function windowResult(w: WindowSpec, job: JobSpec, full: RunResult): RunResult {
  const { from: a, to: b } = w;
  const len = b.atNs - a.atNs;
  const groups: Record<string, GroupResult> = {};
  Object.keys(full.groups).forEach((name, i) => {
    const ga = a.groups[i]!, gb = b.groups[i]!;
    groups[name] = {
      tasks: gb.tasks - ga.completed,
      completed: gb.completed - ga.completed,
      cpuNs: gb.cpuNs - ga.cpuNs,
      requests: gb.requests - ga.requests,
      wakeupLatencyNs: windowStats(ga.wakeup, gb.wakeup),
      requestLatencyNs: windowStats(ga.request, gb.request),
      waitNs: windowStats(ga.wait, gb.wait),
    };
  });
  const tasks: TaskResult[] = [];
  let jainS = 0, jainS2 = 0, jainN = 0;
  b.tasks.forEach((tb, slot) => {
    if (tb === null) return;
    if (tb.startNs >= b.atNs || (tb.exitNs !== null && tb.exitNs < a.atNs)) return;
    const ta0 = a.tasks[slot];
    const ta = ta0 && ta0.pid === tb.pid ? ta0 : null;
    const cpuNs = tb.cpuNs - (ta?.cpuNs ?? 0);
    if (tasks.length < 2000) {
      tasks.push({
        pid: tb.pid, name: tb.name, group: tb.group, nice: tb.nice, cpuNs, waitNs: tb.waitNs - (ta?.waitNs ?? 0),
        startNs: tb.startNs, exitNs: tb.exitNs, switches: tb.switches - (ta?.switches ?? 0), migrations: tb.migrations - (ta?.migrations ?? 0),
      });
    }
    // Jain's index as the run's: closed-loop tasks present all window long that never blocked in it.
    if (ta !== null && !tb.openLoop && ta.alive && tb.alive && tb.startNs <= a.atNs && tb.nvcsw === ta.nvcsw) {
      const x = cpuNs / tb.fairWeight;
      jainS += x; jainS2 += x * x; jainN++;
    }
  });
  const n = b.busyNs.length;
  let busy = 0;
  const cpus = b.busyNs.map((bb, c) => {
    const busyNs = bb - a.busyNs[c]!;
    busy += busyNs;
    const overheadNs = Math.min(len, b.overheadNs[c]! - a.overheadNs[c]!);
    return { cpu: c, busyNs, idleNs: Math.max(0, len - busyNs - overheadNs), overheadNs };
  });
  let completed = 0, requests = 0, created = 0;
  for (const g of Object.values(groups)) { completed += g.completed; requests += g.requests; created += g.tasks; }
  const mig = (d: Distance) => b.migrations[d]! - a.migrations[d]!;
  const inWindow = (t: number) => t >= a.atNs && (t < b.atNs || (t === b.atNs && b.atNs === full.simNs));
  const scxEvents: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.scxEvents)) {
    const d = v - (a.scxEvents[k] ?? 0);
    if (d !== 0) scxEvents[k] = d;
  }
  return {
    schema: RUN_SCHEMA,
    job: { ...job, scheduler: w.label, options: {}, durationNs: len, warmupNs: 0, crashAtNs: null },
    simNs: len,
    measuredNs: len,
    events: b.events - a.events,
    wallMs: 0,
    groups,
    tasks,
    tasksTruncated: tasks.length < created,
    cpus,
    totals: {
      completed,
      requests,
      throughput: len > 0 ? requests / (len / 1e9) : 0,
      wakeupLatencyNs: windowStats(mergeSnaps(a.groups.map((g) => g.wakeup)), mergeSnaps(b.groups.map((g) => g.wakeup))),
      requestLatencyNs: windowStats(mergeSnaps(a.groups.map((g) => g.request)), mergeSnaps(b.groups.map((g) => g.request))),
      contextSwitches: { voluntary: b.voluntary - a.voluntary, involuntary: b.involuntary - a.involuntary },
      migrations: {
        smt: mig(Distance.Smt), core: mig(Distance.Core), llc: mig(Distance.Llc), numa: mig(Distance.Numa),
        total: mig(Distance.Smt) + mig(Distance.Core) + mig(Distance.Llc) + mig(Distance.Numa),
      },
      utilization: len > 0 ? busy / (n * len) : 0,
      jainFairness: jainN === 0 || jainS2 === 0 ? 1 : (jainS * jainS) / (jainN * jainS2),
    },
    scx: {
      scheduler: w.ran === "fair" ? null : w.ran,
      timeline: full.scx.timeline.filter((s) => inWindow(s.atNs)),
      exit: w.exit,
      log: full.scx.log.filter((l) => inWindow(l.atNs)),
      events: scxEvents,
    },
    invariants: { ...b.invariants },
    warnings: [],
  };
}
