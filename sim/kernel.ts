/**
 * The simulated kernel: one clock, one event queue, one loop. CPUs run tasks from the workload
 * plan; the fair class ranks above sched_ext, as in Linux (ext sits just above idle, and
 * replaces fair when it switches all tasks). Every state change is an event handler: a CPU reaching a checkpoint (its task's burst
 * ends, its slice runs out, or a tick), a sleeper's wakeup, an open-loop arrival, a timer.
 * Reschedules requested while handling an event run when the handler returns.
 */
import { SplitEventQueue } from "./split_queue.js";
import { Rng } from "./rng.js";
import { Block, Cls, Place, Policy, policyOf, type Task } from "./task.js";
import { distance, type Topology } from "./topology.js";
import { costModel, migrationCost, type CostModel } from "./costs.js";
import { IdleCost } from "./idle_cost.js";
import { CpuPerf, type PerfHost } from "./cpuperf.js";
import { FairClass, type FairHost } from "./fair.js";
import { RtClass, RR_TIMESLICE_NS } from "./rt.js";
import { DlClass, dlBandwidth, type DlHost } from "./deadline.js";
import { DL_SERVER_PERIOD_NS, DL_SERVER_RUNTIME_NS, DlServer } from "./dl_server.js";
import { ExtCore } from "./ext/core.js";
import type { ExtHost } from "./ext/host.js";
import { Action, compilePlan, step, workAhead, type CompiledPlan, type ProgramHost } from "./program.js";
import { SyncState, type Waker } from "./sync.js";
import { Recorder } from "./recorder.js";
import type { DurationSpec, PhaseSettings, WorkloadPlan } from "./plan.js";
import { moveToCgroup, setAffinity, setNice, setScheduler } from "./sched_change.js";
import { errnoName } from "./bpf/errno.js";
import { SCX_ENQ_WAKEUP, SCX_ENQ_CPU_SELECTED, SCX_WAKE_FORK, SCX_WAKE_TTWU, SCX_WAKE_SYNC, SCX_DEQ_SLEEP } from "./ext/consts.js";
import { exitTaskExt, disableScx } from "./ext/lifecycle.js";
import { scxQueued } from "./ext/task_flags.js";
import { Timers, type TimerQueue } from "./timers.js";
import { DEFAULT_MAX_LIVE_TASKS, Spawner } from "./spawner.js";
import { endRequest, startRequest } from "./requests.js";
import { EngineBug, WorkloadStall } from "./errors.js";

/** CONFIG_HZ of the common distribution kernels. */
export const DEFAULT_HZ = 250;
/** The tick rates the kernel's Kconfig offers (CONFIG_HZ_100 ... CONFIG_HZ_1000). */
export const HZ_CHOICES: readonly number[] = [100, 250, 300, 1000];

const EV_CPU = 0, EV_WAKE = 1, EV_ARRIVAL = 2, EV_TIMER = 3, EV_SAMPLE = 4, EV_REPLENISH = 5;

export interface KernelConfig {
  readonly topology: Topology;
  readonly plan: WorkloadPlan;
  readonly seed: number;
  readonly overheads: boolean;
  readonly costs?: Partial<CostModel>;
  /** Tick rate, CONFIG_HZ (default 250: a tick every 4 ms on every CPU, on one grid). */
  readonly hz?: number;
  /**
   * Whether an ext task's spent slice is noticed only at the tick (task_tick_scx) or the next
   * schedule, as in the kernel; false ends slices exactly (the ideal machine of the queueing
   * formulas). Default: `overheads`.
   */
  readonly tickBoundSlices?: boolean;
  readonly timeline?: boolean;
  /** Cap on per-task records in the result (default 2000). */
  readonly maxTaskRecords?: number;
  /**
   * For a watchdog in another thread: `progress[0]` counts the scheduler callbacks invoked so
   * far and `progress[1]` is how many are running (nested) right now, and `abandon` ejects the
   * scheduler at the call that one saw never return (see Callbacks.watch).
   */
  readonly callbackProgress?: Float64Array;
  /** Most tasks alive at once (default DEFAULT_MAX_LIVE_TASKS): arrivals and forks beyond it are refused. */
  readonly maxLiveTasks?: number;
  readonly abandonCallback?: { readonly call: number; readonly why: string };
}

export class Kernel implements FairHost, DlHost, ExtHost, ProgramHost, Waker, TimerQueue, PerfHost {
  now = 0;
  events = 0;
  readonly topo: Topology;
  readonly costs: CostModel;
  readonly plan: CompiledPlan;
  readonly workload: WorkloadPlan;
  readonly seed: number;
  readonly tasks: Task[] = [];
  readonly q = new SplitEventQueue(1024);
  readonly fair: FairClass;
  readonly rt: RtClass;
  readonly dl: DlClass;
  /** The fair and ext servers: what keeps RT and deadline tasks from starving the classes below. */
  readonly server: DlServer;
  readonly ext: ExtCore;
  readonly rec: Recorder;
  readonly sync: SyncState;
  /** Tick period, ns: 1/HZ. Every CPU ticks at the multiples of it. */
  /** CONFIG_HZ. */
  readonly hz: number;
  readonly tickNs: number;
  /** Ext slices end at the tick, not exactly (see KernelConfig.tickBoundSlices). */
  readonly tickBoundSlices: boolean;
  readonly selectOut = { cpu: 0, isIdle: false };
  readonly sharedTimerNext: Float64Array;

  // per-CPU state
  readonly curr: Int32Array;
  readonly currCls: Int8Array;
  readonly runStart: Float64Array;
  readonly lastUpdate: Float64Array;
  readonly evGen: Int32Array;
  readonly nextTick: Float64Array;
  readonly rate: Float64Array;
  readonly needResched: Uint8Array;
  readonly pendingCallbacks: Float64Array;
  /** CPU time owed by a CPU besides callbacks (DSQ locks, timers), charged with its next switch. */
  readonly pendingNs: Float64Array;
  /** Idle exit latency and wakeup IPIs. */
  readonly idleCost: IdleCost;
  /** Each CPU's performance level (scx_bpf_cpuperf_set). */
  readonly perf: CpuPerf;
  readonly busyNs: Float64Array;
  readonly overheadNs: Float64Array;
  private readonly reschedList: Int32Array;
  /**
   * 1 while a CPU has an entry in reschedList. Kept apart from needResched, which schedule() may
   * clear while the entry stays: deriving the push from needResched alone let a CPU be listed
   * twice, overflow the list (a typed array drops the write) and lose its reschedule for good.
   */
  private readonly inReschedList: Uint8Array;
  /** 1 when the CPU's running task may no longer run there (an affinity change): it moves at the next schedule. */
  private readonly leaving: Uint8Array;
  /** 1 while the CPU is a kicker or target of an SCX_KICK_WAIT being carried out (see syncKicks). */
  private readonly syncing: Uint8Array;
  /**
   * The slot of the ext task that blocked or exited on the CPU since its last pick, or -1: the
   * next pick still hands it to ops.dispatch as prev (balance_one passes any prev of the ext
   * class), and an exited one is finished only after that switch (finish_task_switch ->
   * sched_ext_dead: ops.exit_task, then its slot is free).
   */
  private readonly extLeft: Int32Array;
  /**
   * 1 while the CPU runs its idle task. curr < 0 alone does not say it: between a block and the
   * next pick the CPU is still busy. ops.update_idle is told of task <-> idle transitions only
   * (ext_idle.c __scx_update_idle with do_notify, from set_next_task_idle / put_prev_task_idle).
   */
  private readonly inIdle: Uint8Array;
  /** cpu.weight of each cgroup, from the workload, changed by setCgroupWeight. */
  private readonly cgroupWeights: Map<string, number>;
  private reschedN = 0;

  readonly timers: Timers;
  private readonly spawner: Spawner;
  private readonly rngDur: Rng;
  readonly rngScx: Rng;
  created = 0;
  exited = 0;
  /** Most tasks alive at once; an arrival or fork beyond it fails as fork() does with -EAGAIN. */
  readonly maxLiveTasks: number;
  /** Arrivals and forks refused at the live-task cap. */
  refusedTasks = 0;
  /** End `runUntil` as soon as every task has exited and no arrival is due (a run "until the tasks end"). */
  stopWhenDone = false;
  /** Open-loop arrivals still queued: while any is, the workload is not done. */
  private arrivalsQueued = 0;
  tickOn = false;
  private timelineSampleNs = 0;
  private balanceTimer = -1;
  /**
   * Task whose program is executing, and its CPU: `current` of a wakeup it makes (whoever it
   * resumes, signals or forks); null while the kernel itself wakes a task (timer, sleep end).
   */
  waker: Task | null = null;
  wakerCpu = -1;
  /**
   * During a sleep's end (a timer in hard-interrupt context, hrtimer_wakeup): the CPU the timer
   * fires on and the task it interrupted there (null: the idle task), as `current` sees them.
   */
  irqCpu = -1;
  irqCurrent: Task | null = null;
  /** Program steps taken so far: a reschedule storm with steps in it is the workload's, not the scheduler's. */
  private programSteps = 0;
  /** Specs of the last two tasks that stepped: the ones to name when they wake each other forever. */
  private readonly lastStepSpecs = new Int32Array(2);
  /**
   * Most times one task can leave a CPU at one instant: once per event of its program, since
   * each of its loops takes simulated time (checked at parse time) and only other tasks' zero-time
   * events (a resume, a post) can wake it again at that instant.
   */
  private readonly leavesPerInstant: number;

  constructor(cfg: KernelConfig) {
    this.topo = cfg.topology;
    this.costs = costModel(cfg.overheads, cfg.costs);
    this.workload = cfg.plan;
    this.plan = compilePlan(cfg.plan);
    this.leavesPerInstant = 1 + this.plan.specs.reduce((most, c) => Math.max(most, c.phases.reduce((n, ph) => n + ph.events.length, 0)), 0);
    this.seed = cfg.seed;
    this.hz = cfg.hz ?? DEFAULT_HZ;
    this.tickNs = Math.round(1e9 / this.hz);
    this.tickBoundSlices = cfg.tickBoundSlices ?? cfg.overheads;
    this.maxLiveTasks = cfg.maxLiveTasks ?? DEFAULT_MAX_LIVE_TASKS;
    const n = this.topo.nrCpus;
    this.curr = new Int32Array(n).fill(-1);
    this.currCls = new Int8Array(n);
    this.runStart = new Float64Array(n);
    this.lastUpdate = new Float64Array(n);
    this.evGen = new Int32Array(n);
    this.nextTick = new Float64Array(n);
    this.rate = new Float64Array(n).fill(1);
    this.needResched = new Uint8Array(n);
    this.pendingCallbacks = new Float64Array(n);
    this.pendingNs = new Float64Array(n);
    this.idleCost = new IdleCost(this.costs, n);
    this.busyNs = new Float64Array(n);
    this.overheadNs = new Float64Array(n);
    this.reschedList = new Int32Array(n);
    this.inReschedList = new Uint8Array(n);
    this.leaving = new Uint8Array(n);
    this.syncing = new Uint8Array(n);
    this.extLeft = new Int32Array(n).fill(-1);
    this.inIdle = new Uint8Array(n).fill(1);
    this.cgroupWeights = new Map(cfg.plan.cgroups.map((c) => [c.path, c.weight]));
    this.fair = new FairClass(this, n);
    this.rt = new RtClass(this, n);
    this.dl = new DlClass(this, n);
    this.server = new DlServer(n);
    this.ext = new ExtCore(this);
    this.ext.idle.idle.fill(1);
    this.ext.cb.watch(cfg.callbackProgress ?? null, cfg.abandonCallback ?? null);
    this.rec = new Recorder(this.plan.groups, n, cfg.timeline ?? false, cfg.maxTaskRecords ?? 2000);
    this.rec.setActivationDeadlines(this.plan);
    this.sync = new SyncState(this.plan, this);
    this.sharedTimerNext = new Float64Array(this.plan.sharedTimers);
    this.rngDur = new Rng(cfg.seed, "durations");
    this.rngScx = new Rng(cfg.seed, "scx");
    this.timers = new Timers(this);
    this.perf = new CpuPerf(this, this.costs, this.topo);
    this.spawner = new Spawner(this, this.plan, cfg.seed);
    for (let c = 0; c < n; c++) this.rate[c] = this.topo.capacity[c] / 1024;
    this.spawner.start(this.pushArrival);
    this.balanceTimer = this.timerCreate(() => this.balanceFair());
    this.timerStart(this.balanceTimer, 4_000_000);
    if (cfg.timeline) {
      this.timelineSampleNs = 1_000_000;
      this.q.push(0, EV_SAMPLE, 0, 0);
    }
  }

  // ---- the loop ----

  /** Advances simulated time by `ns`, processing every event due by then. */
  runFor(ns: number): void {
    this.runUntil(this.now + ns);
  }

  runUntil(end: number): void {
    if (this.ext.cb.depth > 0) this.refuseReentry("runFor()");
    if (this.rec.handedOver) throw new Error("the run already gave its final result (Machine.result with final): it cannot run on");
    const q = this.q;
    while (q.popDue(end)) {
      this.now = q.popTime;
      this.events++;
      const a = q.popA, b = q.popB;
      switch (q.popKind) {
        case EV_CPU: if (b === this.evGen[a]) this.onCpuCheckpoint(a); break;
        case EV_WAKE: this.onWakeEvent(a, b); break;
        case EV_ARRIVAL: this.arrivalsQueued--; this.spawner.arrive(a, this.pushArrival); break;
        case EV_TIMER: this.timers.fire(a, b); break;
        case EV_SAMPLE: this.onSample(); break;
        case EV_REPLENISH: this.onReplenish(a, b); break;
      }
      this.settle();
      if (this.stopWhenDone && this.done()) return;
    }
    if (end > this.now && Number.isFinite(end)) this.now = end;
  }

  /** Every task of the workload has exited and none is still to come. */
  done(): boolean {
    return this.exited === this.created && this.arrivalsQueued === 0;
  }

  /**
   * Every live task waits on a sync object (suspend, mutex, condvar, barrier, semaphore) and none
   * can run or wake by time: nothing will ever wake them. rt-app hangs there for good.
   */
  stuck(): number {
    const live = this.created - this.exited;
    return live > 0 && this.arrivalsQueued === 0 && this.sync.blockedCount() === live ? live : 0;
  }

  /**
   * Runs deferred work: a pending scheduler disable, then requested reschedules. Inside a
   * scheduler callback it does nothing: the event being handled settles when it returns.
   */
  settle(): void {
    if (this.ext.cb.depth > 0) return;
    if (this.ext.pendingDisable) disableScx(this);
    let guard = 0;
    let steps = this.programSteps;
    while (this.reschedN > 0) {
      const cpu = this.reschedList[--this.reschedN];
      this.inReschedList[cpu] = 0;
      if (this.needResched[cpu]) this.schedule(cpu);
      if (++guard > 100_000) {
        // Rescheduling driven by the tasks' own programs (a step blocks one CPU and wakes another,
        // at least one step per few reschedules) is tasks waking each other at one instant.
        if (4 * (this.programSteps - steps) >= guard) throw this.zeroTimeCycle();
        // A scheduler can make a CPU reschedule forever at one instant (e.g. ops.dispatch kicking
        // its own CPU each time). A real CPU would spin with time passing; here time cannot pass,
        // so the scheduler is ejected as a runtime error. Without one it is our own bug.
        if (!this.ext.enabled || this.ext.aborting) throw new EngineBug("reschedule storm");
        this.ext.requestExit("SCX_EXIT_ERROR", `CPU ${cpu} rescheduled ${guard} times at ${this.now} ns without progress (scheduler livelock)`);
        guard = 0;
        steps = this.programSteps;
      }
      if (this.ext.pendingDisable) disableScx(this);
    }
  }

  /**
   * A scheduler callback tried to drive simulated time (runFor from inside ops.enqueue, say):
   * the kernel's callbacks run inside one scheduling event and cannot, so it is a scheduler
   * error, and the callback unwinds.
   */
  private refuseReentry(what: string): never {
    this.ext.coreError(`${what} called from inside ops.${this.ext.cb.currentName()}: a callback cannot drive simulated time`);
  }

  /** Asks for `cpu` to pick its next task once the current handler returns. */
  resched(cpu: number): void {
    if (this.needResched[cpu]) return;
    this.needResched[cpu] = 1;
    if (this.inReschedList[cpu]) return;
    this.inReschedList[cpu] = 1;
    this.reschedList[this.reschedN++] = cpu;
  }

  reschedAll(): void {
    for (let c = 0; c < this.topo.nrCpus; c++) this.resched(c);
  }

  // ---- CPUs ----

  /** Charges the running task on `cpu` for the time since the last update. */
  updateCurr(cpu: number, t: Task): void {
    const from = Math.max(this.lastUpdate[cpu], this.runStart[cpu]);
    this.lastUpdate[cpu] = this.now;
    if (this.now <= from) return;
    const delta = this.now - from;
    t.cpuNs += delta;
    t.sumExecNs += delta;
    this.busyNs[cpu] += delta;
    this.rec.groups.cpuNs[t.groupIdx] += delta;
    if (t.inBurst) {
      let prog = delta * this.rate[cpu];
      if (t.refillNs > 0) {
        const r = Math.min(t.refillNs, prog);
        t.refillNs -= r;
        prog -= r;
      }
      t.workLeft -= prog;
    }
    const cls = this.currCls[cpu];
    // p->scx.slice is a u64 that update_curr_scx saturates at 0 (the time run past it is not kept)
    if (cls === Cls.Ext) t.slice = t.slice > delta ? t.slice - delta : 0;
    else if (cls === Cls.Fair) t.vruntime += (delta * 1024) / t.fairWeight;
    else {
      t.budgetNs -= delta;
      this.server.chargeHigh(cpu, this.now, delta);
    }
  }

  /** Arms the CPU's next checkpoint: burst end, slice end or tick, whichever is first. */
  setCheckpoint(cpu: number): void {
    const t = this.tasks[this.curr[cpu]];
    const from = Math.max(this.lastUpdate[cpu], this.runStart[cpu]);
    let when = Number.POSITIVE_INFINITY;
    if (t.inBurst) {
      const done = from + (t.refillNs + t.workLeft) / this.rate[cpu];
      when = done < t.runtimeEnd ? done : t.runtimeEnd;
    }
    const cls = this.currCls[cpu];
    if (cls >= Cls.Rt) {
      // RR quantum or deadline runtime, and the moment the fair/ext server would step in.
      // (RR's quantum is counted in ticks, task_tick_rt; a deadline runtime is enforced exactly, as with HRTICK_DL)
      if (cls === Cls.Dl || t.policy === Policy.Rr) {
        let s = from + Math.max(0, t.budgetNs);
        if (cls === Cls.Rt && this.tickBoundSlices) s = this.tickAtOrAfter(s);
        if (s < when) when = s;
      }
      const srv = this.server.activationAt(cpu, from);
      if (srv < when) when = srv;
    } else if (this.rt.queued + this.dl.queued > 0 && this.server.active(cpu, this.now) && this.rt.nrQueued(cpu) + this.dl.nrQueued(cpu) > 0) {
      // The server runs fair/ext only to the end of its period: then the queued RT/DL work is back.
      const s = this.server.periodEnd(this.now);
      if (s < when) when = s;
    }
    if (cls === Cls.Ext) {
      let s: number;
      // task_tick_scx: the kernel notices a spent slice at the first tick after it ran out (a
      // slice already spent when accounting starts, at the tick after that).
      if (this.tickBoundSlices) s = this.tickAtOrAfter(t.slice > 0 ? from + t.slice : from + 1);
      // A slice already spent before the task has run at all (ops.running set it to 0) is
      // noticed at the next tick, as the kernel does; expiring at once would loop at one instant.
      else s = from + (t.slice > 0 ? t.slice : this.lastUpdate[cpu] <= this.runStart[cpu] ? this.tickNs : 0);
      if (s < when) when = s;
    } else if (cls === Cls.Fair && this.fair.nrQueued(cpu) > 0) {
      const s = Math.max(from, t.fairSliceStart + this.fairSliceOf(t));
      if (s < when) when = s;
    }
    if (this.tickOn && this.nextTick[cpu] < when) when = this.nextTick[cpu];
    const gen = ++this.evGen[cpu];
    if (when === Number.POSITIVE_INFINITY) return;
    when = Math.ceil(when);
    if (when < this.now) when = this.now;
    this.q.pushNear(when, EV_CPU, cpu, gen);
  }

  private onCpuCheckpoint(cpu: number): void {
    const slot = this.curr[cpu];
    if (slot < 0) return;
    const t = this.tasks[slot];
    this.updateCurr(cpu, t);
    if (this.tickOn && this.now >= this.nextTick[cpu]) {
      this.nextTick[cpu] = this.tickAtOrAfter(this.now + 1);
      if (this.currCls[cpu] === Cls.Ext) this.ext.tick(t);
    }
    if (t.inBurst && (t.workLeft + t.refillNs < 0.5 || this.now >= t.runtimeEnd)) {
      t.inBurst = false;
      t.workLeft = 0;
      if (!this.continueProgram(cpu, t)) return;
    }
    if (this.sliceExpired(cpu, t)) this.resched(cpu);
    else if (!this.needResched[cpu]) this.setCheckpoint(cpu);
  }

  /** The first tick at or after `ns`: ticks fall on the multiples of 1/HZ on every CPU. */
  tickAtOrAfter(ns: number): number {
    return Math.ceil(ns / this.tickNs) * this.tickNs;
  }

  private sliceExpired(cpu: number, t: Task): boolean {
    const cls = this.currCls[cpu];
    if (cls >= Cls.Rt) return this.highExpired(cpu, t);
    // The fair/ext server's period ended with RT or deadline work waiting here: it goes first.
    if (this.rt.queued + this.dl.queued > 0 && this.rt.nrQueued(cpu) + this.dl.nrQueued(cpu) > 0 && !this.server.active(cpu, this.now)) return true;
    // A NaN slice counts as spent. Tick-bound, a slice that ran out between ticks (a burst of
    // the task's program ended there) waits for the tick: nothing in the kernel looks before.
    if (cls === Cls.Ext) return !(t.slice > 0) && (!this.tickBoundSlices || this.now % this.tickNs === 0);
    if (this.now - t.fairSliceStart < this.fairSliceOf(t)) return false;
    if (this.fair.sliceExpiredResched(cpu, t)) return true;
    t.fairSliceStart = this.now;
    return false;
  }

  /** The fair slice of `t`: its own (sched_attr.sched_runtime) or the class's base slice. */
  private fairSliceOf(t: Task): number {
    const own = t.tpl.sliceNs;
    return own > 0 ? own : this.fair.baseSliceNs;
  }

  /**
   * The checkpoint of a running RT or deadline task: an RR quantum that ran out goes to the tail
   * when its priority has company (task_tick_rt, requeue_task_rt), else starts again; a deadline
   * task out of runtime is throttled (update_curr_dl); the fair/ext server's time has come.
   */
  private highExpired(cpu: number, t: Task): boolean {
    if (t.cls === Cls.Dl) {
      if (t.budgetNs <= 0) return true;
    } else if (t.policy === Policy.Rr && t.budgetNs <= 0) {
      t.budgetNs = RR_TIMESLICE_NS;
      if (this.rt.topPriority(cpu) === t.rtPriority) { t.yielded = true; return true; }
    }
    return this.server.active(cpu, this.now) && this.lowWork(cpu);
  }

  /** Whether fair or ext tasks may be waiting for `cpu` (ext's are known only to its scheduler). */
  private lowWork(cpu: number): boolean {
    return this.fair.nrQueued(cpu) > 0 || this.ext.enabled;
  }

  /**
   * Runs the program of the task on `cpu` until it has work, blocks, yields or exits.
   * Returns true when the task still runs (its checkpoint still needs arming).
   */
  private continueProgram(cpu: number, t: Task): boolean {
    this.programSteps++;
    this.lastStepSpecs[this.programSteps & 1] = t.specIdx;
    this.waker = t;
    this.wakerCpu = cpu;
    const a = step(this, t, this.plan.specs[t.specIdx]);
    this.waker = null;
    this.wakerCpu = -1;
    if (a === Action.Run) return true;
    if (a === Action.Block) this.blockCurrent(cpu, t);
    else if (a === Action.Exit) this.exitCurrent(cpu, t);
    else {
      if (this.currCls[cpu] === Cls.Ext) this.ext.yieldTask(t);
      else {
        // sched_yield of a deadline task gives up the rest of its runtime (yield_task_dl).
        if (this.currCls[cpu] === Cls.Dl) t.budgetNs = 0;
        t.yielded = true;
      }
      this.resched(cpu);
      return true;
    }
    return false;
  }

  /** The task on `cpu` blocked (its place and wakeup are already set): it leaves the CPU. */
  private blockCurrent(cpu: number, t: Task): void {
    if (this.currCls[cpu] === Cls.Ext) {
      this.ext.stopping(t, false);
      this.ext.quiescent(t, SCX_DEQ_SLEEP);
    } else if (this.currCls[cpu] === Cls.Fair) {
      t.fairLag = this.fair.lagOf(t, cpu);
    }
    t.nvcsw++;
    this.rec.voluntary++;
    this.leaveCpu(cpu, t);
  }

  private exitCurrent(cpu: number, t: Task): void {
    const onExt = this.currCls[cpu] === Cls.Ext;
    if (onExt) {
      this.ext.stopping(t, false);
      this.ext.quiescent(t, 0);
    } else if (t.scxInited) exitTaskExt(this, t);
    if (t.policy === Policy.Deadline) this.dl.release(dlBandwidth(t));
    this.sync.taskExited(t);
    t.place = Place.Dead;
    t.exitNs = this.now;
    const g = this.rec.groups;
    g.completed[t.groupIdx]++;
    if (t.openLoop) {
      g.recordRequest(t.groupIdx, this.now - t.activatedAtNs);
    }
    this.exited++;
    this.leaveCpu(cpu, t);
    this.rec.syncTask(t);
    if (!onExt && t.openLoop) this.spawner.release(t);
  }

  /**
   * The ext task that left `cpu` dead has been through its last pick: sched_ext_dead
   * (ops.disable, ops.exit_task) runs now, and its slot is free for the next arrival.
   */
  private finishDead(t: Task): void {
    if (t.scxInited) exitTaskExt(this, t);
    if (t.openLoop) this.spawner.release(t);
  }

  /** `t` stops running on `cpu` (blocked or exited); the CPU picks again. */
  private leaveCpu(cpu: number, t: Task): void {
    if (this.currCls[cpu] === Cls.Ext) this.extLeft[cpu] = t.slot;
    this.rec.sliceEnd(cpu, t, this.currCls[cpu], this.now, false);
    this.curr[cpu] = -1;
    this.evGen[cpu]++;
    this.resched(cpu);
    this.smtChanged(cpu);
  }

  /**
   * Picks and switches to the next task on `cpu` (__schedule). The ext class is asked first
   * (it may keep its running task), then fair. A task whose class changed while it ran (the
   * scheduler was attached or ejected) is queued afresh under its new class.
   */
  schedule(cpu: number): void {
    this.needResched[cpu] = 0;
    // A pass loops only when the task it put on the CPU blocked or exited at once. Each task
    // alive at the start or created since can do that at most leavesPerInstant times at one
    // instant (a task woken again by another's resume blocks again, legally); more passes mean
    // tasks wake each other endlessly.
    const exitedBefore = this.exited;
    for (let pass = 0; pass <= (this.created - exitedBefore) * this.leavesPerInstant; pass++) {
      let prev: Task | null = this.curr[cpu] >= 0 ? this.tasks[this.curr[cpu]] : null;
      // An ext task that blocked or exited here is still prev to ops.dispatch (not to be kept).
      const left = this.extLeft[cpu] >= 0 ? this.tasks[this.extLeft[cpu]] : null;
      this.extLeft[cpu] = -1;
      if (prev !== null) {
        this.updateCurr(cpu, prev);
        if (prev.cls !== this.currCls[cpu]) {
          this.leaving[cpu] = 0;
          this.switchedClassWhileRunning(cpu, prev);
          prev = null;
        } else if (this.leaving[cpu] === 1) {
          this.leaving[cpu] = 0;
          this.migrateRunning(cpu, prev);
          prev = null;
        }
      }
      // The ext class held this CPU (its task may have just blocked): a higher class taking it
      // is ops.cpu_release (switch_class).
      const fromExt = this.currCls[cpu] === Cls.Ext;
      const prevExt = prev !== null && prev.cls === Cls.Ext ? prev : null;
      // Unless a disable in between took it out of the ext class (or already exited it).
      const leftExt = left !== null && left.cls === Cls.Ext && (left.place !== Place.Dead || left.scxEnabled) ? left : null;
      const dispatchPrev = prevExt ?? leftExt;
      const prevFair = prev !== null && prev.cls === Cls.Fair ? prev : null;
      const prevYielded = prev !== null && prev.yielded;
      // Class order as in Linux: dl > rt > fair > ext (which, switching all tasks, replaces
      // fair); while the fair/ext server runs, fair and ext come before dl and rt.
      let next: Task | null = null, lowDone = false;
      if ((prev !== null && prev.cls >= Cls.Rt) || this.rt.queued + this.dl.queued > 0) {
        if (this.server.active(cpu, this.now)) {
          lowDone = true;
          next = this.fair.pick(cpu, prevFair, prevFair !== null && prevYielded);
          if (next === null && this.ext.enabled) next = this.ext.pick(cpu, dispatchPrev);
        }
        if (next === null) next = this.pickHigh(cpu, prev, prevYielded);
      }
      if (next === null && !lowDone) {
        next = this.fair.pick(cpu, prevFair, prevFair !== null && prevYielded);
        if (next === null && this.ext.enabled) next = this.ext.pick(cpu, dispatchPrev);
      }
      if (prev !== null) prev.yielded = false;
      // prev is kept only if it is still on the CPU: with SCX_OPS_ENQ_LAST the ext class may
      // already have put it back through ops.enqueue (and then picked it again as a new task).
      if (next !== null && next === prev && prev.place === Place.Running) {
        if (prevFair !== null && this.now - prev.fairSliceStart >= this.fair.baseSliceNs) prev.fairSliceStart = this.now;
        if (this.ext.kickWaits.length > 0) this.syncKicks();
        // A task kept after a yield goes on with its program (it may block or exit at once).
        if (!prev.inBurst && !this.continueProgram(cpu, prev)) continue;
        if (!this.needResched[cpu]) this.setCheckpoint(cpu);
        return;
      }
      if (prev !== null) {
        prev.nivcsw++;
        this.rec.involuntary++;
        if (prev.place === Place.Running) {
          prev.runnableAt = this.now;
          if (prevExt !== null) this.ext.putPrev(prev, cpu, 0);
          else if (prevFair !== null) this.fair.putPrev(prev, cpu);
          else this.putPrevHigh(prev, cpu, prevYielded);
        }
        this.rec.sliceEnd(cpu, prev, this.currCls[cpu], this.now, true);
        this.curr[cpu] = -1;
      }
      // After put_prev_task_scx has queued prev, as switch_class follows it.
      if (fromExt && next !== null && next.cls !== Cls.Ext && this.ext.cb.hasCpuPreempt) this.ext.cpuRelease(cpu, next);
      if (next === null) {
        this.goIdle(cpu, prev !== null);
        if (left !== null && left.place === Place.Dead) this.finishDead(left);
        return;
      }
      this.startRunning(cpu, next);
      if (left !== null && left.place === Place.Dead) this.finishDead(left);
      if (this.ext.kickWaits.length > 0) this.syncKicks();
      if (next.inBurst || this.continueProgram(cpu, next)) {
        if (this.curr[cpu] === next.slot && !this.needResched[cpu]) this.setCheckpoint(cpu);
        return;
      }
      this.needResched[cpu] = 0;
    }
    throw this.zeroTimeCycle();
  }

  /**
   * Tasks kept waking each other at one instant (a semaphore ping-pong with nothing that takes
   * time in between, say): on the model's machine no time passes, so the run cannot go on. Each
   * task's own loop was checked at parse time; only a cycle across tasks gets here.
   */
  private zeroTimeCycle(): WorkloadStall {
    const names = new Set([this.lastStepSpecs[0], this.lastStepSpecs[1]].map((i) => JSON.stringify(this.plan.specs[i].spec.name)));
    return new WorkloadStall({
      file: this.workload.name, path: "tasks",
      expected: "an event that takes simulated time (run, runtime, sleep, timer) between tasks waking each other",
      got: `${[...names].join(" and ")} waking each other endlessly at ${this.now} ns`,
    });
  }


  private switchedClassWhileRunning(cpu: number, t: Task): void {
    this.rec.sliceEnd(cpu, t, this.currCls[cpu], this.now, true);
    this.curr[cpu] = -1;
    t.runnableAt = this.now;
    this.enqueueNew(t, cpu);
  }

  /**
   * The running task may no longer use its CPU (__set_cpus_allowed_ptr's migration through the
   * stopper): it is preempted and queued on an allowed CPU. An ext task stops (still runnable)
   * and goes through ops.enqueue from there, as move_queued_task does.
   */
  private migrateRunning(cpu: number, t: Task): void {
    this.rec.sliceEnd(cpu, t, this.currCls[cpu], this.now, true);
    this.curr[cpu] = -1;
    t.nivcsw++;
    this.rec.involuntary++;
    t.runnableAt = this.now;
    if (t.cls === Cls.Ext) {
      this.ext.stopping(t, true);
      t.cpu = this.firstAllowed(t);
      this.ext.enqueue(t, 0);
      this.kickIfLower(t.cpu); // wakeup_preempt on the new runqueue
      return;
    }
    if (t.cls === Cls.Fair) {
      const lag = this.fair.lagOf(t, cpu), to = this.fair.selectCpu(t, cpu);
      this.fair.enqueue(t, to, false, lag);
      this.resched(to);
      return;
    }
    this.enqueueNew(t, cpu);
    this.wakeupPreempt(t.cpu, t);
  }

  /** Marks `cpu`'s running task to move off it at the next schedule (see migrateRunning). */
  mustLeave(cpu: number): void {
    this.leaving[cpu] = 1;
    this.resched(cpu);
  }

  /** A task re-queued on `cpu` after an attribute change: preempt the CPU's task if it should (prio_changed_*). */
  requeued(cpu: number, t: Task): void {
    this.wakeupPreempt(cpu, t);
  }

  /** Queues a runnable task that is in no queue under its (new) class, as switched_to_* does. */
  enqueueNew(t: Task, cpu: number): void {
    if (t.cls === Cls.Ext) {
      if (!this.cpuAllowed(t, cpu)) t.cpu = this.firstAllowed(t);
      this.ext.runnable(t, 0);
      this.ext.enqueue(t, 0);
    } else if (t.cls === Cls.Fair) {
      this.fair.enqueue(t, this.cpuAllowed(t, cpu) ? cpu : this.firstAllowed(t), false, 0);
    } else if (t.cls === Cls.Rt) {
      this.rt.enqueue(t, this.rt.selectCpu(t, cpu), false);
    } else {
      this.dl.wakeup(t, this.dl.selectCpu(t, cpu));
    }
  }

  /**
   * The deadline then the RT class (pick_task_dl, pick_task_rt). A deadline `prev` out of
   * runtime is throttled here, before the pick, as update_curr_dl does when it runs out.
   */
  private pickHigh(cpu: number, prev: Task | null, prevYielded: boolean): Task | null {
    let prevDl = prev !== null && prev.cls === Cls.Dl ? prev : null;
    if (prevDl !== null && prevDl.budgetNs <= 0) {
      this.dl.throttle(prevDl);
      prevDl = null;
    }
    if (prevDl !== null || this.dl.queued > 0) {
      const t = this.dl.pick(cpu, prevDl);
      if (t !== null) return t;
    }
    const prevRt = prev !== null && prev.cls === Cls.Rt ? prev : null;
    return prevRt !== null || this.rt.queued > 0 ? this.rt.pick(cpu, prevRt, prevYielded) : null;
  }

  /** A preempted RT or deadline task goes back to a queue (an RT one may be pushed elsewhere). */
  private putPrevHigh(t: Task, cpu: number, yielded: boolean): void {
    if (t.cls === Cls.Dl) {
      this.dl.enqueue(t, cpu);
      return;
    }
    if (yielded) { this.rt.enqueue(t, cpu, false); return; }
    const to = this.rt.putPrev(t, cpu);
    if (to !== cpu) this.resched(to);
  }

  private startRunning(cpu: number, t: Task): void {
    const wasIdle = this.curr[cpu] < 0;
    const now = this.now;
    t.place = Place.Running;
    this.curr[cpu] = t.slot;
    this.currCls[cpu] = t.cls;
    // An idle CPU first leaves its idle state (and was sent an IPI): the task starts that much later.
    const wakeDelay = this.idleCost.on ? this.idleCost.leave(cpu, now) : 0;
    const g = this.rec.groups;
    if (t.wakeAt >= 0) { g.recordWakeup(t.groupIdx, now + wakeDelay - t.wakeAt); this.rec.taskWoken(t, now + wakeDelay - t.wakeAt); t.wakeAt = -1; }
    const wait = now - t.runnableAt;
    t.waitNs += wait;
    g.recordWait(t.groupIdx, wait);
    if (t.lastRanCpu >= 0 && t.lastRanCpu !== cpu) {
      const d = distance(this.topo, t.lastRanCpu, cpu);
      t.migrations++;
      this.rec.migrated(d);
      t.refillNs += migrationCost(this.costs, d);
    }
    t.lastRanCpu = cpu;
    t.cpu = cpu;
    const overhead = this.costs.contextSwitchNs + this.pendingCallbacks[cpu] * this.costs.callbackNs + this.pendingNs[cpu];
    this.pendingCallbacks[cpu] = 0;
    this.pendingNs[cpu] = 0;
    this.overheadNs[cpu] += overhead;
    this.runStart[cpu] = now + wakeDelay + overhead;
    this.lastUpdate[cpu] = now;
    if (this.tickOn) this.nextTick[cpu] = this.tickAtOrAfter(now + 1);
    this.ext.idle.idle[cpu] = 0;
    if (this.inIdle[cpu] === 1) {
      this.inIdle[cpu] = 0;
      this.ext.updateIdle(cpu, false);
    }
    if (t.cls === Cls.Ext) this.ext.running(t);
    else if (t.cls === Cls.Fair) t.fairSliceStart = this.runStart[cpu];
    this.rec.sliceBegin(cpu, now);
    if (wasIdle) {
      this.smtChanged(cpu);
      this.perf.turbo.running(cpu);
    }
  }

  private goIdle(cpu: number, wasBusy: boolean): void {
    this.curr[cpu] = -1;
    this.currCls[cpu] = Cls.Idle;
    this.evGen[cpu]++;
    this.ext.idle.idle[cpu] = 1;
    if (this.ext.idleKickAfterPick === cpu) {
      this.ext.idleKickAfterPick = -1;
      this.resched(cpu);
    }
    if (this.idleCost.on) this.idleCost.enter(cpu, this.now);
    this.perf.turbo.idle(cpu, this.now);
    if (this.inIdle[cpu] === 0) {
      this.inIdle[cpu] = 1;
      this.ext.updateIdle(cpu, true);
    }
    if (wasBusy) this.smtChanged(cpu);
  }

  /** A CPU started or stopped running: its SMT sibling's speed changes (overheads on). */
  private smtChanged(cpu: number): void {
    if (this.costs.smtSpeed === 1) return;
    const s = this.topo.sibling[cpu];
    if (s < 0) return;
    const base = this.speedOf(s);
    const speed = this.curr[cpu] >= 0 ? base * this.costs.smtSpeed : base;
    if (speed === this.rate[s]) return;
    const st = this.curr[s];
    if (st >= 0) this.updateCurr(s, this.tasks[st]);
    this.rate[s] = speed;
    const own = this.speedOf(cpu);
    if (this.curr[cpu] >= 0) {
      this.updateCurr(cpu, this.tasks[this.curr[cpu]]);
      this.rate[cpu] = st >= 0 ? own * this.costs.smtSpeed : own;
      if (!this.needResched[cpu]) this.setCheckpoint(cpu);
    } else this.rate[cpu] = own;
    if (st >= 0 && !this.needResched[s]) this.setCheckpoint(s);
  }

  /**
   * A CPU's non-idle time so far: its tasks' run time (the running one's included) and the
   * kernel's own work on it, what /proc/stat's busy columns add up to for a user-space reader.
   */
  cpuBusyNs(cpu: number): number {
    return this.busySoFar(cpu) + this.overheadNs[cpu];
  }

  /** A CPU's busy time up to now, counting its running task's time not yet accounted. */
  private readonly busySoFar = (cpu: number): number => {
    const from = Math.max(this.lastUpdate[cpu], this.runStart[cpu]);
    return this.busyNs[cpu] + (this.curr[cpu] >= 0 && this.now > from ? this.now - from : 0);
  };

  /** A CPU's speed without SMT slowdown: its capacity at its current performance level. */
  private speedOf(cpu: number): number {
    return (this.topo.capacity[cpu] / 1024) * this.perf.factor(cpu);
  }

  perfChanging(cpu: number): void {
    const c = this.curr[cpu];
    if (c >= 0) this.updateCurr(cpu, this.tasks[c]);
  }

  perfChanged(cpu: number): void {
    const s = this.topo.sibling[cpu];
    const shared = this.costs.smtSpeed !== 1 && s >= 0 && this.curr[s] >= 0;
    this.rate[cpu] = shared ? this.speedOf(cpu) * this.costs.smtSpeed : this.speedOf(cpu);
    if (this.curr[cpu] >= 0 && !this.needResched[cpu]) this.setCheckpoint(cpu);
  }

  chargeCallback(cpu: number): void {
    this.pendingCallbacks[cpu]++;
  }

  /** Charges `ns` of kernel work (a DSQ lock, a timer) to `cpu`, paid with its next switch. */
  chargeNs(cpu: number, ns: number): void {
    this.pendingNs[cpu] += ns;
  }

  // ---- wakeups ----

  private onWakeEvent(slot: number, gen: number): void {
    const t = this.tasks[slot];
    if (t.wakeGen !== gen || t.place !== Place.Sleeping) return;
    if (t.block === Block.NotStarted) { this.wake(t, SCX_WAKE_FORK); return; }
    // The sleeper's timer fires on the CPU it slept on, interrupting whatever runs there.
    const c = this.curr[t.cpu];
    this.irqCpu = t.cpu;
    this.irqCurrent = c >= 0 ? this.tasks[c] : null;
    this.wake(t, SCX_WAKE_TTWU);
    this.irqCpu = -1;
    this.irqCurrent = null;
  }

  /**
   * try_to_wake_up (SCX_WAKE_TTWU) or wake_up_new_task (SCX_WAKE_FORK): choose a CPU through the
   * task's class, queue the task, maybe preempt. A waker whose wakeups stand for pipe or socket
   * writes (TaskTemplate.wakeSync) adds SCX_WAKE_SYNC, as __wake_up_sync_key passes WF_SYNC.
   */
  wake(t: Task, wakeFlags: number): void {
    const waker = this.waker;
    if (waker !== null && waker.tpl.wakeSync && (wakeFlags & SCX_WAKE_TTWU) !== 0) wakeFlags |= SCX_WAKE_SYNC;
    const why = t.block;
    t.block = Block.None;
    t.waitingOn = -1;
    t.wakeGen++;
    t.wakeAt = this.now;
    t.runnableAt = this.now;
    if (why <= Block.Suspend && !t.openLoop) startRequest(t, why, this.now);
    if (this.rec.tl !== null) this.rec.wakeup(this.now, t.pid, waker === null ? 0 : waker.pid, wakeFlags);
    const prevCpu = t.cpu;
    let cpu: number;
    if (t.cls === Cls.Ext) {
      const selected = t.nrCpusAllowed > 1;
      cpu = this.ext.selectCpu(t, t.cpu, wakeFlags);
      t.cpu = cpu;
      const flags = SCX_ENQ_WAKEUP | (selected ? SCX_ENQ_CPU_SELECTED : 0);
      this.ext.runnable(t, flags);
      this.ext.enqueue(t, flags);
    } else if (t.cls === Cls.Fair) {
      cpu = this.fair.selectCpu(t, t.cpu);
      this.fair.enqueue(t, cpu, true, t.fairLag);
    } else if (t.cls === Cls.Rt) {
      cpu = this.rt.selectCpu(t, t.cpu);
      this.rt.enqueue(t, cpu, false);
    } else {
      cpu = this.dl.selectCpu(t, t.cpu);
      this.dl.wakeup(t, cpu);
    }
    // A sleeper's timer fires on the CPU it slept on: woken there, that CPU needs no IPI.
    if (waker === null && cpu === prevCpu && this.idleCost.on) this.idleCost.wokeLocally(cpu);
    this.wakeupPreempt(cpu, t);
    // The waker's program goes on after this: a WAIT kick made in the wakeup is over by then.
    if (this.ext.kickWaits.length > 0 && waker !== null) this.syncKicks();
  }

  private wakeupPreempt(cpu: number, t: Task): void {
    const c = this.curr[cpu];
    if (c < 0) { this.resched(cpu); return; }
    if (t.cls === Cls.Ext) return; // sched_ext never preempts on wakeup, and fair ranks above it
    const cc = this.currCls[cpu];
    if (t.cls === Cls.Fair) {
      if (cc >= Cls.Rt) { if (this.server.active(cpu, this.now)) this.resched(cpu); return; }
      if (cc === Cls.Ext || this.fair.wakeupPreempts(t, this.tasks[c])) this.resched(cpu);
      else if (!this.needResched[cpu]) this.setCheckpoint(cpu);
      return;
    }
    // wakeup_preempt_dl / wakeup_preempt_rt: a higher class always, the same class by deadline or priority
    const preempts = t.cls === Cls.Dl
      ? cc !== Cls.Dl || this.dl.wakeupPreempts(t, this.tasks[c])
      : cc < Cls.Rt || (cc === Cls.Rt && this.rt.wakeupPreempts(t, this.tasks[c]));
    if (preempts) this.resched(cpu);
  }

  /** A throttled deadline task's replenishment timer (dl_task_timer): a new period, and it runs again. */
  private onReplenish(slot: number, gen: number): void {
    const t = this.tasks[slot];
    if (t.wakeGen !== gen || t.place !== Place.Throttled) return;
    this.dl.replenish(t);
    const cpu = this.dl.selectCpu(t, t.cpu);
    this.dl.enqueue(t, cpu);
    this.wakeupPreempt(cpu, t);
  }

  /** The fair server always, the ext server while a scheduler is loaded (its reservation is dropped otherwise). */
  serverBandwidth(): number {
    return (this.ext.enabled ? 2 : 1) * (DL_SERVER_RUNTIME_NS / DL_SERVER_PERIOD_NS);
  }

  pushReplenish(at: number, t: Task): void {
    this.q.push(at, EV_REPLENISH, t.slot, t.wakeGen);
  }

  kickIfLower(cpu: number): void {
    // Only idle ranks below ext: a CPU running a fair task finishes it first.
    if (this.curr[cpu] < 0) this.resched(cpu);
  }

  /**
   * SCX_KICK_PREEMPT, SCX_ENQ_PREEMPT: the running ext task's slice ends now. A CPU that runs a
   * higher class is left alone (kick_one_cpu, local_dsq_post_enq: only ext or idle reschedule).
   */
  preemptExt(cpu: number): void {
    const c = this.curr[cpu];
    if (c >= 0) {
      if (this.currCls[cpu] !== Cls.Ext) return;
      this.updateCurr(cpu, this.tasks[c]);
      this.tasks[c].slice = 0;
    }
    this.resched(cpu);
  }

  /**
   * SCX_KICK_WAIT (kick_cpus_irq_workfn, Linux 6.19): before the kicking CPU's code goes on (the
   * task it just picked, or a waker after its wakeup), every CPU it kicked with WAIT that still
   * owes its reschedule goes through it now. A target already on the way through its own
   * schedule (a nested call) is left to settle: in the kernel two such CPUs would wait for
   * each other. The wait itself takes no simulated time: the kick has no latency here.
   */
  private syncKicks(): void {
    const ext = this.ext;
    if (ext.cb.depth > 0) return;
    const waits = ext.kickWaits.splice(0);
    const waker = this.waker, wakerCpu = this.wakerCpu;
    for (let i = 0; i < waits.length; i += 3) {
      const kicker = waits[i], target = waits[i + 1];
      if (ext.kickSync[target] !== waits[i + 2] || this.needResched[target] === 0 || this.syncing[target] === 1) continue;
      this.syncing[kicker] = 1;
      this.syncing[target] = 1;
      this.waker = null;
      this.wakerCpu = -1;
      this.schedule(target);
      this.waker = waker;
      this.wakerCpu = wakerCpu;
      this.syncing[kicker] = 0;
      this.syncing[target] = 0;
    }
  }

  // ---- ProgramHost / Waker ----

  drawNs(d: DurationSpec): number {
    return Math.round(this.rngDur.draw(d) * 1000);
  }

  sleepUntil(t: Task, at: number, why: Block): void {
    endRequest(t, why, this.now, this.rec.groups);
    t.place = Place.Sleeping;
    t.block = why;
    this.q.push(at, EV_WAKE, t.slot, t.wakeGen);
  }

  blockOn(t: Task, why: Block, obj: number): void {
    endRequest(t, why, this.now, this.rec.groups);
    t.place = Place.Sleeping;
    t.block = why;
    t.waitingOn = obj;
  }

  /**
   * The task went through a block of kind `why` without blocking (a resume was pending). When its
   * requests are bounded by that kind, this is where one ends and the next starts (the next
   * request was already waiting); otherwise nothing happens, as nothing blocked.
   */
  passThrough(t: Task, why: Block): void {
    if (t.openLoop || t.tpl.requestBlock !== why) return;
    endRequest(t, why, this.now, this.rec.groups);
    startRequest(t, why, this.now);
  }

  /**
   * A phase's settings, in rt-app's order (affinity, taskgroup, then policy or nice); a refused
   * change (rt-app would stop) is written to the kernel log and the task goes on as it was.
   */
  applyPhase(t: Task, set: PhaseSettings): void {
    const note = (what: string, r: number) => {
      if (r < 0) this.rec.kernelLog(this.now, `${t.comm}[${t.pid}]: ${what} = ${errnoName(r)}`);
    };
    if (set.cpus !== undefined) note("sched_setaffinity", setAffinity(this, t, set.cpus));
    if (set.taskgroup !== undefined) note("cgroup move", moveToCgroup(this, [t], set.taskgroup ?? "/"));
    if (set.policy !== undefined) {
      const d = set.deadline ?? null;
      note("sched_setattr", setScheduler(this, t, {
        policy: policyOf(set.policy), rtPriority: set.rtPriority, nice: set.nice,
        ...(d !== null ? { runtimeNs: Math.round(d.runtimeUs * 1000), deadlineNs: Math.round(d.deadlineUs * 1000), periodNs: Math.round(d.periodUs * 1000) } : {}),
      }));
    } else if (set.nice !== undefined) note("setpriority", setNice(this, t, set.nice));
    else if (set.rtPriority !== undefined) note("sched_setattr", setScheduler(this, t, { policy: t.policy, rtPriority: set.rtPriority }));
  }

  /** A periodic task is late: its next release is already due, so a new activation starts now. */
  overrun(t: Task, releaseNs: number): void {
    endRequest(t, Block.Timer, this.now, this.rec.groups);
    if (!t.openLoop) startRequest(t, Block.Timer, releaseNs);
  }

  wakeBlocked(t: Task): void {
    if (t.place === Place.Sleeping && t.block !== Block.None) this.wake(t, SCX_WAKE_TTWU);
  }

  resume(ref: number): void { this.sync.resume(ref); }
  lock(t: Task, m: number): boolean { return this.sync.lock(t, m); }
  unlock(t: Task, m: number): void { this.sync.unlock(t, m); }
  condWait(t: Task, cv: number, m: number): void { this.sync.condWait(t, cv, m); }
  signal(cv: number, all: boolean): void { this.sync.signal(cv, all); }
  barrier(t: Task, b: number): boolean { return this.sync.barrier(t, b); }
  suspend(t: Task, ref: number): void { this.sync.suspend(t, ref); }
  semPost(s: number): void { this.sync.semPost(s); }
  semWait(t: Task, s: number): boolean { return this.sync.semWait(t, s); }

  /** As in rt-app, a forked copy honours its task's delay, counted from the run's start. */
  fork(specIdx: number, parent: Task): void {
    if (this.atTaskCap()) return;
    this.spawner.spawn(specIdx, Math.max(this.now, Math.round(this.plan.specs[specIdx].spec.delayUs * 1000)), false, parent.cpu);
  }

  /**
   * Whether a new task must be refused: as many are alive as the cap allows (the kernel's fork
   * fails with -EAGAIN at RLIMIT_NPROC or pid_max). The refusal is counted.
   */
  atTaskCap(): boolean {
    if (this.created - this.exited < this.maxLiveTasks) return false;
    this.refusedTasks++;
    return true;
  }

  /** Queues `t`'s wakeup at `at`. */
  pushWake(at: number, t: Task): void {
    this.q.push(at, EV_WAKE, t.slot, t.wakeGen);
  }

  /** Queues an open-loop arrival of spec `specIdx` at `at`. */
  private readonly pushArrival = (at: number, specIdx: number): void => {
    this.q.push(at, EV_ARRIVAL, specIdx, 0);
    this.arrivalsQueued++;
  };

  pushTimer(at: number, id: number, gen: number): void {
    this.q.push(at, EV_TIMER, id, gen);
  }

  // ---- tasks ----

  /**
   * p.workLeftNs: the work the task's current run event still needs, counting progress on its
   * CPU up to now, or, between events, the size of the run event it reaches next (workAhead).
   */
  /** p.queued: SCX_TASK_QUEUED, as sim/ext/task_flags.ts defines it. */
  scxQueued(t: Task): boolean {
    return scxQueued(t, this.ext.cb);
  }

  workLeftNs(t: Task): number {
    if (t.place === Place.Dead || t.place === Place.Free) return 0;
    if (!t.inBurst) return workAhead(this, t, this.plan.specs[t.specIdx]);
    let left = t.workLeft;
    const cpu = t.cpu;
    if (this.curr[cpu] === t.slot) {
      const from = Math.max(this.lastUpdate[cpu], this.runStart[cpu]);
      if (this.now > from) left -= Math.max(0, (this.now - from) * this.rate[cpu] - t.refillNs);
    }
    return left > 0 ? left : 0;
  }

  cpuAllowed(t: Task, cpu: number): boolean {
    return t.cpusAllowed === null || t.cpusAllowed[cpu] === 1;
  }

  firstAllowed(t: Task): number {
    if (t.cpusAllowed === null) return 0;
    for (let c = 0; c < this.topo.nrCpus; c++) if (t.cpusAllowed[c] === 1) return c;
    return 0;
  }

  currOf(cpu: number): Task | null {
    const s = this.curr[cpu];
    return s >= 0 ? this.tasks[s] : null;
  }

  isIdle(cpu: number): boolean {
    return this.curr[cpu] < 0 && !this.needResched[cpu];
  }

  // ---- cgroups ----

  /** Whether `path` is the root or a cgroup of the workload. */
  hasCgroup(path: string): boolean {
    if (path === "/" || this.cgroupWeights.has(path)) return true;
    return this.workload.tasks.some((s) => s.taskgroup === path || s.phases.some((p) => p.set?.taskgroup === path));
  }

  /** cpu.weight of a cgroup (100 unless the workload or setCgroupWeight says otherwise). */
  cgroupWeight(path: string): number {
    return this.cgroupWeights.get(path) ?? 100;
  }

  setCgroupWeightOf(path: string, weight: number): void {
    this.cgroupWeights.set(path, weight);
  }

  // ---- timers (see timers.ts) ----

  timerCreate(fn: () => void): number { return this.timers.create(fn); }
  timerFree(id: number): void { this.timers.free(id); }
  timerStart(id: number, delayNs: number): void { this.timers.start(id, delayNs); }
  timerCancel(id: number): void { this.timers.cancel(id); }

  /** Runs `fn` at simulated time `atNs` (a scripted action such as a loader crash). */
  at(atNs: number, fn: () => void): void {
    const id = this.timerCreate(fn);
    this.timerStart(id, atNs - this.now);
  }

  private balanceFair(): void {
    this.timerStart(this.balanceTimer, 4_000_000);
    if (this.perf.scaling && !this.ext.enabled) this.perf.governFair(this.now, this.busySoFar);
    const n = this.topo.nrCpus;
    let queued = 0;
    for (let c = 0; c < n; c++) queued += this.fair.nrQueued(c);
    if (queued === 0) return;
    this.fair.balance();
    for (let c = 0; c < n; c++) {
      if (this.fair.nrQueued(c) === 0) continue;
      if (this.curr[c] < 0) this.resched(c);
      else if (this.currCls[c] === Cls.Fair && !this.needResched[c]) this.setCheckpoint(c);
    }
  }

  private onSample(): void {
    const tl = this.rec.tl;
    if (tl === null) return;
    let busy = 0, queued = 0;
    for (let c = 0; c < this.topo.nrCpus; c++) {
      if (this.curr[c] >= 0) busy++;
      queued += this.fair.nrQueued(c) + this.rt.nrQueued(c) + this.dl.nrQueued(c) + this.ext.dsqs.local[c].nr;
    }
    queued += this.ext.dsqs.global.nr;
    for (const d of this.ext.dsqs.users()) queued += d.nr;
    tl.busyCpus.push(busy);
    tl.queued.push(queued);
    this.q.push(this.now + this.timelineSampleNs, EV_SAMPLE, 0, 0);
  }

  get timelineSampleInterval(): number {
    return this.timelineSampleNs;
  }
}
