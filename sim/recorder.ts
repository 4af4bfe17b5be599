/**
 * Metrics recorded while a run goes: per-group histograms and counters, per-task records (capped),
 * context switches and migrations, class switches, the kernel log, and the optional timeline.
 * Everything is preallocated or appended to growing arrays; nothing is formatted until the end.
 */
import { Histogram } from "./histogram.js";
import { Distance } from "./topology.js";
import type { ClassSwitch, TaskResult } from "./result.js";
import type { Task } from "./task.js";

export class GroupAcc {
  tasks = 0;
  completed = 0;
  cpuNs = 0;
  requests = 0;
  readonly wakeup = new Histogram();
  readonly request = new Histogram();
  readonly wait = new Histogram();
}

export class Recorder {
  groups: GroupAcc[];
  /** Simulated time at which measurement began (after the warm-up). */
  measureFromNs = 0;
  readonly taskRecords: TaskResult[] = [];
  tasksTruncated = false;
  voluntary = 0;
  involuntary = 0;
  /** Indexed by Distance. */
  readonly migrations = new Float64Array(5);
  readonly classSwitches: ClassSwitch[] = [];
  readonly log: { atNs: number; msg: string }[] = [];
  // timeline (struct of arrays), only when enabled
  readonly tl: {
    cpu: number[]; pid: number[]; startNs: number[]; endNs: number[]; cls: number[]; groupOf: Record<string, string>;
    busyCpus: number[]; queued: number[]; wakeNs: number[]; wakePid: number[]; wakerPid: number[];
  } | null;
  tlTruncated = false;
  readonly sliceStart: Float64Array;

  constructor(readonly groupNames: readonly string[], nrCpus: number, timeline: boolean, readonly maxTaskRecords: number, readonly maxSlices = 400_000) {
    this.groups = groupNames.map(() => new GroupAcc());
    this.tl = timeline ? { cpu: [], pid: [], startNs: [], endNs: [], cls: [], groupOf: {}, busyCpus: [], queued: [], wakeNs: [], wakePid: [], wakerPid: [] } : null;
    this.sliceStart = new Float64Array(nrCpus);
  }

  /**
   * Starts measuring afresh at `now` (the end of a warm-up): histograms and counters restart;
   * task counts carry over as the tasks alive now.
   */
  reset(now: number, aliveByGroup: readonly number[]): void {
    this.groups = this.groupNames.map((_, i) => {
      const g = new GroupAcc();
      g.tasks = aliveByGroup[i] ?? 0;
      return g;
    });
    this.voluntary = 0;
    this.involuntary = 0;
    this.migrations.fill(0);
    this.measureFromNs = now;
  }

  migrated(d: Distance): void {
    this.migrations[d]++;
  }

  /** Gives a new task a record if the cap allows. */
  taskCreated(t: Task): void {
    this.groups[t.groupIdx].tasks++;
    if (this.taskRecords.length >= this.maxTaskRecords) { this.tasksTruncated = true; t.recordIdx = -1; return; }
    t.recordIdx = this.taskRecords.length;
    this.taskRecords.push({ pid: t.pid, name: t.comm, group: t.group, nice: t.nice, cpuNs: 0, waitNs: 0, startNs: t.startNs, exitNs: null, switches: 0, migrations: 0 });
    if (this.tl) this.tl.groupOf[String(t.pid)] = t.group;
  }

  /** Copies a task's counters into its record (at exit and at the end of the run). */
  syncTask(t: Task): void {
    if (t.recordIdx < 0) return;
    const r = this.taskRecords[t.recordIdx];
    r.cpuNs = t.cpuNs;
    r.waitNs = t.waitNs;
    r.exitNs = t.exitNs >= 0 ? t.exitNs : null;
    r.switches = t.nvcsw + t.nivcsw;
    r.migrations = t.migrations;
  }

  sliceBegin(cpu: number, now: number): void {
    this.sliceStart[cpu] = now;
  }

  sliceEnd(cpu: number, t: Task, cls: number, now: number): void {
    const tl = this.tl;
    if (tl === null || now <= this.sliceStart[cpu]) return;
    if (tl.cpu.length >= this.maxSlices) { this.tlTruncated = true; return; }
    if (t.recordIdx < 0 && !(String(t.pid) in tl.groupOf)) tl.groupOf[String(t.pid)] = t.group;
    tl.cpu.push(cpu); tl.pid.push(t.pid); tl.startNs.push(this.sliceStart[cpu]); tl.endNs.push(now); tl.cls.push(cls);
  }

  /** A wakeup of `pid` by `wakerPid` (0 = the kernel: a timer or sleep ending). */
  wakeup(now: number, pid: number, wakerPid: number): void {
    const tl = this.tl!;
    if (tl.wakeNs.length >= this.maxSlices) { this.tlTruncated = true; return; }
    tl.wakeNs.push(now); tl.wakePid.push(pid); tl.wakerPid.push(wakerPid);
  }

  classSwitch(atNs: number, from: string, to: string, reason: string): void {
    this.classSwitches.push({ atNs, from, to, reason });
  }

  kernelLog(atNs: number, msg: string): void {
    this.log.push({ atNs, msg });
  }
}
