/**
 * The benchmark suite, fixed and versioned: what `scxlab bench` measures. Change a size, a
 * workload or a scheduler here and the figures stop being comparable with older bench.json
 * files, so bump BENCH_SCHEMA's suite version when you do (bench.json records it).
 */

/** 2: the quick sweep runs 20 s jobs (was 10 s), fastest of 2; growth keeps the fastest of 3 runs per size. */
export const BENCH_SCHEMA = "scxlab.bench/2";

export type SuiteName = "quick" | "full" | "tiny";

/** One single-thread measurement: a scheduler on a workload on a flat machine of `cpus` CPUs. */
export interface SingleCase {
  readonly scheduler: string;
  readonly workload: string;
  readonly params: Record<string, number>;
  readonly cpus: number;
  /** Simulated seconds. */
  readonly durationS: number;
}

export interface Suite {
  readonly name: SuiteName;
  /** M/M/c yardstick: customers per run and repetitions (the median is reported). */
  readonly yardstick: { readonly customers: number; readonly reps: number; readonly c: number; readonly rho: number };
  readonly schedulers: readonly string[];
  readonly workloads: readonly string[];
  readonly cpus: readonly number[];
  /** Simulated seconds of each single-thread run. */
  readonly durationS: number;
  /**
   * The parallel sweep: schedulers × workloads × seeds on `cpus` CPUs for `durationS` each, timed
   * `reps` times per worker count (interleaved; the fastest counts).
   */
  readonly sweep: { readonly schedulers: readonly string[]; readonly workloads: readonly string[]; readonly seeds: number; readonly cpus: number; readonly durationS: number; readonly reps: number };
  /** Cost per event against the number of tasks: sleeper counts, warm-up and measured seconds. */
  /** Cost per event against live tasks: each size `reps` times, sizes interleaved, the fastest kept. */
  readonly growth: { readonly tasks: readonly number[]; readonly cpus: number; readonly warmS: number; readonly measureS: number; readonly reps: number };
  /** Live tasks of the large-memory run, or 0 to skip it. */
  readonly millionTasks: number;
  /** Distinct task names of the many-names run (issue 19.12), or 0 to skip it. */
  readonly manyNames: number;
  /** The bpfland object beside the TS bpfland on mixed (when an object is named): CPUs, simulated s a run, alternated pairs. */
  readonly bpflandObject: { readonly cpus: number; readonly durationS: number; readonly pairs: number };
}

/** Workload parameters scaled to the machine: each loads it to about the same degree. */
export function scaledParams(workload: string, cpus: number): Record<string, number> {
  switch (workload) {
    // 2 tasks per CPU, always runnable.
    case "hogs": return { n: 2 * cpus };
    // cpus/4 message threads with 4 workers each: 1.25 tasks per CPU, wakeup-heavy.
    case "schbench": return { message_threads: Math.max(1, cpus / 4), workers: 4 };
    // Poisson requests of mean 500 µs at 75 % load.
    case "server": return { rate: 1500 * cpus, mean_us: 500 };
    default: return {};
  }
}

export const SUITES: Record<SuiteName, Suite> = {
  quick: {
    name: "quick",
    yardstick: { customers: 200_000, reps: 3, c: 4, rho: 0.8 },
    schedulers: ["fair", "simple", "bpfland"],
    workloads: ["schbench", "hogs", "server"],
    cpus: [4, 64],
    durationS: 1,
    sweep: { schedulers: ["simple", "fair"], workloads: ["schbench", "server"], seeds: 4, cpus: 16, durationS: 20, reps: 2 },
    growth: { tasks: [100, 100_000], cpus: 16, warmS: 0.5, measureS: 1.5, reps: 3 },
    millionTasks: 1_000_000,
    manyNames: 0,
    bpflandObject: { cpus: 4, durationS: 30, pairs: 3 },
  },
  full: {
    name: "full",
    yardstick: { customers: 1_000_000, reps: 5, c: 4, rho: 0.8 },
    schedulers: ["fair", "simple", "bpfland"],
    workloads: ["schbench", "hogs", "server"],
    cpus: [4, 16, 64],
    durationS: 4,
    sweep: { schedulers: ["simple", "fair"], workloads: ["schbench", "server"], seeds: 8, cpus: 16, durationS: 20, reps: 2 },
    growth: { tasks: [100, 1000, 10_000, 100_000], cpus: 16, warmS: 1, measureS: 4, reps: 3 },
    millionTasks: 1_000_000,
    manyNames: 1_000_000,
    bpflandObject: { cpus: 4, durationS: 60, pairs: 5 },
  },
  /** For tests of the bench's shape: every part, each tiny. Figures mean nothing. */
  tiny: {
    name: "tiny",
    yardstick: { customers: 2000, reps: 1, c: 4, rho: 0.8 },
    schedulers: ["fair", "simple"],
    workloads: ["schbench"],
    cpus: [4],
    durationS: 0.05,
    sweep: { schedulers: ["simple"], workloads: ["schbench"], seeds: 4, cpus: 4, durationS: 0.05, reps: 1 },
    growth: { tasks: [50, 500], cpus: 4, warmS: 0.02, measureS: 0.05, reps: 1 },
    millionTasks: 2000,
    manyNames: 2000,
    bpflandObject: { cpus: 4, durationS: 0.2, pairs: 1 },
  },
};

/** The single-thread cases of a suite, grouped by scheduler (one fresh process each). */
export function singleCases(s: Suite): SingleCase[] {
  const out: SingleCase[] = [];
  for (const scheduler of s.schedulers) {
    for (const workload of s.workloads) {
      for (const cpus of s.cpus) out.push({ scheduler, workload, params: scaledParams(workload, cpus), cpus, durationS: s.durationS });
    }
  }
  return out;
}
