/**
 * RunResult: what every run returns (design.md §5). Field names are a contract read by scripts
 * and the report; bump RUN_SCHEMA when a field is renamed or changes meaning. Times are integer ns.
 */

import type { CostModel } from "./costs.js";

export const RUN_SCHEMA = "scxlab.run/1";

/** Summary of a latency (or any ns) distribution; percentiles come from a log-bucket histogram. */
export interface Stats {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface JobSpec {
  /** Scheduler registry name, or "fair" for the default class alone. */
  scheduler: string;
  options: Record<string, string | number | boolean>;
  /** Built-in name or file path. */
  workload: string;
  params: Record<string, string | number | boolean>;
  topology: string;
  cpus: number;
  seed: number;
  durationNs: number;
  overheads: boolean;
  /** Tick rate (CONFIG_HZ) when not the default 250; ext slices end at the tick with overheads on. */
  hz?: number;
  /** Metrics ignore the first `warmupNs` of simulated time (0 = none). */
  warmupNs?: number;
  /** Simulated time at which the loader crashes (ns), if any. */
  crashAtNs?: number | null;
  /**
   * What set the run's length: `--duration` ("flag"), the file's global.duration ("workload"),
   * the tasks' end ("tasks-end": durationNs is then only a safety cap), or the command's default.
   */
  durationFrom?: "flag" | "workload" | "tasks-end" | "default";
  /** Cap on tasks alive at once when not the default (see DEFAULT_MAX_LIVE_TASKS). */
  maxTasks?: number;
  /** The cost model when not the default one (`--costs file.json`, read into the job). */
  costs?: CostModel;
}

/** How a run "until the tasks end" ended: so, stuck (every live task blocked for good), or at the safety cap. */
export interface RunEnd {
  readonly reason: "tasks-ended" | "stuck" | "cap";
  /** Tasks blocked for good when the run was stuck. */
  readonly blocked: number;
}

export interface GroupResult {
  tasks: number;
  completed: number;
  cpuNs: number;
  /** Activations finished: open-loop instances that exited, or loop wakeups that went back to sleep. */
  requests: number;
  wakeupLatencyNs: Stats;
  requestLatencyNs: Stats;
  waitNs: Stats;
  // Optional (absent from results made before they existed, and from hand-built ones):
  /** Earliest start of one of the group's tasks in the measured window (or the window's start for tasks alive then); null if none started. */
  firstStartNs?: number | null;
  /** Latest exit of one of the group's tasks; null if none exited. With firstStartNs, the makespan of a finite workload. */
  lastExitNs?: number | null;
  /** The latency above which an activation misses: the spec's dl-deadline, else its first timer's period; 0 = none. */
  deadlineNs?: number;
  /** Activations (requestLatencyNs samples) longer than deadlineNs; 0 when there is no deadline. */
  deadlineMisses?: number;
  /** Wakeup latencies in log2 µs bins: [0] below 1 µs, [i] in [2^(i-1), 2^i) µs; the last bin is open-ended. */
  wakeupHistogramUs?: number[];
}

export interface TaskResult {
  pid: number;
  name: string;
  group: string;
  nice: number;
  cpuNs: number;
  waitNs: number;
  startNs: number;
  exitNs: number | null;
  switches: number;
  migrations: number;
  // Optional (see GroupResult): this task's wakeup latencies (wakeup to running) in the measured window.
  /** Wakeups that led to the task running. */
  wakeups?: number;
  /** Sum, min and max of their latencies, ns (0 when wakeups is 0). */
  wakeupTotalNs?: number;
  wakeupMinNs?: number;
  wakeupMaxNs?: number;
}

export interface CpuResult {
  cpu: number;
  busyNs: number;
  idleNs: number;
  overheadNs: number;
}

export type ExitKind =
  | "SCX_EXIT_NONE"
  | "SCX_EXIT_DONE"
  | "SCX_EXIT_UNREG"
  | "SCX_EXIT_UNREG_BPF"
  | "SCX_EXIT_UNREG_KERN"
  | "SCX_EXIT_SYSRQ"
  | "SCX_EXIT_ERROR"
  | "SCX_EXIT_ERROR_BPF"
  | "SCX_EXIT_ERROR_STALL";

export interface ExitInfo {
  kind: ExitKind;
  reason: string;
  msg: string;
  atNs: number;
  /** User exit code (scx.exit), 0 otherwise. */
  exitCode: number;
}

export interface ClassSwitch {
  atNs: number;
  from: string;
  to: string;
  reason: string;
}

/**
 * Optional per-CPU timeline (asked for with `timeline: true`), struct-of-arrays so it is cheap to
 * record and to send between threads. Slice i ran task `pid[i]` on `cpu[i]` from `startNs[i]`
 * to `endNs[i]` under class `cls[i]` (0 = fair, 1 = ext). Tasks' group names are in `groupOf`.
 */
export interface Timeline {
  cpu: number[];
  pid: number[];
  startNs: number[];
  endNs: number[];
  cls: number[];
  /** 1 when slice i ended with its task still runnable (preempted, class switch), 0 when it blocked or exited; absent in older results. */
  endRunnable?: number[];
  /** pid → group name, for colouring. */
  groupOf: Record<string, string>;
  /** Samples every `sampleNs`: busy CPUs and runnable-but-waiting tasks. */
  sampleNs: number;
  busyCpus: number[];
  queued: number[];
  /** Wakeups: task `wakePid[i]` woken at `wakeNs[i]` by `wakerPid[i]` (0 = the kernel: timer or sleep end). */
  wakeNs: number[];
  wakePid: number[];
  wakerPid: number[];
  /** SCX_WAKE_* flags of each wakeup (FORK 4, TTWU 8, SYNC 16), as the woken task's class got them; absent in older results. */
  wakeFlags?: number[];
  /** True when the recorder stopped adding slices at its cap. */
  truncated: boolean;
}

export interface RunResult {
  schema: typeof RUN_SCHEMA;
  job: JobSpec;
  simNs: number;
  /** How a run "until the tasks end" (job.durationFrom "tasks-end") ended; absent for other runs. */
  end?: RunEnd;
  /** Simulated time covered by the metrics: simNs minus the warm-up. */
  measuredNs: number;
  events: number;
  wallMs: number;
  groups: Record<string, GroupResult>;
  tasks: TaskResult[];
  /** True when `tasks` was capped (open-loop runs create many short tasks). */
  tasksTruncated: boolean;
  cpus: CpuResult[];
  totals: {
    completed: number;
    requests: number;
    /** Requests finished per measured simulated second. */
    throughput: number;
    /** All groups together, from the merged histograms (exact, same resolution as per group). */
    wakeupLatencyNs: Stats;
    requestLatencyNs: Stats;
    contextSwitches: { voluntary: number; involuntary: number };
    /** By what a migration crossed: SMT siblings, cores in one LLC, LLCs in one node, NUMA nodes. */
    migrations: { smt: number; core: number; llc: number; numa: number; total: number };
    utilization: number;
    jainFairness: number;
  };
  scx: {
    scheduler: string | null;
    timeline: ClassSwitch[];
    exit: ExitInfo | null;
    /** Kernel-log-like lines (enable, disable, errors) with their simulated time. */
    log: { atNs: number; msg: string }[];
    events: Record<string, number>;
  };
  invariants: { created: number; exited: number; alive: number; lost: number };
  /** Present when arrivals or forks were refused at the live-task cap (they were never created). */
  tasksRefused?: { count: number; cap: number };
  warnings: string[];
  timeline?: Timeline;
}
