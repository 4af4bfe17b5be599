/**
 * Runs the bench suite: each single-thread measurement in a fresh child process (clean JIT state,
 * its own peak RSS), the worker scaling sweep through the real pool, and collects a BenchResult.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, cpus as osCpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { BENCH_SCHEMA, SUITES, scaledParams, singleCases, type SingleCase, type SuiteName } from "./suite.js";
import type { BpfSimpleOut, ChildOut, ChildTask, SingleOut, SleepersOut, YardstickOut } from "./child.js";
import { buildEngSimple } from "./bpf_simple.js";
import { BPFLAND_NEEDS_OBJECT, bpflandObjectTarget, bpflandRunTask, summarizeBpflandObject, type BpflandObjectSummary, type ObjectRun } from "./bpfland_object.js";
import { userSweep, type PoolStartOut, type SweepOut } from "./pool_sweeps.js";
import type { MmcRun } from "./bare.js";
import { runJobs } from "../pool.js";
import type { Job } from "../job.js";
import { measureColdRun, measureStartup, type ColdRunOut, type StartupOut } from "./cold.js";
import type { NamesOut } from "./names.js";

export interface BenchOptions {
  readonly suite: SuiteName;
  /** Worker counts for the scaling sweep (the first is the baseline for speed-up). */
  readonly workers: readonly number[];
  /** Progress lines (to stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** A compiled scx_bpfland.bpf.o to measure beside the TS bpfland (checked by the caller), if any. */
  readonly bpflandObject?: string;
}

export interface MmcSummary {
  /** Medians over the repetitions. */
  readonly customersPerS: number;
  readonly customersPerCpuS: number;
  readonly eventsPerS: number;
  readonly wallS: number;
  readonly meanSojourn: number;
  readonly runs: readonly MmcRun[];
}

export interface SingleRow {
  readonly scheduler: string;
  readonly workload: string;
  readonly params: Record<string, number>;
  readonly cpus: number;
  readonly simS: number;
  readonly events: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly eventsPerS: number;
  readonly eventsPerCpuS: number;
  /** Simulated seconds per wall second. */
  readonly simSPerWallS: number;
  /** Completed requests per simulated second (the scheduler's throughput on the workload). */
  readonly throughput: number;
  readonly tasks: number;
  readonly lost: number;
  /** Peak RSS of the process that ran this scheduler's cases. */
  readonly processMaxRssMB: number;
}

export interface ScalingRun {
  readonly workers: number;
  /** The fastest of `walls`. */
  readonly wallS: number;
  readonly walls: readonly number[];
  /** CPU time of the whole process (all threads) in that run, and cpuS ÷ wallS: the cores it got. */
  readonly cpuS: number;
  readonly cores: number;
  readonly jobsPerS: number;
  readonly speedup: number;
  readonly efficiency: number;
  /** Which schedulers each worker thread ran (grouping by scheduler, design.md §3). */
  readonly threads: readonly { thread: number; jobs: number; schedulers: string[] }[];
}

export interface GrowthRow {
  readonly tasks: number;
  readonly events: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly eventsPerS: number;
  readonly eventsPerCpuS: number;
  readonly setupS: number;
  readonly heapPerTaskB: number | null;
  readonly heapMB: number;
  readonly maxRssMB: number;
}

export interface Target {
  readonly id: string;
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  /** null when not measured in this suite. */
  readonly met: boolean | null;
}

export interface BenchResult {
  readonly schema: typeof BENCH_SCHEMA;
  readonly suite: SuiteName;
  readonly createdAt: string;
  readonly machine: {
    readonly node: string; readonly v8: string; readonly platform: string; readonly arch: string;
    readonly cpuModel: string; readonly cpus: number; readonly memGB: number;
    /** 1/5/15-minute load averages at the start and at the end: other load skews the figures. */
    readonly loadAvgStart: number[]; readonly loadAvgEnd: number[];
    /** /proc/pressure/cpu "some avg60" at the start and end (Linux): how often a runnable task waited for a CPU. */
    readonly cpuPressureStart: number | null; readonly cpuPressureEnd: number | null;
  };
  readonly yardstick: {
    readonly model: string;
    readonly customers: number;
    readonly reps: number;
    readonly erlangC: number;
    readonly scxlab: MmcSummary & { readonly eventsPerCustomer: number };
    readonly bare: MmcSummary;
    /** scxlab ÷ bare, customers per wall second (and per CPU second). */
    readonly ratio: number;
    readonly ratioCpu: number;
    readonly maxRssMB: number;
  };
  readonly single: readonly SingleRow[];
  readonly scaling: {
    readonly jobs: number;
    readonly description: string;
    /** Whether every worker count produced the same results (wall time aside). */
    readonly identical: boolean;
    readonly runs: readonly ScalingRun[];
  };
  readonly growth: {
    readonly model: string;
    readonly cpus: number;
    readonly rows: readonly GrowthRow[];
    /** events/s with the fewest tasks ÷ events/s with the most. */
    readonly slowdown: number;
    readonly slowdownCpu: number;
  };
  readonly memory: {
    /** Peak RSS over every bench process. */
    readonly peakRssMB: number;
    /** V8 heap per live task in the largest growth run, bytes. */
    readonly perTaskB: number | null;
    readonly million: GrowthRow | null;
    /** The many-names run: one task per name, to its end and its RunResult (issue 19.12). */
    readonly names: NamesOut | null;
  };
  /** The pool on users' sweeps (fresh process each, 1 and 2 workers interleaved) and a pool thread's start-up cost. */
  readonly pool: {
    /** A fresh thread's pass over the start-up jobs minus the warm calling thread's: load + JIT warm-up. */
    readonly startMs: number;
    /** The thread's own part of it: from asking for the thread to its worker entry loaded. */
    readonly loadMs: number;
    /** The calling thread's cold pass minus its warm pass: JIT warm-up, which every thread pays. */
    readonly warmupMs: number;
    /** The thread's cold pass minus the calling thread's cold pass (what a thread adds beyond running cold). */
    readonly threadOverColdMs: number;
    /** The first job: on the fresh thread (from its entry loaded) and on the cold calling thread. */
    readonly firstJobMs: { readonly thread: number; readonly main: number };
    readonly msPerCost: number;
    /** Estimated work (wall ms) above which the pool's rule starts a second worker's thread: twice the measured start-up. */
    readonly crossoverMs: number;
    /**
     * From the 20 s sweep's CPU (medians): the CPU a 2-worker run with a thread started at once
     * (`forcedCpus`) needs beyond the 1-worker run's calling thread (compiling, the second
     * thread's warm-up), and that calling thread's
     * CPU. On two free cores 2 workers win when work > extra, and reach 1.7× at work ≥ 5.67 × extra.
     */
    readonly cpuModel: { readonly extraS: number; readonly workS: number; readonly forcedCpus: readonly number[] } | null;
    readonly sweeps: readonly { readonly name: string; readonly jobs: number; readonly walls1: number[]; readonly walls2: number[]; readonly ratios: number[]; readonly threads2: number[]; readonly identical: boolean;
      /** CPU s of the whole process per pair, and of the calling thread alone (empty where it cannot be read). */
      readonly cpus1: number[]; readonly cpus2: number[]; readonly mainCpus1: number[]; readonly mainCpus2: number[] }[];
  };
  /** Fresh processes, as a user starts them: the CLI's start-up and the yardstick through `scxlab run`. */
  readonly cold: { readonly startup: StartupOut; readonly run: ColdRunOut };
  /** The yardstick's model under the TS simple and its BPF C twin (eng_simple.bpf.o), FIFO both; or why not measured. */
  readonly bpfSimple?: { readonly ts: MmcSummary; readonly bpf: MmcSummary; readonly ratio: number } | { readonly skipped: string };
  /** The real scx_bpfland object beside the TS bpfland on mixed; or why not measured (absent in older files). */
  readonly bpflandObject?: BpflandObjectSummary;
  readonly targets: readonly Target[];
}

/** The kernel's CPU pressure, "some avg60" (percent of time some runnable task waited), or null. */
function cpuPressure(): number | null {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));
/** Issue 20.3: peak RSS with 10^6 live tasks. */
const MILLION_TASKS_MB = 400;
/** Alternated pairs of fresh processes for the BPF simple against the TS simple (at most). */
const BPF_SIMPLE_PAIRS = 2;
/** Issue 19.12: peak RSS of a run of 10^6 distinct task names, to its RunResult. */
const MANY_NAMES_MB = 2048;

function runChild(task: ChildTask, extraArgs: string[] = []): Promise<ChildOut> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--expose-gc", ...extraArgs, CHILD, JSON.stringify(task)], { maxBuffer: 256 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`bench child (${task.kind}) failed: ${stderr.trim().split("\n").slice(-3).join(" ") || err.message}`)); return; }
      try { resolve(JSON.parse(stdout) as ChildOut); } catch (e) { reject(new Error(`bench child (${task.kind}): bad output: ${(e as Error).message}`)); }
    });
  });
}

/**
 * `npm start` on 2 workers never slower than on 1. When the pool starts no thread for it (its
 * work is below the crossover), the 2-worker run is the 1-worker run, job for job on the calling
 * thread: never slower by construction, and what the wall-time pairs differ by is this machine's
 * noise on identical runs. Only a run that did start a thread is judged by its pairs.
 */
export function npmStartTarget(sweep: { readonly name: string; readonly ratios: readonly number[]; readonly threads2: readonly number[] }, figures: string): Target {
  const threadStarted = sweep.threads2.some((t) => t !== 0);
  return {
    id: "pool-npm-start", what: `${sweep.name}: 2 workers never slower than 1`, target: "no pool thread started, or ≥ 1.0× in every pair",
    measured: threadStarted
      ? `a pool thread ran jobs; ${figures}`
      : `no pool thread started on 2 workers (below the crossover): the same run as on 1 worker; wall pairs ${figures}`,
    met: threadStarted ? Math.min(...sweep.ratios) >= 1.0 : true,
  };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function summarize(runs: readonly MmcRun[]): MmcSummary {
  return {
    customersPerS: median(runs.map((r) => r.customers / r.wallS)),
    customersPerCpuS: median(runs.map((r) => r.customers / Math.max(1e-9, r.cpuS))),
    eventsPerS: median(runs.map((r) => r.events / r.wallS)),
    wallS: median(runs.map((r) => r.wallS)),
    meanSojourn: median(runs.map((r) => r.meanSojourn)),
    runs,
  };
}

function growthRow(o: SleepersOut): GrowthRow {
  return {
    tasks: o.tasks, events: o.events, wallS: o.wallS, cpuS: o.cpuS, eventsPerS: o.events / o.wallS, eventsPerCpuS: o.events / Math.max(1e-9, o.cpuS),
    setupS: o.setupS, heapPerTaskB: o.heapPerTaskB, heapMB: o.heapMB, maxRssMB: o.maxRssMB,
  };
}

/** The jobs of the scaling sweep. */
export function sweepJobs(suite: SuiteName): Job[] {
  const s = SUITES[suite].sweep;
  const jobs: Job[] = [];
  for (const w of s.workloads) {
    for (const sched of s.schedulers) {
      for (let seed = 1; seed <= s.seeds; seed++) {
        jobs.push({
          scheduler: sched, options: {}, workload: w,
          params: Object.fromEntries(Object.entries(scaledParams(w, s.cpus)).map(([k, v]) => [k, String(v)])),
          topology: String(s.cpus), cpus: s.cpus, seed, durationNs: Math.round(s.durationS * 1e9), overheads: true, crashAtNs: null,
        });
      }
    }
  }
  return jobs;
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const suite = SUITES[o.suite];
  const log = o.log ?? (() => {});
  const loadAvgStart = loadavg().map((x) => +x.toFixed(2));
  const cpuPressureStart = cpuPressure();
  let peakRss = process.resourceUsage().maxRSS / 1024;

  // 1. The yardstick, first: it is the figure most sensitive to other load.
  const y = suite.yardstick;
  log(`yardstick: M/M/${y.c} at rho ${y.rho}, ${y.customers} customers × ${y.reps}, scxlab and the bare loop in one process`);
  const yo = (await runChild({ kind: "yardstick", customers: y.customers, reps: y.reps, c: y.c, rho: y.rho })) as YardstickOut;
  peakRss = Math.max(peakRss, yo.maxRssMB);
  const scx = summarize(yo.scxlab), bare = summarize(yo.bare);

  // 1b. The same model through `scxlab run`, cold, and the CLI's start-up: spawned processes.
  log(`cold: M/M/${y.c} through scxlab run × ${y.reps}, scxlab list and --help`);
  const coldRun = measureColdRun(y.customers, y.c, y.rho, y.reps);
  const startup = measureStartup(o.suite === "tiny" ? 1 : 5);

  // 1c. The BPF simple beside the TS simple: a fresh process each, alternated in pairs.
  const built = buildEngSimple();
  let bpfSimple: BenchResult["bpfSimple"] = "skipped" in built ? built : undefined;
  if ("object" in built) {
    const pairs = Math.min(BPF_SIMPLE_PAIRS, y.reps), reps = Math.ceil(y.reps / pairs);
    log(`BPF simple: M/M/${y.c}, eng_simple.bpf.o beside simple (FIFO), ${y.customers} customers × ${reps} in ${pairs} pair${pairs > 1 ? "s" : ""} of fresh processes`);
    const runs = { ts: [] as MmcRun[], bpf: [] as MmcRun[] };
    for (let pair = 0; pair < pairs; pair++) {
      for (const which of ["bpf", "ts"] as const) {
        const bo = (await runChild({ kind: "bpf-simple", which, customers: y.customers, reps, c: y.c, rho: y.rho, object: built.object })) as BpfSimpleOut;
        runs[which].push(...bo.runs);
      }
    }
    const ts = summarize(runs.ts), bpf = summarize(runs.bpf);
    bpfSimple = { ts, bpf, ratio: bpf.eventsPerS / ts.eventsPerS };
  }

  // 1d. The real bpfland object beside the TS port, when the user named one.
  let bpflandObject: BpflandObjectSummary = { skipped: BPFLAND_NEEDS_OBJECT };
  if (o.bpflandObject !== undefined) {
    const bt = { kind: "bpfland-object" as const, object: o.bpflandObject, ...suite.bpflandObject };
    log(`bpfland object: ${bt.object} beside bpfland on mixed, ${bt.cpus} CPUs, ${bt.durationS} simulated s (after as many of warm-up) × ${bt.pairs} pairs, a fresh process each`);
    const obj: ObjectRun[] = [], ts: ObjectRun[] = [];
    for (let i = 0; i < bt.pairs; i++) {
      obj.push((await runChild(bpflandRunTask(bt, bt.object))) as ObjectRun);
      ts.push((await runChild(bpflandRunTask(bt, "bpfland"))) as ObjectRun);
    }
    bpflandObject = summarizeBpflandObject(bt, { kind: "bpfland-object", obj, ts });
  }

  // 2. Single-thread events/s: one fresh process per scheduler.
  const single: SingleRow[] = [];
  const cases = singleCases(suite);
  for (const sched of suite.schedulers) {
    const mine: SingleCase[] = cases.filter((c) => c.scheduler === sched);
    log(`single thread: ${sched} on ${suite.workloads.join(", ")} × ${suite.cpus.join("/")} CPUs, ${suite.durationS} simulated s each`);
    const so = (await runChild({ kind: "single", cases: mine })) as SingleOut;
    peakRss = Math.max(peakRss, so.maxRssMB);
    for (const r of so.runs) {
      const wallS = r.wallMs / 1000;
      single.push({
        scheduler: r.case.scheduler, workload: r.case.workload, params: r.case.params, cpus: r.case.cpus, simS: r.simNs / 1e9, events: r.events,
        wallMs: r.wallMs, cpuMs: r.cpuMs, eventsPerS: r.events / wallS, eventsPerCpuS: r.events / Math.max(1e-9, r.cpuMs / 1000),
        simSPerWallS: r.simNs / 1e9 / wallS, throughput: r.throughput, tasks: r.tasks, lost: r.lost, processMaxRssMB: so.maxRssMB,
      });
    }
  }

  // 3. Cost per event against the number of live tasks, and memory per task.
  const g = suite.growth;
  // Each size several times, interleaved so that a burst of other load hits every size alike;
  // the fastest run of each is the least disturbed one.
  const fastest = new Map<number, GrowthRow>();
  for (let rep = 0; rep < g.reps; rep++) {
    for (const n of g.tasks) {
      log(`growth: ${n} sleeping/computing tasks on ${g.cpus} CPUs${g.reps > 1 ? ` (round ${rep + 1} of ${g.reps})` : ""}`);
      const go = (await runChild({ kind: "sleepers", tasks: n, cpus: g.cpus, warmS: g.warmS, measureS: g.measureS })) as SleepersOut;
      peakRss = Math.max(peakRss, go.maxRssMB);
      const row = growthRow(go), prev = fastest.get(n);
      if (prev === undefined || row.eventsPerS > prev.eventsPerS) fastest.set(n, row);
    }
  }
  const growth: GrowthRow[] = g.tasks.map((n) => fastest.get(n)!);
  let million: GrowthRow | null = null;
  if (suite.millionTasks > 0) {
    log(`memory: ${suite.millionTasks} live tasks`);
    // Simulate only a little: the point is the memory of that many live tasks.
    const mo = (await runChild({ kind: "sleepers", tasks: suite.millionTasks, cpus: g.cpus, warmS: g.warmS / 4, measureS: g.warmS / 4 }, ["--max-old-space-size=4096"])) as SleepersOut;
    peakRss = Math.max(peakRss, mo.maxRssMB);
    million = growthRow(mo);
  }
  let names: NamesOut | null = null;
  if (suite.manyNames > 0) {
    log(`memory: ${suite.manyNames} distinct task names`);
    names = (await runChild({ kind: "names", names: suite.manyNames }, ["--max-old-space-size=4096"])) as NamesOut;
    peakRss = Math.max(peakRss, names.maxRssMB);
  }

  // 4. Worker scaling over the real pool: each worker count `reps` times, interleaved, fastest kept.
  const jobs = sweepJobs(o.suite);
  let first: string | null = null, identical = true;
  const best = new Map<number, { wallS: number; cpuS: number; walls: number[]; threads: ScalingRun["threads"] }>();
  for (let rep = 0; rep < suite.sweep.reps; rep++) {
    for (const w of o.workers) {
      log(`scaling: ${jobs.length} jobs on ${w} worker${w > 1 ? "s" : ""}${suite.sweep.reps > 1 ? ` (round ${rep + 1} of ${suite.sweep.reps})` : ""}`);
      const t0 = performance.now(), c0 = process.cpuUsage();
      const outcomes = await runJobs(jobs, { workers: w, forcePool: true });
      const wallS = (performance.now() - t0) / 1000;
      const cu = process.cpuUsage(c0), cpuS = (cu.user + cu.system) / 1e6;
      const bad = outcomes.find((x) => !x.ok);
      if (bad && !bad.ok) throw new Error(`bench sweep: a job failed: ${bad.error}`);
      const text = JSON.stringify(outcomes.map((x) => (x.ok ? { ...x.result, wallMs: 0 } : null)));
      if (first === null) first = text;
      else if (text !== first) identical = false;
      const threads = new Map<number, { jobs: number; schedulers: Set<string> }>();
      outcomes.forEach((x, i) => {
        const t = threads.get(x.thread ?? -1) ?? { jobs: 0, schedulers: new Set<string>() };
        t.jobs++;
        t.schedulers.add(jobs[i].scheduler);
        threads.set(x.thread ?? -1, t);
      });
      const prev = best.get(w);
      const walls = [...(prev?.walls ?? []), wallS];
      if (prev === undefined || wallS < prev.wallS) {
        best.set(w, { wallS, cpuS, walls, threads: [...threads].map(([thread, t]) => ({ thread, jobs: t.jobs, schedulers: [...t.schedulers] })) });
      } else prev.walls.push(wallS);
    }
  }
  // Speed-up and efficiency relative to the first worker count given (normally 1).
  const w0 = o.workers[0], base = best.get(w0)!;
  const scalingRuns: ScalingRun[] = o.workers.map((w) => {
    const b = best.get(w)!;
    const speedup = base.wallS / b.wallS;
    return { workers: w, wallS: b.wallS, walls: b.walls, cpuS: b.cpuS, cores: b.cpuS / b.wallS, jobsPerS: jobs.length / b.wallS, speedup, efficiency: speedup / (w / w0), threads: b.threads };
  });
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS / 1024);

  // 5. The pool on users' sweeps, and what a pool thread costs to start.
  const tiny = o.suite === "tiny";
  const poolReps = tiny ? 1 : o.suite === "full" ? 5 : 3;
  log(`pool: start-up cost of a pool thread (default line-up × mixed, 1 seed, ${tiny ? 0.05 : 5} s)`);
  const ps = (await runChild({ kind: "poolStart", jobs: userSweep(tiny ? 0.05 : 5, 1) })) as PoolStartOut;
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const coldMs = sum(ps.mainCold), warmMs = sum(ps.mainWarm), threadPassMs = ps.thread.doneMs[ps.thread.doneMs.length - 1] ?? 0;
  const startMs = Math.max(0, threadPassMs - warmMs);
  const seeds = tiny ? 1 : 3;
  const userSweeps = [[tiny ? 0.05 : 20, ""], [tiny ? 0.02 : 5, "npm start: "]].map(([d, what]) => (
    { name: `${what}default line-up × mixed × ${seeds} seed${seeds > 1 ? "s" : ""} × ${d} s`, jobs: userSweep(Number(d), seeds) }
  ));
  const poolSweeps = [];
  for (const us of userSweeps) {
    const walls1: number[] = [], walls2: number[] = [], ratios: number[] = [], hashes = new Set<string>();
    const cpus1: number[] = [], cpus2: number[] = [], mainCpus1: number[] = [], mainCpus2: number[] = [];
    let threads2: number[] = [];
    for (let rep = 0; rep < poolReps; rep++) {
      log(`pool: ${us.name} on 1 and 2 workers${poolReps > 1 ? ` (round ${rep + 1} of ${poolReps})` : ""}`);
      // Paired, in alternating order, so that a burst of other load hits both alike.
      const pair: Record<number, SweepOut> = {};
      for (const w of rep % 2 === 0 ? [1, 2] : [2, 1]) pair[w] = (await runChild({ kind: "sweep", jobs: us.jobs, workers: w })) as SweepOut;
      walls1.push(pair[1].wallMs / 1000);
      walls2.push(pair[2].wallMs / 1000);
      ratios.push(pair[1].wallMs / pair[2].wallMs);
      cpus1.push(pair[1].cpuMs / 1000);
      cpus2.push(pair[2].cpuMs / 1000);
      if (pair[1].mainCpuMs !== null) mainCpus1.push(pair[1].mainCpuMs / 1000);
      if (pair[2].mainCpuMs !== null) mainCpus2.push(pair[2].mainCpuMs / 1000);
      threads2 = pair[2].threads;
      hashes.add(pair[1].hash).add(pair[2].hash);
    }
    poolSweeps.push({ name: us.name, jobs: us.jobs.length, walls1, walls2, ratios, threads2, identical: hashes.size === 1, cpus1, cpus2, mainCpus1, mainCpus2 });
  }
  // The 20 s sweep with a thread started at once, whatever the pool would decide: the CPU two
  // runners need, against the 1-worker calling thread's.
  const s20 = poolSweeps[0], forcedCpus: number[] = [];
  for (let rep = 0; rep < poolReps; rep++) {
    log(`pool: ${userSweeps[0].name} on 2 workers, a thread started at once${poolReps > 1 ? ` (${rep + 1} of ${poolReps})` : ""}`);
    forcedCpus.push(((await runChild({ kind: "sweep", jobs: userSweeps[0].jobs, workers: 2, startMs: 0 })) as SweepOut).cpuMs / 1000);
  }
  const cpuModel = s20.mainCpus1.length === 0 ? null : { extraS: median(forcedCpus) - median(s20.mainCpus1), workS: median(s20.mainCpus1), forcedCpus };
  const poolOut = {
    startMs, loadMs: ps.thread.loadedMs, warmupMs: coldMs - warmMs, threadOverColdMs: threadPassMs - coldMs,
    firstJobMs: { thread: (ps.thread.doneMs[0] ?? 0) - ps.thread.loadedMs, main: ps.mainCold[0] ?? 0 },
    msPerCost: warmMs / ps.cost, crossoverMs: 2 * startMs, cpuModel, sweeps: poolSweeps,
  };

  const big = growth.length > 0 ? growth[growth.length - 1] : null;
  const small = growth.length > 0 ? growth[0] : null;
  const yardstick = {
    model: `M/M/${y.c}, rho ${y.rho}: Poisson arrivals, exponential service, one shared FIFO queue; scxlab: an open-loop task per customer, simple -o fifo=true, ${y.c} ideal CPUs, metrics on`,
    customers: y.customers, reps: y.reps, erlangC: yo.erlangC,
    scxlab: { ...scx, eventsPerCustomer: median(yo.scxlab.map((r) => r.eventsPerCustomer)) }, bare,
    ratio: scx.customersPerS / bare.customersPerS, ratioCpu: scx.customersPerCpuS / bare.customersPerCpuS, maxRssMB: yo.maxRssMB,
  };
  const growthOut = {
    model: `N closed-loop tasks: sleep Exp(S), compute Exp(100 µs), forever; S keeps the machine 70 % busy; simple scheduler; fastest of ${g.reps} per size`,
    cpus: g.cpus, rows: growth,
    slowdown: small && big ? small.eventsPerS / big.eventsPerS : 0,
    slowdownCpu: small && big ? small.eventsPerCpuS / big.eventsPerCpuS : 0,
  };
  const s1 = scalingRuns.find((r) => r.workers === 1), s2 = scalingRuns.find((r) => r.workers === 2);
  const fmt = (x: number, d = 2) => x.toFixed(d);
  const targets: Target[] = [
    {
      id: "yardstick", what: `M/M/${y.c} customers per wall second, scxlab's full path vs the bare loop`, target: "≥ 2 M/s and ≥ 0.3× the bare loop",
      measured: `${fmt(scx.customersPerS / 1e6)} M/s, ${fmt(yardstick.ratio)}× (CPU time: ${fmt(scx.customersPerCpuS / 1e6)} M/s, ${fmt(yardstick.ratioCpu)}×)`,
      met: scx.customersPerS >= 2e6 && yardstick.ratio >= 0.3,
    },
    {
      id: "speedup", what: `speed-up from 1 to 2 workers, ${jobs.length}-job sweep`, target: "≥ 1.8×",
      measured: s1 && s2 ? `${fmt(s1.wallS / s2.wallS)}× (efficiency ${fmt(s1.wallS / s2.wallS / 2)})` : "not measured (needs --workers with 1 and 2)",
      met: s1 && s2 ? s1.wallS / s2.wallS >= 1.8 : null,
    },
    {
      id: "growth", what: `events/s with ${small?.tasks ?? "?"} tasks ÷ with ${big?.tasks ?? "?"} tasks`, target: "≤ 1.5×",
      measured: `${fmt(growthOut.slowdown)}× (CPU time: ${fmt(growthOut.slowdownCpu)}×)`,
      met: small && big && small.tasks <= 100 && big.tasks >= 100_000 ? growthOut.slowdown <= 1.5 : null,
    },
    {
      id: "million", what: `peak RSS of a run with ${suite.millionTasks || 1_000_000} live tasks`, target: `≤ ${MILLION_TASKS_MB} MB`,
      measured: million ? `${Math.round(million.maxRssMB)} MB (${million.heapPerTaskB !== null ? Math.round(million.heapPerTaskB) : "?"} B of heap per task)` : "not measured (this suite skips it)",
      met: million && million.tasks >= 1_000_000 ? million.maxRssMB <= MILLION_TASKS_MB : null,
    },
    {
      id: "names", what: `peak RSS of a run of ${suite.manyNames || 1_000_000} distinct task names, to its RunResult`, target: `< ${MANY_NAMES_MB / 1024} GB`,
      measured: names ? `${fmt(names.maxRssMB / 1024)} GB (${names.groups} groups, ${names.lost} lost)` : "not measured (full suite only)",
      met: names && names.names >= 1_000_000 ? names.maxRssMB < MANY_NAMES_MB && names.lost === 0 : null,
    },
    ...coldTargets(coldRun, startup, bare.customersPerS, y.c),
    bpflandObjectTarget(bpflandObject),
  ];
  const range = (xs: readonly number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}×`;
  const [big20, npmStart] = poolSweeps;
  // Wall pairs are at the mercy of other load; CPU time says whether the runs themselves changed.
  const cpuNote = (sw: { cpus1: number[]; cpus2: number[]; mainCpus1: number[]; mainCpus2: number[] }) => `CPU-s 1 → 2 workers ${fmt(median(sw.cpus1))} → ${fmt(median(sw.cpus2))}`
    + (sw.mainCpus1.length > 0 ? ` (calling thread ${fmt(median(sw.mainCpus1))} → ${fmt(median(sw.mainCpus2))})` : "");
  targets.push(
    {
      id: "pool-sweep", what: `users' sweep, ${big20.name}: speed-up from 1 to 2 workers (fresh process each, ${poolReps} pairs)`, target: "≥ 1.7×",
      measured: `${fmt(median(big20.ratios))}× median (${range(big20.ratios)}); 1 worker ${fmt(median(big20.walls1))} s, 2 workers ${fmt(median(big20.walls2))} s; ${cpuNote(big20)}`,
      met: median(big20.ratios) >= 1.7,
    },
    npmStartTarget(npmStart, `${fmt(median(npmStart.ratios))}× median (${range(npmStart.ratios)}); ${cpuNote(npmStart)}`),
  );
  // The tiny suite only exercises the code: its figures judge nothing.
  const judged = o.suite === "tiny" ? targets.map((t) => ({ ...t, met: null })) : targets;
  return {
    schema: BENCH_SCHEMA, suite: o.suite, createdAt: new Date().toISOString(),
    machine: {
      node: process.version, v8: process.versions.v8, platform: process.platform, arch: process.arch,
      cpuModel: osCpus()[0]?.model ?? "unknown", cpus: availableParallelism(), memGB: +(totalmem() / 2 ** 30).toFixed(1),
      loadAvgStart, loadAvgEnd: loadavg().map((x) => +x.toFixed(2)), cpuPressureStart, cpuPressureEnd: cpuPressure(),
    },
    yardstick,
    single,
    scaling: {
      jobs: jobs.length,
      description: `${suite.sweep.schedulers.join(", ")} × ${suite.sweep.workloads.join(", ")} × ${suite.sweep.seeds} seeds on ${suite.sweep.cpus} CPUs, ${suite.sweep.durationS} simulated s each; fastest of ${suite.sweep.reps} per worker count`,
      identical, runs: scalingRuns,
    },
    growth: growthOut,
    memory: { peakRssMB: peakRss, perTaskB: big?.heapPerTaskB ?? null, million, names },
    pool: poolOut,
    cold: { startup, run: coldRun },
    bpfSimple,
    bpflandObject,
    targets: judged,
  };
}

/** The targets of the cold measurements, each beside its yardstick (the C loop, `node -e 0`). */
function coldTargets(run: ColdRunOut, st: StartupOut, bareJsPerS: number, c: number): Target[] {
  const cRatio = run.cCustomersPerS === null ? null : run.customersPerS / run.cCustomersPerS;
  const slowest = Math.max(st.listMs, st.helpMs);
  return [
    {
      id: "cold-run", what: `M/M/${c} through \`scxlab run\` in a fresh process, customers per second of the run's wall time`, target: "≥ 2 M/s and ≥ 0.2× the C loop",
      measured: `${(run.customersPerS / 1e6).toFixed(2)} M/s, ${(run.customersPerS / bareJsPerS).toFixed(2)}× the bare JS loop, `
        + (cRatio === null ? "C loop not available" : `${cRatio.toFixed(2)}× the C loop (${(run.cCustomersPerS! / 1e6).toFixed(1)} M/s)`),
      met: run.customersPerS >= 2e6 && (cRatio === null || cRatio >= 0.2),
    },
    {
      id: "startup", what: "`scxlab list` and `scxlab --help`, fresh process, median wall time", target: "≤ 150 ms",
      measured: `list ${Math.round(st.listMs)} ms, --help ${Math.round(st.helpMs)} ms (node -e 0: ${Math.round(st.nodeMs)} ms, ${(slowest / st.nodeMs).toFixed(2)}×)`,
      met: slowest <= 150,
    },
  ];
}
