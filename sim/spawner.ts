/**
 * Making tasks: the workload's tasks at their start delays, open-loop arrivals (Poisson or
 * periodic) and forks. Task slots are created once and reused after an open-loop task exits,
 * so a long run at a steady arrival rate allocates no tasks.
 */
import { Block, Cls, Place, Policy, policyClass, specTemplates, TaskTable, type Task, type TaskTemplate } from "./task.js";
import { RR_TIMESLICE_NS } from "./rt.js";
import { dlBandwidth } from "./deadline.js";
import { Rng } from "./rng.js";
import type { CompiledPlan } from "./program.js";
import { SCX_WAKE_FORK } from "./ext/consts.js";
import { initTaskExt } from "./ext/lifecycle.js";
import type { Kernel } from "./kernel.js";

/**
 * Default cap on tasks alive at once (~0.6 GB of task records; open-loop overload would
 * otherwise grow without bound). The kernel's own limits are RLIMIT_NPROC and pid_max
 * (at most 4,194,304); like them, the cap makes a new task's fork fail rather than memory run out.
 */
export const DEFAULT_MAX_LIVE_TASKS = 1_000_000;

export class Spawner {
  private readonly table: TaskTable;
  private readonly freeSlots: number[] = [];
  private nextPid = 1;
  private readonly rngArrival: Rng;
  private readonly instanceOf: number[];
  /** Per spec, what every task made from it starts with. */
  private readonly templates: readonly TaskTemplate[];
  private readonly arrivals: number[];

  constructor(private readonly k: Kernel, private readonly plan: CompiledPlan, seed: number) {
    this.table = new TaskTable(k);
    this.rngArrival = new Rng(seed, "arrivals");
    this.instanceOf = plan.specs.map(() => 0);
    this.templates = specTemplates(plan.specs.map((cs) => cs.spec), k.topo.nrCpus, plan.groups);
    this.arrivals = plan.specs.map(() => 0);
  }

  /** Creates the workload's tasks and schedules its first arrivals; `pushArrival(at, spec)` queues one. */
  start(pushArrival: (at: number, specIdx: number) => void): void {
    this.plan.specs.forEach((cs, i) => {
      const s = cs.spec;
      if (s.arrivals !== null) {
        pushArrival(Math.round(s.delayUs * 1000) + this.nextArrivalGap(i), i);
        return;
      }
      if (s.forkOnly) return;
      for (let k = 0; k < s.instances; k++) this.spawn(i, Math.round(s.delayUs * 1000), false, k % this.k.topo.nrCpus);
    });
  }

  private nextArrivalGap(specIdx: number): number {
    const a = this.plan.specs[specIdx].spec.arrivals!;
    const mean = 1e9 / a.rate;
    return Math.max(1, Math.round(a.process === "poisson" ? this.rngArrival.exp(mean) : mean));
  }

  /** An open-loop arrival of spec `specIdx`: a new task, and the next arrival queued. */
  arrive(specIdx: number, pushArrival: (at: number, specIdx: number) => void): void {
    const k = this.k, now = k.now;
    const a = this.plan.specs[specIdx].spec.arrivals!;
    this.arrivals[specIdx]++;
    if (!k.atTaskCap()) {
      const t = this.spawn(specIdx, now, true, this.arrivals[specIdx] % k.topo.nrCpus);
      t.activatedAtNs = now;
    }
    if (a.max === undefined || this.arrivals[specIdx] < a.max) pushArrival(now + this.nextArrivalGap(specIdx), specIdx);
  }

  /** An exited open-loop task's slot, free for the next arrival. */
  release(t: Task): void {
    t.place = Place.Free;
    this.freeSlots.push(t.slot);
  }

  /** Creates a task of spec `specIdx` that starts at `at` (a wakeup with WAKE_FORK). */
  spawn(specIdx: number, at: number, openLoop: boolean, cpuHint: number): Task {
    const k = this.k, tasks = k.tasks;
    const cs = this.plan.specs[specIdx], s = cs.spec, d = this.templates[specIdx];
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : tasks.push(this.table.create(tasks.length)) - 1;
    const t = tasks[slot];
    t.pid = this.nextPid++;
    t.tpl = d;
    t.groupIdx = cs.groupIdx;
    t.specIdx = specIdx;
    t.instance = this.instanceOf[specIdx]++;
    t.openLoop = openLoop;
    t.place = Place.Sleeping;
    t.block = Block.NotStarted;
    t.cls = policyClass(d.policy);
    t.cpu = d.cpusAllowed !== null && d.cpusAllowed[cpuHint] !== 1 ? k.firstAllowed(t) : cpuHint;
    t.lastRanCpu = -1;
    t.phase = 0; t.phaseIter = 0; t.event = 0;
    t.loopsLeft = openLoop ? 1 : s.loop;
    t.inBurst = false;
    t.nextWorkNs = -1;
    t.resetNumbers(at);
    t.timerNext = cs.nTimers > 0 ? new Float64Array(cs.nTimers) : null;
    t.waitingOn = -1; t.relockMutex = -1;
    t.nvcsw = 0; t.nivcsw = 0; t.migrations = 0;
    t.dsqStamp = 0; t.qseq = 0; t.ddspFlags = 0; t.scxEnabled = false; t.scxInited = false;
    t.yielded = false; t.fairStamp = 0; t.inRequest = false;
    if (t.cls !== Cls.Fair) admitHigh(k, t);
    k.created++;
    k.rec.taskCreated(t);
    if (k.ext.enabled) initTaskExt(k, t);
    if (at <= k.now && k.now > 0) k.wake(t, SCX_WAKE_FORK);
    else k.pushWake(at, t);
    return t;
  }
}

/**
 * The sched_setattr an RT or deadline task starts with: an RR task gets its first quantum
 * (sched_fork); a deadline task must pass admission (sched_dl_overflow), and one refused
 * (-EBUSY, as rt-app would be told) stays SCHED_OTHER, which the kernel log records.
 */
function admitHigh(k: Kernel, t: Task): void {
  if (t.cls === Cls.Rt) { t.budgetNs = RR_TIMESLICE_NS; return; }
  if (k.dl.admit(dlBandwidth(t), 0)) return;
  k.rec.kernelLog(k.now, `sched_setattr(${t.comm}, SCHED_DEADLINE runtime ${t.dlRuntimeNs} period ${t.dlPeriodNs}) = -EBUSY: ` +
    "the deadline bandwidth of the machine is used up; the task stays SCHED_OTHER");
  t.tpl = { ...t.tpl, policy: Policy.Normal };
  t.cls = Cls.Fair;
}
