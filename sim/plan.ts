/**
 * The workload plan: what `workloads/` produces from an rt-app-dialect file or a built-in, and
 * what the kernel executes. Plain data only (it crosses to worker threads). Durations are in
 * microseconds, as in rt-app; the kernel converts them to integer nanoseconds.
 */

/** A duration in µs: a constant, or a distribution drawn per use from the run's seeded streams. */
export type DurationSpec = number | DistSpec;

export type DistSpec =
  | { readonly dist: "const"; readonly value: number }
  | { readonly dist: "exp"; readonly mean: number }
  | { readonly dist: "uniform"; readonly min: number; readonly max: number }
  | { readonly dist: "normal"; readonly mean: number; readonly sd: number }   // draws below 0 count as 0
  | { readonly dist: "lognormal"; readonly mean: number; readonly sd: number }
  | { readonly dist: "pareto"; readonly scale: number; readonly shape: number }
  | { readonly dist: "mix"; readonly of: readonly { readonly weight: number; readonly value: DurationSpec }[] };

/** One event of a phase, in rt-app's vocabulary. */
export type EventSpec =
  | { readonly kind: "run"; readonly us: DurationSpec }          // CPU work at capacity 1024
  | { readonly kind: "runtime"; readonly us: DurationSpec }      // wall time spent running-or-preempted
  | { readonly kind: "sleep"; readonly us: DurationSpec }
  /** Periodic timer: wait until the next period boundary of `ref` (per task instance unless shared); periodUs may be 0. */
  | { readonly kind: "timer"; readonly ref: string; readonly periodUs: number; readonly mode: "relative" | "absolute"; readonly shared: boolean }
  /** Block until a `resume` of ref; as in rt-app (a condvar broadcast), a resume nobody waits for is lost. */
  | { readonly kind: "suspend"; readonly ref: string }
  | { readonly kind: "resume"; readonly ref: string }             // wake every task suspended on ref (now)
  /** POSIX semaphore (rt-app ≥ 2026-04), initial count 0: a post is remembered until a wait takes it. */
  | { readonly kind: "sem_post"; readonly ref: string }
  | { readonly kind: "sem_wait"; readonly ref: string }
  | { readonly kind: "fork"; readonly task: string }              // start one more instance of the named task (usually a forkOnly one)
  | { readonly kind: "yield" }
  | { readonly kind: "exit" }
  | { readonly kind: "lock"; readonly ref: string }
  | { readonly kind: "unlock"; readonly ref: string }
  | { readonly kind: "wait"; readonly ref: string; readonly mutex: string }   // condvar wait (releases mutex)
  | { readonly kind: "signal"; readonly ref: string }
  | { readonly kind: "broad"; readonly ref: string }
  | { readonly kind: "barrier"; readonly ref: string };

export interface PhaseSpec {
  readonly name: string;
  /** Times the phase repeats within one loop of its task (rt-app default 1); -1 = forever. */
  readonly loop: number;
  readonly events: readonly EventSpec[];
  /**
   * What rt-app changes when this phase starts (each time it starts), absent when nothing: the
   * kernel paths that apply it are set_cpus_allowed, set_user_nice, sched_setscheduler and a
   * cgroup migration (sim/sched_change.ts). The TaskSpec holds the first phase's.
   */
  readonly set?: PhaseSettings;
}

/**
 * Properties a phase sets. As in rt-app, nice, policy and taskgroup stay until a later phase sets
 * them again, while cpus is set by every phase of a task that has per-phase cpus: the phase's
 * own, else the task's, else null (all CPUs).
 */
export interface PhaseSettings {
  readonly nice?: number;
  readonly policy?: PolicySpec;
  readonly cpus?: readonly number[] | null;
  /** A cgroup path, or null for the root group. */
  readonly taskgroup?: string | null;
  /** SCHED_FIFO/SCHED_RR priority that comes with `policy` (1..99). */
  readonly rtPriority?: number;
  /** SCHED_DEADLINE parameters that come with `policy`. */
  readonly deadline?: TaskSpec["deadline"];
}

/** Scheduling policy as rt-app names it. */
export type PolicySpec = "SCHED_OTHER" | "SCHED_EXT" | "SCHED_IDLE" | "SCHED_BATCH" | "SCHED_FIFO" | "SCHED_RR" | "SCHED_DEADLINE";

/** Open-loop arrivals: each arrival starts a fresh instance that runs its phases once and exits. */
export interface ArrivalSpec {
  readonly process: "poisson" | "periodic";
  /** Arrivals per second. */
  readonly rate: number;
  /** Stop spawning after this many arrivals (optional). */
  readonly max?: number;
}

/** A kind of block that can bound a request (see TaskSpec.requestOn). */
export type RequestBlock = "sleep" | "timer" | "suspend";

export interface TaskSpec {
  /** rt-app task name; also the group name in results. */
  readonly name: string;
  /**
   * Copies started at time `delayUs` (0 for open-loop specs); a forked copy starts at its fork,
   * but not before `delayUs` (rt-app sleeps a forked thread until its start time plus delay).
   */
  readonly instances: number;
  readonly delayUs: number;
  /** Loops over all phases; -1 = forever (rt-app default for a task). */
  readonly loop: number;
  readonly phases: readonly PhaseSpec[];
  readonly nice: number;
  readonly policy: PolicySpec;
  /** SCHED_FIFO/SCHED_RR priority 1..99 (absent: 1). */
  readonly rtPriority?: number;
  /** A custom slice in µs for SCHED_OTHER/BATCH/IDLE (rt-app's dl-runtime without a period), or absent. */
  readonly sliceUs?: number | null;
  /** Allowed CPUs, or null for all. */
  readonly cpus: readonly number[] | null;
  /** cgroup path such as "/app/web", or null for the root. */
  readonly taskgroup: string | null;
  readonly arrivals: ArrivalSpec | null;
  /** Started only by a `fork` event, never at time 0. */
  readonly forkOnly: boolean;
  /** Expected CPU work per activation in µs (hint for srtf-like policies), or null. */
  readonly expectedRunUs: number | null;
  /** rt-app SCHED_DEADLINE parameters (µs), kept for edf-like policies, or null. */
  readonly deadline: { readonly runtimeUs: number; readonly periodUs: number; readonly deadlineUs: number } | null;
  /**
   * What bounds a request (an activation) of a closed-loop task: it starts when the task wakes
   * from this kind of block and ends when the task next blocks on it, other blocks in between
   * (a think-time sleep) being part of it. null: every sleep, timer or suspend ends one.
   */
  readonly requestOn: RequestBlock | null;
  /**
   * The task's wakeups of others (resume, sem_post, signal, barrier, unlock) stand for pipe or
   * socket writes, which wake with WF_SYNC (SCX_WAKE_SYNC); rt-app's own primitives are futex
   * wakes and carry no SYNC. A scxlab extension, absent = false.
   */
  readonly wakeSync?: boolean;
}

export interface CgroupSpec {
  readonly path: string;
  /** cpu.weight, 1..10000, default 100. */
  readonly weight: number;
}

export interface WorkloadPlan {
  readonly name: string;
  /** global.duration in seconds, or null (the run's duration decides). */
  readonly durationS: number | null;
  readonly tasks: readonly TaskSpec[];
  readonly cgroups: readonly CgroupSpec[];
  /**
   * Barrier name → number of participants: task instances started at time 0 that use it, plus
   * one per `fork` event naming a fork-only user in such a task (fork-join). Filled by the parser.
   */
  readonly barriers: Readonly<Record<string, number>>;
  /** Non-fatal remarks from the parser (unknown keys, mapped policies). */
  readonly warnings: readonly string[];
}
