/**
 * The simulated machine as scripts and tests use it: a kernel with its struct_ops framework,
 * processes that own bpf fds, and the sched_ext state in view. Shaped after the kernel
 * selftests: spawn a loader, create a struct_ops map with BPF_F_LINK, write the scheduler into
 * it, create the link; kill the loader and watch the scheduler get ejected.
 */
import { Kernel, type KernelConfig } from "./kernel.js";
import { BpfSubsystem, type Process, type SpawnOptions } from "./bpf/index.js";
import { schedExtOpsType } from "./ext/struct_ops.js";
import { ScxKfuncs } from "./ext/kfuncs.js";
import { enableSeq } from "./ext/lifecycle.js";
import { checkInvariants, type Invariants } from "./invariants.js";
import { Place, type Task } from "./task.js";
import { moveToCgroup, setAffinity, setCgroupWeight, setNice, setScheduler, type SchedAttr } from "./sched_change.js";
import { ENODEV, ESRCH } from "./bpf/errno.js";
import { buildResult } from "./result_builder.js";
import type { ExitInfo, JobSpec, RunEnd, RunResult } from "./result.js";
import type { SchedExtOps, Scx } from "./ext/ops.js";
import { attachOps, type Attachment, type LoadOptions } from "./attach.js";
import { assert } from "./errors.js";

/** How often a run "until the tasks end" looks for tasks blocked for good. */
const STUCK_CHECK_NS = 10_000_000;

export interface MachineConfig extends KernelConfig {
  /** What the run was asked for; echoed into the RunResult. */
  readonly job: JobSpec;
}

/** sched_ext as seen from user space (sysfs and the exit info). */
export interface ScxView {
  /** Name of the enabled scheduler, or null. */
  readonly current: string | null;
  /** The last exit of any scheduler, kept after a new one attaches (as sysfs and the UEI report); null if none has exited. */
  readonly exitInfo: ExitInfo | null;
  readonly state: "enabled" | "disabled";
  readonly enableSeq: number;
  /** SysRq-S: disable the scheduler (SCX_EXIT_SYSRQ); the link stays until user space drops it. */
  sysrq(): void;
}

export class Machine {
  readonly kernel: Kernel;
  readonly bpf = new BpfSubsystem();
  /** The kfunc facade schedulers are built against. */
  readonly scxApi: ScxKfuncs;
  readonly job: JobSpec;
  readonly scx: ScxView;
  private lastScheduler: string | null = null;
  private end: RunEnd | null = null;
  private readonly processes: Process[] = [];

  constructor(cfg: MachineConfig) {
    this.kernel = new Kernel(cfg);
    this.job = cfg.job;
    this.scxApi = new ScxKfuncs(this.kernel);
    const r = this.bpf.registerStructOpsType(schedExtOpsType(this.kernel));
    assert(r === 0, `registering sched_ext_ops failed (${r})`);
    const k = this.kernel;
    this.scx = {
      get current() { return k.ext.enabled ? k.ext.name : null; },
      get exitInfo() { return k.ext.lastExit; },
      get state() { return k.ext.enabled ? "enabled" : "disabled"; },
      get enableSeq() { return enableSeq(k); },
      sysrq() {
        k.ext.requestExit("SCX_EXIT_SYSRQ", "");
        k.settle();
      },
    };
    this.bpf.onEvent((e) => {
      if (e.type === "sched_ext_ops" && e.kind === "reg" && e.result === 0) this.lastScheduler = k.ext.name;
    });
  }

  /**
   * Runs `prog` as user space runs a SEC("syscall") BPF program with BPF_PROG_TEST_RUN: in
   * process context, outside every scheduler callback, with the kfunc facade (create a DSQ, kick
   * a CPU, read the queues). Returns the program's result (0 if it threw); a kfunc misuse or
   * `scx.error` ejects the scheduler as from a callback. The kernel's deferred work (a
   * disable, reschedules) runs when it returns. Without an enabled scheduler the sched_ext
   * kfuncs have nothing to act on: -ENODEV, and `prog` is not run.
   */
  runSyscallProgram(prog: (scx: Scx) => number): number {
    const k = this.kernel;
    if (!k.ext.enabled || k.ext.aborting) return -ENODEV;
    const r = k.ext.cb.invokeThunk("syscall", null, () => prog(this.scxApi), 0);
    k.settle();
    return typeof r === "number" && !k.ext.cb.threw ? r : 0;
  }

  /** A user-space process that can make bpf(2) calls. */
  spawnProcess(name: string, opts: SpawnOptions = {}): Process {
    const p = this.bpf.spawnProcess(name, opts);
    this.processes.push(p);
    return p;
  }

  /**
   * Attaches `ops` as a loader does (sim/attach.ts): a new process named `loaderName` creates
   * the struct_ops map, writes the ops and creates the link. Throws AttachError on failure.
   */
  attach(ops: SchedExtOps, loaderName: string, o: LoadOptions = {}): Attachment {
    return attachOps(this.spawnProcess(loaderName), ops, o);
  }

  /** Advances simulated time by `ns`. */
  runFor(ns: number): void {
    this.kernel.runFor(ns);
  }

  /**
   * Runs until the job's duration, measuring from the end of its warm-up (if any). A job whose
   * length is set by its tasks ends when the last one exits, or when every live task is blocked
   * for good (rt-app would hang there), durationNs being only a safety cap.
   */
  runToEnd(): void {
    const k = this.kernel, cap = this.job.durationNs;
    const w = this.job.warmupNs ?? 0;
    const untilExit = this.job.durationFrom === "tasks-end";
    k.stopWhenDone = untilExit;
    if (w > 0 && k.now < w && k.rec.measureFromNs === 0) {
      k.runUntil(w);
      if (untilExit && k.done()) return this.ended("tasks-ended", 0);
      this.startMeasurement();
    }
    if (!untilExit) return k.runUntil(cap);
    while (k.now < cap) {
      k.runUntil(Math.min(cap, k.now + STUCK_CHECK_NS));
      if (k.done()) return this.ended("tasks-ended", 0);
      const blocked = k.stuck();
      if (blocked > 0) return this.ended("stuck", blocked);
    }
    this.ended("cap", 0);
  }

  private ended(reason: RunEnd["reason"], blocked: number): void {
    this.kernel.stopWhenDone = false;
    this.end = { reason, blocked };
  }

  /** Schedules `fn` at simulated time `atNs` (e.g. a loader crash). */
  at(atNs: number, fn: () => void): void {
    this.kernel.at(atNs, () => { fn(); this.kernel.settle(); });
  }

  /**
   * Ends the warm-up: metrics restart from now (histograms, counters, per-task and per-CPU
   * accounting); the tasks and the scheduler's state carry on untouched.
   */
  startMeasurement(): void {
    const k = this.kernel;
    for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) k.updateCurr(c, k.tasks[k.curr[c]]);
    const alive = k.rec.groupNames.map(() => 0);
    for (const t of k.tasks) {
      if (t.place === Place.Dead || t.place === Place.Free) continue;
      alive[t.groupIdx]++;
      t.cpuNs = 0; t.waitNs = 0; t.nvcsw = 0; t.nivcsw = 0; t.migrations = 0;
    }
    k.rec.reset(k.now, alive);
    k.busyNs.fill(0);
    k.overheadNs.fill(0);
  }

  invariants(): Invariants {
    return checkInvariants(this.kernel);
  }

  // Run-time attribute changes, as the system calls make them (sched_change.ts). Each returns 0
  // or a negative errno (-ESRCH for a pid that is not a live task), and takes effect at once.

  /** setpriority(PRIO_PROCESS, pid, nice). */
  setNice(pid: number, nice: number): number {
    return this.change(pid, (t) => setNice(this.kernel, t, nice));
  }

  /** sched_setaffinity(pid, cpus); null = every CPU. */
  setAffinity(pid: number, cpus: readonly number[] | null): number {
    return this.change(pid, (t) => setAffinity(this.kernel, t, cpus));
  }

  /** sched_setattr(pid, attr). */
  setScheduler(pid: number, attr: SchedAttr): number {
    return this.change(pid, (t) => setScheduler(this.kernel, t, attr));
  }

  /** Writes the pids into `path`'s cgroup.procs (one migration, refused as a whole). */
  moveToCgroup(pids: readonly number[], path: string): number {
    const tasks = pids.map((pid) => this.liveTask(pid));
    if (tasks.some((t) => t === null)) return -ESRCH;
    const r = moveToCgroup(this.kernel, tasks as Task[], path);
    this.kernel.settle();
    return r;
  }

  /** Writes `path`'s cpu.weight. */
  setCgroupWeight(path: string, weight: number): number {
    const r = setCgroupWeight(this.kernel, path, weight);
    this.kernel.settle();
    return r;
  }

  private change(pid: number, fn: (t: Task) => number): number {
    const t = this.liveTask(pid);
    if (t === null) return -ESRCH;
    const r = fn(t);
    this.kernel.settle();
    return r;
  }

  private liveTask(pid: number): Task | null {
    for (const t of this.kernel.tasks) if (t.pid === pid && t.place !== Place.Dead && t.place !== Place.Free) return t;
    return null;
  }

  /**
   * The RunResult so far. With `final` the run goes no further: the result keeps the group
   * columns themselves instead of a copy (a million task names: 0.3 GB less), and running on
   * afterwards throws.
   */
  result(wallMs = 0, warnings: readonly string[] = [], final = false): RunResult {
    const exit = this.kernel.ext.enabled ? null : this.scx.exitInfo;
    const stats = this.scxApi.stats;
    const problems = this.scxApi.statProblems;
    return buildResult(this.kernel, {
      job: this.job, wallMs, scheduler: this.lastScheduler, exit, stats, warnings: problems.length === 0 ? warnings : [...warnings, ...problems], end: this.end, final,
    });
  }
}
