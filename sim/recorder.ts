/**
 * Metrics recorded while a run goes: per-group histograms and counters, per-task records (capped),
 * context switches and migrations, class switches, the kernel log, and the optional timeline.
 * Everything is preallocated or appended to growing arrays; nothing is formatted until the end.
 */
import { GroupStats } from "./group_stats.js";
import { Distance } from "./topology.js";
import type { ClassSwitch, TaskResult } from "./result.js";
import type { Task } from "./task.js";
import type { CompiledPlan } from "./program.js";
import { Op } from "./program.js";

/**
 * Per group (= per task spec), the latency above which an activation misses its deadline:
 * the spec's dl-deadline, else the period of its first timer, else 0 (none).
 */
export function activationDeadlines(plan: CompiledPlan): number[] {
  const out = plan.groups.map(() => 0);
  for (const cs of plan.specs) {
    let ns = cs.spec.deadline !== null ? Math.round(cs.spec.deadline.deadlineUs * 1000) : 0;
    for (const ph of cs.phases) for (const e of ph.events) if (ns === 0 && e.op === Op.Timer) ns = e.periodNs;
    out[cs.groupIdx] = ns;
  }
  return out;
}

/** A task's record as the recorder keeps it: the optional per-task wakeup fields always set. */
type TaskRecord = TaskResult & { wakeups: number; wakeupTotalNs: number; wakeupMinNs: number; wakeupMaxNs: number };

export class Recorder {
  /** Per-group counters and latencies, restarted by `reset`. */
  groups: GroupStats;
  /** True once a final result holds the group columns (see handOverGroups). */
  handedOver = false;
  /** Simulated time at which measurement began (after the warm-up). */
  measureFromNs = 0;
  readonly taskRecords: TaskRecord[] = [];
  tasksTruncated = false;
  voluntary = 0;
  involuntary = 0;
  /** Indexed by Distance. */
  readonly migrations = new Float64Array(5);
  readonly classSwitches: ClassSwitch[] = [];
  readonly log: { atNs: number; msg: string }[] = [];
  // timeline (struct of arrays), only when enabled
  readonly tl: {
    cpu: number[]; pid: number[]; startNs: number[]; endNs: number[]; cls: number[]; endRunnable: number[]; groupOf: Record<string, string>;
    busyCpus: number[]; queued: number[]; wakeNs: number[]; wakePid: number[]; wakerPid: number[]; wakeFlags: number[];
  } | null;
  tlTruncated = false;
  readonly sliceStart: Float64Array;
  /** Per group: see activationDeadlines (kept across warm-up resets). */
  private deadlinesNs: readonly number[] = [];

  constructor(readonly groupNames: readonly string[], nrCpus: number, timeline: boolean, readonly maxTaskRecords: number, readonly maxSlices = 400_000) {
    this.groups = new GroupStats(groupNames.length);
    this.tl = timeline ? { cpu: [], pid: [], startNs: [], endNs: [], cls: [], endRunnable: [], groupOf: {}, busyCpus: [], queued: [], wakeNs: [], wakePid: [], wakerPid: [], wakeFlags: [] } : null;
    this.sliceStart = new Float64Array(nrCpus);
  }

  /**
   * Starts measuring afresh at `now` (the end of a warm-up): histograms and counters restart;
   * task counts carry over as the tasks alive now.
   */
  reset(now: number, aliveByGroup: readonly number[]): void {
    const g = this.groups = new GroupStats(this.groupNames.length);
    for (let i = 0; i < g.length; i++) {
      g.deadlineNs[i] = this.deadlinesNs[i] ?? 0;
      g.tasks[i] = aliveByGroup[i] ?? 0;
      if (g.tasks[i] > 0) g.firstStartNs[i] = now;
    }
    for (const r of this.taskRecords) { r.wakeups = 0; r.wakeupTotalNs = 0; r.wakeupMinNs = 0; r.wakeupMaxNs = 0; }
    this.voluntary = 0;
    this.involuntary = 0;
    this.migrations.fill(0);
    this.measureFromNs = now;
  }

  /**
   * Gives the group columns away to a final result (Machine.result with `final`), which reads
   * them lazily without a copy: the run must go no further, so the kernel refuses to run on.
   */
  handOverGroups(): GroupStats {
    this.handedOver = true;
    return this.groups;
  }

  /** Sets each group's deadline (see activationDeadlines); called once, before the run. */
  setActivationDeadlines(plan: CompiledPlan): void {
    this.deadlinesNs = activationDeadlines(plan);
    this.deadlinesNs.forEach((ns, i) => { this.groups.deadlineNs[i] = ns; });
  }

  migrated(d: Distance): void {
    this.migrations[d]++;
  }

  /** Gives a new task a record if the cap allows. */
  taskCreated(t: Task): void {
    const g = this.groups, i = t.groupIdx;
    g.tasks[i]++;
    if (g.firstStartNs[i] < 0 || t.startNs < g.firstStartNs[i]) g.firstStartNs[i] = t.startNs;
    if (this.taskRecords.length >= this.maxTaskRecords) { this.tasksTruncated = true; t.recordIdx = -1; return; }
    t.recordIdx = this.taskRecords.length;
    this.taskRecords.push({ pid: t.pid, name: t.comm, group: t.group, nice: t.nice, cpuNs: 0, waitNs: 0, startNs: t.startNs, exitNs: null, switches: 0, migrations: 0,
      wakeups: 0, wakeupTotalNs: 0, wakeupMinNs: 0, wakeupMaxNs: 0 });
    if (this.tl) this.tl.groupOf[String(t.pid)] = t.group;
  }

  /** Copies a task's counters into its record (at exit and at the end of the run). */
  syncTask(t: Task): void {
    if (t.exitNs >= 0 && t.exitNs >= this.measureFromNs) { // exits during a warm-up do not count
      const last = this.groups.lastExitNs;
      if (t.exitNs > last[t.groupIdx]) last[t.groupIdx] = t.exitNs;
    }
    if (t.recordIdx < 0) return;
    const r = this.taskRecords[t.recordIdx];
    r.cpuNs = t.cpuNs;
    r.waitNs = t.waitNs;
    r.exitNs = t.exitNs >= 0 ? t.exitNs : null;
    r.switches = t.nvcsw + t.nivcsw;
    r.migrations = t.migrations;
  }

  /** The task ran `latNs` after its wakeup (per-task wakeup stats, for cyclictest-like reports). */
  taskWoken(t: Task, latNs: number): void {
    if (t.recordIdx < 0) return;
    const r = this.taskRecords[t.recordIdx];
    if (r.wakeups === 0 || latNs < r.wakeupMinNs) r.wakeupMinNs = latNs;
    if (latNs > r.wakeupMaxNs) r.wakeupMaxNs = latNs;
    r.wakeups++;
    r.wakeupTotalNs += latNs;
  }

  sliceBegin(cpu: number, now: number): void {
    this.sliceStart[cpu] = now;
  }

  /** `t` stops running on `cpu`: still runnable (preempted, class switch) or not (blocked, exited). */
  sliceEnd(cpu: number, t: Task, cls: number, now: number, stillRunnable: boolean): void {
    const tl = this.tl;
    if (tl === null || now <= this.sliceStart[cpu]) return;
    if (tl.cpu.length >= this.maxSlices) { this.tlTruncated = true; return; }
    if (t.recordIdx < 0 && !(String(t.pid) in tl.groupOf)) tl.groupOf[String(t.pid)] = t.group;
    tl.cpu.push(cpu); tl.pid.push(t.pid); tl.startNs.push(this.sliceStart[cpu]); tl.endNs.push(now); tl.cls.push(cls);
    tl.endRunnable.push(stillRunnable ? 1 : 0);
  }

  /** A wakeup of `pid` by `wakerPid` (0 = the kernel: a timer or sleep ending) with SCX_WAKE_* `flags`. */
  wakeup(now: number, pid: number, wakerPid: number, flags: number): void {
    const tl = this.tl!;
    if (tl.wakeNs.length >= this.maxSlices) { this.tlTruncated = true; return; }
    tl.wakeNs.push(now); tl.wakePid.push(pid); tl.wakerPid.push(wakerPid); tl.wakeFlags.push(flags);
  }

  classSwitch(atNs: number, from: string, to: string, reason: string): void {
    this.classSwitches.push({ atNs, from, to, reason });
  }

  kernelLog(atNs: number, msg: string): void {
    this.log.push({ atNs, msg });
  }
}
