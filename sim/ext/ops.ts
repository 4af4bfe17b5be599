/**
 * The sched_ext API that schedulers are written against: the task view (`p`), the ops table
 * (callbacks named as in the kernel's struct sched_ext_ops) and the kfunc facade `Scx`.
 * Schedulers import only this file and `consts.ts`.
 */
import type { CpuId, DsqId, Pid } from "./ids.js";
import type { ExitInfo } from "../result.js";
import type { DsqCursor } from "./dsq_cursor.js";

export type { CpuId, DsqId, Pid } from "./ids.js";

/** What a scheduler may read of a task, plus the two fields it may write (slice and vtime); writing any other is an error exit. */
export interface ScxTask {
  readonly pid: Pid;
  /** comm, e.g. "web-3". */
  readonly comm: string;
  /** rt-app task name this task was made from. */
  readonly group: string;
  readonly nice: number;
  /** sched_ext weight 1..10000 (nice 0 = 100). */
  readonly weight: number;
  /** Remaining slice in ns; setting it to 0 makes the core reschedule the task. */
  slice: number;
  /** Ordering key in vtime DSQs. */
  dsqVtime: number;
  /** CPU the task runs on, or ran on last. */
  readonly cpu: CpuId;
  /** Allowed CPUs as a 0/1 array, or null when all CPUs are allowed. */
  readonly cpusAllowed: Uint8Array | null;
  readonly nrCpusAllowed: number;
  /** cgroup path ("/" for the root). */
  readonly cgroup: string;
  /** Expected CPU work per activation (ns) declared by the workload, or 0. */
  readonly expectedRunNs: number;
  /** Relative deadline and period (ns) declared by the workload, or 0. */
  readonly dlDeadlineNs: number;
  readonly dlPeriodNs: number;
  /** Time the current request began, ns: the arrival, or the wakeup that started it (by default any wakeup; see the workload's `request` key). */
  readonly activatedAtNs: number;
  /** Voluntary context switches so far (blocking). */
  readonly nvcsw: number;
  /** Total CPU time consumed, ns. */
  readonly sumExecNs: number;
  /**
   * The job's real remaining size, an oracle no kernel has (for textbook policies such as SRPT):
   * the CPU work (ns at full capacity) the task's current run event still needs, or, for a task
   * between events (just woken or arrived), the size of the run event it runs next. +Infinity
   * for an rt-app `runtime` event (bounded by time); 0 when the task will block before running.
   */
  readonly workLeftNs: number;
  /**
   * SCX_TASK_QUEUED of p->scx.flags: the task is runnable under sched_ext (running, queued, or
   * held by the scheduler), set by the kernel from enqueue_task_scx, before ops.runnable, until
   * dequeue_task_scx, after ops.quiescent. A `prev` handed to ops.dispatch without it blocked or
   * died on the CPU: the kernel will not keep it running whatever its slice says.
   */
  readonly queued: boolean;
  /** p->__state == TASK_DEAD: the task exited; ops.dispatch may still see it once as prev, ops.exit_task comes after. */
  readonly dead: boolean;
}

export interface InitTaskArgs {
  readonly fork: boolean;
}

export interface ExitTaskArgs {
  readonly cancelled: boolean;
}

/** Result of `scx.selectCpuDfl`: one object reused by every call (read it before the next call). */
export interface SelectCpuResult {
  cpu: CpuId;
  isIdle: boolean;
}

/**
 * The ops table. Only `name` is required; absent callbacks get the kernel's defaults.
 * Callbacks may throw: the core turns that into SCX_EXIT_ERROR_BPF with the message. They must
 * return synchronously (a promise is an error) and must not drive simulated time. The table is
 * copied at the map write (BPF_MAP_UPDATE_ELEM): changing it later has no effect.
 */
export interface SchedExtOps {
  readonly name: string;
  readonly flags?: number;
  /** Watchdog limit, ms; 0 = 30 000 (the maximum). */
  readonly timeout_ms?: number;
  readonly dispatch_max_batch?: number;
  readonly exit_dump_len?: number;

  select_cpu?(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId;
  enqueue?(p: ScxTask, enqFlags: number): void;
  dequeue?(p: ScxTask, deqFlags: number): void;
  /**
   * `prev`: the ext task that last ran on `cpu`, also one that just blocked or exited (check
   * `prev.queued` before keeping it: only a queued prev with slice left goes on running), or null.
   */
  dispatch?(cpu: CpuId, prev: ScxTask | null): void;
  tick?(p: ScxTask): void;
  runnable?(p: ScxTask, enqFlags: number): void;
  running?(p: ScxTask): void;
  stopping?(p: ScxTask, runnable: boolean): void;
  quiescent?(p: ScxTask, deqFlags: number): void;
  yield?(from: ScxTask, to: ScxTask | null): boolean;
  set_weight?(p: ScxTask, weight: number): void;
  set_cpumask?(p: ScxTask, mask: Uint8Array | null): void;
  update_idle?(cpu: CpuId, idle: boolean): void;
  /** The CPU is back under sched_ext after a higher class ran there (args is always null here, as in the kernel). */
  cpu_acquire?(cpu: CpuId, args: null): void;
  /** A higher class took the CPU; typical reaction: scx.reenqueueLocal(). */
  cpu_release?(cpu: CpuId, args: CpuReleaseArgs): void;
  init_task?(p: ScxTask, args: InitTaskArgs): number;
  exit_task?(p: ScxTask, args: ExitTaskArgs): void;
  enable?(p: ScxTask): void;
  disable?(p: ScxTask): void;
  cgroup_init?(cgroup: string, weight: number): number;
  cgroup_exit?(cgroup: string): void;
  /** May refuse a task's move between cgroups (a nonzero return, e.g. -EBUSY, fails the move). */
  cgroup_prep_move?(p: ScxTask, from: string, to: string): number;
  cgroup_move?(p: ScxTask, from: string, to: string): void;
  cgroup_cancel_move?(p: ScxTask, from: string, to: string): void;
  cgroup_set_weight?(cgroup: string, weight: number): void;
  init?(): number;
  exit?(ei: ExitInfo): void;
}

/** Why a higher class took a CPU (enum scx_cpu_preempt_reason). */
export const SCX_CPU_PREEMPT_RT = 0, SCX_CPU_PREEMPT_DL = 1, SCX_CPU_PREEMPT_STOP = 2, SCX_CPU_PREEMPT_UNKNOWN = 3;

/** Arguments of ops.cpu_release (struct scx_cpu_release_args). */
export interface CpuReleaseArgs {
  readonly reason: number;
  /** The task of the higher class about to run. */
  readonly task: ScxTask;
}

/** Per-task storage, like a BPF task-local-storage map. */
export interface TaskStorage<T> {
  get(p: ScxTask): T;
}

/** The kfunc facade handed to a scheduler (the kernel's scx_bpf_* helpers). */
export interface Scx {
  /** Simulated time, ns (scx_bpf_now). */
  now(): number;
  nrCpus(): number;
  /** CONFIG_HZ: the scheduler tick's rate on every CPU (`--hz`). */
  hz(): number;
  /** LLC domain id, NUMA node id and capacity (1024 = nominal) of a CPU. */
  cpuLlc(cpu: CpuId): number;
  cpuNode(cpu: CpuId): number;
  cpuCapacity(cpu: CpuId): number;
  /** SMT sibling of a CPU, or -1. */
  cpuSibling(cpu: CpuId): CpuId;
  nrLlcs(): number;
  nrNodes(): number;
  /** scx_bpf_cpuperf_cap: the CPU's capacity at full performance (1024 for the fastest). */
  cpuperfCap(cpu: CpuId): number;
  /** scx_bpf_cpuperf_cur: the CPU's current performance level, 1024 (SCX_CPUPERF_ONE) = full speed. */
  cpuperfCur(cpu: CpuId): number;
  /** scx_bpf_cpuperf_set: asks for performance level 0..1024 on a CPU (schedutil adds 25 % headroom); above 1024 is a scheduler error. */
  cpuperfSet(cpu: CpuId, perf: number): void;

  dsqInsert(p: ScxTask, dsq: DsqId, sliceNs: number, enqFlags: number): void;
  dsqInsertVtime(p: ScxTask, dsq: DsqId, sliceNs: number, vtime: number, enqFlags: number): void;
  /** From dispatch: move the first task of a user DSQ that may run here to the local DSQ. */
  dsqMoveToLocal(dsq: DsqId): boolean;
  /** Tasks queued on a DSQ, or -ENOENT when it does not exist. */
  dsqNrQueued(dsq: DsqId): number;
  /** Head of a user DSQ, or null. */
  dsqPeek(dsq: DsqId): ScxTask | null;
  /** The tasks queued on a user DSQ (or SCX_DSQ_GLOBAL) in dispatch order, into `out`; -EINVAL / -ENOENT for an unknown DSQ, else 0. */
  dsqTasks(dsq: DsqId, out: ScxTask[]): number;
  /** A mark taken when a DSQ iteration begins: dsqMove skips tasks queued after it. */
  dsqIterStamp(): number;
  /**
   * bpf_iter_scx_dsq_new: starts `c` (the caller's, reused across walks) over a user DSQ or
   * SCX_DSQ_GLOBAL, backwards if `rev`; -ENOENT (and an empty walk) for an unknown DSQ, else 0.
   * `c.since` is the mark dsqMove wants. See DsqCursor for what the walk sees.
   */
  dsqWalkStart(c: DsqCursor, dsq: DsqId, rev: boolean): number;
  /** bpf_iter_scx_dsq_next: the walk's next task, or null at its end. */
  dsqWalkNext(c: DsqCursor): ScxTask | null;
  /** bpf_iter_scx_dsq_destroy. */
  dsqWalkEnd(c: DsqCursor): void;
  /**
   * scx_bpf_dsq_move / dsq_move_vtime (byVtime): move p, met while iterating DSQ `src` from mark
   * `since`, to `dst`; `slice`/`vtime` (dsq_move_set_slice/set_vtime) null keep p's. False when
   * p left `src` or was queued again meanwhile. From dispatch, init or a BPF timer.
   */
  dsqMove(p: ScxTask, src: DsqId, since: number, dst: DsqId, enqFlags: number, slice: number | null, vtime: number | null, byVtime: boolean): boolean;
  /** 0, -EEXIST, -EINVAL, or -ENOMEM past 65536 user DSQs. */
  createDsq(dsq: DsqId, node: number): number;
  destroyDsq(dsq: DsqId): void;
  dispatchNrSlots(): number;
  dispatchCancel(): void;
  reenqueueLocal(): number;

  kickCpu(cpu: CpuId, flags: number): void;
  /**
   * scx_bpf_select_cpu_dfl. With SCX_WAKE_SYNC in `wakeFlags` it first tries prev (idle and in
   * the waker's LLC), then the waker's CPU (its local DSQ empty and some CPU idle), as ext_idle.c.
   */
  selectCpuDfl(p: ScxTask, prevCpu: CpuId, wakeFlags: number): SelectCpuResult;
  /**
   * scx_bpf_select_cpu_and: the default selection over the CPUs of `allowed` (0/1 per CPU) that
   * p may use, with SCX_PICK_IDLE_CORE / SCX_PICK_IDLE_IN_NODE in `flags`; the idle CPU found
   * (claimed), or -EBUSY. A task allowed on one CPU gets prev only if it is idle and allowed.
   * From select_cpu, enqueue or outside callbacks.
   */
  selectCpuAnd(p: ScxTask, prevCpu: CpuId, wakeFlags: number, allowed: Uint8Array, flags: number): CpuId;
  /**
   * bpf_get_current_task_btf(): in the callbacks of a wakeup (select_cpu, runnable, enqueue) or a
   * fork (init_task, enable) made by a task, that task, the waker. When a sleep ends, its timer
   * interrupt runs on the sleeper's previous CPU and `current` is whatever task that interrupt
   * found running there (no relation to the wakee), or null when that CPU was idle (the idle
   * task has no view); `inHardirq()` tells this case apart. null for a task's first start and
   * an open-loop arrival, and in every other callback. Read-only like any task view.
   */
  currentTask(): ScxTask | null;
  /** bpf_in_hardirq(): true in the callbacks of a wakeup made by a sleep's timer interrupt. */
  inHardirq(): boolean;
  /**
   * bpf_get_smp_processor_id(): the CPU the callback runs on. In a wakeup by a task, the waker's
   * CPU; in a wakeup by a timer, the woken task's previous CPU (where its timer was armed).
   */
  currentCpu(): CpuId;
  testAndClearCpuIdle(cpu: CpuId): boolean;
  /** An idle CPU of `mask` (claimed), or -EBUSY. `mask` null = every CPU (pass p.cpusAllowed for a task). */
  pickIdleCpu(mask: Uint8Array | null, flags: number): CpuId;
  /** scx_bpf_pick_any_cpu: an idle CPU as pickIdleCpu, else cpumaskAnyDistribute over the mask; -EBUSY if it is empty. */
  pickAnyCpu(mask: Uint8Array | null, flags: number): CpuId;
  /**
   * bpf_cpumask_any_distribute (for any_and_distribute, pass the AND): the first CPU of `mask`
   * (0/1 per CPU) after the one the running CPU's last pick returned, wrapping; -1 if the mask is
   * empty. The cursor (the kernel's per-CPU distribute_cpu_mask_prev) is the one the idle picks
   * made on that CPU move too.
   */
  cpumaskAnyDistribute(mask: Uint8Array): CpuId;
  isCpuIdle(cpu: CpuId): boolean;
  /**
   * Whether p is its CPU's current task: also inside the callbacks of a task that is leaving its
   * CPU (the enqueue of a task whose slice ran out, stopping, quiescent), as in the kernel.
   */
  taskRunning(p: ScxTask): boolean;
  taskCpu(p: ScxTask): CpuId;
  /** Task currently running on a CPU, or null. */
  cpuCurr(cpu: CpuId): ScxTask | null;
  /** Tasks runnable on a CPU's local DSQ. */
  nrQueuedLocal(cpu: CpuId): number;
  /**
   * The CPU's non-idle time so far in ns (tasks and kernel work; /proc/stat's busy columns): what
   * a scheduler's user-space half reads to measure utilisation. It restarts at 0 when a warm-up ends.
   */
  cpuBusyNs(cpu: CpuId): number;
  /** Whether `p` may run on `cpu`. */
  cpuAllowed(p: ScxTask, cpu: CpuId): boolean;

  /** Record an error and eject the scheduler (SCX_EXIT_ERROR_BPF). */
  error(msg: string): void;
  /** Ask to be unloaded gracefully (SCX_EXIT_UNREG_BPF). */
  exit(code: number, msg: string): void;

  /** A repeatable pseudo-random u32 (bpf_get_prandom_u32), from the run's seeded stream. */
  randomU32(): number;
  taskStorage<T>(init: (p: ScxTask) => T): TaskStorage<T>;
  /**
   * BPF timer: returns an id (-ENOMEM past 4096 timers); `timerStart(id, delayNs)` arms it once;
   * the callback may re-arm. Re-arming with no delay 10000 times at one instant is an error.
   */
  timerCreate(fn: () => void): number;
  timerStart(id: number, delayNs: number): void;
  timerCancel(id: number): void;
  /** Weight of a cgroup (cpu.weight, 100 default) and its parent path ("" for the root). */
  cgroupWeight(cgroup: string): number;
  cgroupParent(cgroup: string): string;
  /** Increment a named scheduler statistic (shown in the RunResult's scx.events). */
  stat(name: string, delta?: number): void;
  /**
   * Statistics the scheduler keeps elsewhere (a BPF object's .bss counters): `read` is called
   * whenever the run's statistics are taken, and its values join scx.events.
   */
  statsFrom(read: () => Readonly<Record<string, number>>): void;
}

/** The callbacks of struct sched_ext_ops that scxlab's kernel calls, in the struct's order. */
export const SCHED_EXT_CALLBACKS = [
  "select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable", "running", "stopping", "quiescent",
  "yield", "set_weight", "set_cpumask", "update_idle", "cpu_acquire", "cpu_release", "init_task", "exit_task",
  "enable", "disable", "cgroup_init", "cgroup_exit", "cgroup_prep_move", "cgroup_move", "cgroup_cancel_move",
  "cgroup_set_weight", "init", "exit",
] as const;

/** The data members of struct sched_ext_ops. */
export const SCHED_EXT_DATA = ["name", "flags", "timeout_ms", "dispatch_max_batch", "exit_dump_len"] as const;
