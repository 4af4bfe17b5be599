/**
 * `scxlab compare`: schedulers × workloads × seeds through the worker pool, then results.json,
 * results.csv and report.html in --out, and a summary table on the terminal. Files are written
 * only after every run finished (each atomically), so Ctrl-C leaves nothing half-done. Every
 * run records its timeline, kept in the report's form (results/report/timelines.ts) so that the
 * report can show any run; results.json holds run summaries (no wall time, no per-task records:
 * those go to tasks.json with --per-task), so it is byte-identical whatever the number of workers.
 */
import { join } from "node:path";
import { setMaxListeners } from "node:events";
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { parseSchedulerSpec, positiveInt, splitList, type SchedulerArg } from "../args.js";
import { didYouMean } from "../suggest.js";
import { checkSchedulerName, checkWorkloadName } from "../names.js";
import { asList, resolveRunFlags, single, withRunFlags, type RunFlags } from "../jobflags.js";
import type { Job } from "../job.js";
import { loadTopology } from "../topology_file.js";
import { checkPlanCpus } from "../../workloads/cpus.js";
import { defaultWorkers, runJobs } from "../pool.js";
import { Progress } from "../progress.js";
import { checkWithinRun, runLength } from "../run_length.js";
import { printWarnings } from "../workload_warnings.js";
import { parseShard, shardJobs, type FailedJob, type ShardSpec } from "../shard.js";
import { failedJob, reportNotes, warnFailures, writeSweepFiles } from "../sweep.js";
import { checkScheduler, FAIR, SCHEDULERS } from "../../schedulers/index.js";
import { prepareSchedulers, sweepJobs } from "../job.js";
import { loadWorkload } from "../../workloads/load.js";
import {
  aggregate, formatSummaryTable, reportSliceCap, reportTimeline, schedulerLabel, writeReport, writeResultsCsv, writeResultsJson, writeTasksJson,
} from "../../results/index.js";
import type { RunResult } from "../../sim/result.js";
import { checkOutputDir } from "../output.js";
import { writeOutputSet } from "../output_set.js";
import { cleanText } from "../format_run.js";

interface CompareArgs extends RunFlags {
  s?: string | string[];
  seeds?: string;
  workers?: string;
  out?: string;
  shard?: string;
  "job-timeout"?: string;
  baseline?: string;
  "per-task"?: boolean;
}

/** The default line-up, in report order: those that exist in the registry. */
const PREFERRED = ["fair", "simple", "cfs-like", "bpfland", "lavd", "rusty", "p2dq", "rr"];
export const DEFAULT_COMPARE_DURATION = 5;

export function defaultSchedulers(): string[] {
  const known = new Set([FAIR, ...SCHEDULERS.map((s) => s.name)]);
  return PREFERRED.filter((s) => known.has(s));
}

export function compareCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["compare"].usage,
    COMMAND_TABLE["compare"].describe,
    (c) => withRunFlags(c, { duration: DEFAULT_COMPARE_DURATION })
      .option("s", { alias: "schedulers", type: "string", describe: `comma list; options inline as rr:slice_us=100:... [default: ${defaultSchedulers().join(",")}]` })
      .option("seeds", { type: "string", describe: "seeds per (scheduler, workload) [default: 3]" })
      .option("workers", { type: "string", describe: `worker threads [default: ${defaultWorkers()}]` })
      .option("out", { type: "string", describe: "output directory [default: out]" })
      .option("shard", { type: "string", describe: "run only shard i of n of the jobs (i/n, 1-based); merge the shards with `scxlab merge`" })
      .option("job-timeout", { type: "string", describe: "stop a run still going after this many wall seconds (its worker is terminated) and go on" })
      .option("per-task", { type: "boolean", describe: "also write tasks.json: every run's per-task records (large for open-loop workloads)" })
      .option("baseline", { type: "string", describe: "scheduler the others are compared with as ratios (a name or name:options from -s) [default: the first]" })
      .example("$0 compare -s simple,qmap,bpfland -w schbench,gaming --seeds 5 --workers 2 --out out/cmp", "")
      .example("$0 compare -w schbench --seeds 32 --shard 3/16 --out out/shard-3", "one shard of 16; see docs/sharding.md"),
    async (argv) => { await compare(argv as unknown as CompareArgs); },
  );
}

/** Expands the flags into the job list (validated; nothing run yet). */
export interface CompareSweep {
  jobs: Job[];
  out: string;
  workers: number;
  shard: ShardSpec | null;
  jobTimeoutMs: number;
  baseline: string;
  /** Index in `jobs` of the run the report shows first: the first sched_ext scheduler's first seed. */
  chosenJob: number;
}

export function compareJobs(a: CompareArgs): CompareSweep {
  const f = resolveRunFlags(a, { duration: DEFAULT_COMPARE_DURATION });
  const specs = (asList(a.s).length ? asList(a.s).flatMap(splitList) : defaultSchedulers()).map(parseSchedulerSpec);
  if (specs.length === 0) throw new CliError("-s: expected at least one scheduler name");
  for (const s of specs) (checkSchedulerName(s.name), checkScheduler(s.name, s.options));
  const labels = specs.map((s) => [s.name, ...Object.entries(s.options).map(([k, v]) => `${k}=${v}`)].join(":"));
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new CliError(`-s ${twice}: given twice (each scheduler once; vary options to compare settings)`);
  const baseline = resolveBaseline(single("--baseline", a.baseline), specs);
  const workloads = asList(a.w).length ? asList(a.w).flatMap(splitList) : ["mixed"];
  if (workloads.length === 0) throw new CliError("-w: expected at least one workload");
  const dupW = workloads.find((w, i) => workloads.indexOf(w) !== i);
  if (dupW !== undefined) throw new CliError(`-w ${dupW}: given twice`);
  for (const w of workloads) checkWorkloadName(w);
  const lengths = new Map(workloads.map((w) => {
    const plan = loadWorkload(w, f.params);
    checkPlanCpus(plan, w, loadTopology(f.topology, f.cpus).nrCpus);
    printWarnings(plan.warnings);
    return [w, runLength(f.durationGiven ? f.durationNs : null, f.durationNs, plan)];
  }));
  for (const len of lengths.values()) checkWithinRun(len, f.warmupNs, f.crashAtNs);
  const seeds = a.seeds === undefined ? 3 : positiveInt("--seeds", single("--seeds", a.seeds), 1000);
  const workers = a.workers === undefined ? defaultWorkers() : positiveInt("--workers", single("--workers", a.workers), 256);
  const out = single("--out", a.out) ?? "out";
  if (out.trim() === "") throw new CliError("--out: expected a directory");
  checkOutputDir("--out", out);
  const shardFlag = single("--shard", a.shard);
  const shard = shardFlag === undefined ? null : parseShard("--shard", String(shardFlag));
  const timeoutFlag = single("--job-timeout", a["job-timeout"]);
  const timeoutS = timeoutFlag === undefined ? 0 : Number(timeoutFlag);
  if (timeoutFlag !== undefined && !(String(timeoutFlag).trim() !== "" && Number.isFinite(timeoutS) && timeoutS >= 0.001 && timeoutS <= 1e6)) {
    throw new CliError(`--job-timeout: expected wall seconds from 0.001 to 1e6, got ${JSON.stringify(timeoutFlag)}`);
  }
  const jobs = sweepJobs(specs.map((x) => ({ scheduler: x.name, options: x.options })), workloads, seeds, f.seed, {
    params: f.params, topology: f.topology, cpus: f.cpus, warmupNs: f.warmupNs, overheads: f.overheads, ...(f.hz !== undefined ? { hz: f.hz } : {}), crashAtNs: f.crashAtNs,
    ...(f.maxTasks !== undefined ? { maxTasks: f.maxTasks } : {}),
    ...(f.costs !== undefined ? { costs: f.costs } : {}),
    extras: { antagonists: f.antagonists, timeline: true },
  }, (w) => lengths.get(w)!);
  const chosen = jobs.findIndex((j) => j.scheduler !== FAIR);
  return { jobs, out, workers, shard, jobTimeoutMs: Math.round(timeoutS * 1000), baseline, chosenJob: chosen >= 0 ? chosen : 0 };
}

/**
 * The baseline's label: the first scheduler by default, else the one named, either exactly as
 * written in -s (with its options) or by bare name when only one configuration has that name.
 */
export function resolveBaseline(flag: string | undefined, specs: readonly SchedulerArg[]): string {
  const label = (s: SchedulerArg) => schedulerLabel({ scheduler: s.name, options: s.options });
  const labels = specs.map(label);
  if (flag === undefined) return labels[0]!;
  const wanted = parseSchedulerSpec(String(flag).trim());
  const exact = label(wanted);
  if (labels.includes(exact)) return exact;
  const byName = specs.filter((s) => s.name === wanted.name);
  if (Object.keys(wanted.options).length === 0 && byName.length === 1) return label(byName[0]!);
  const why = byName.length > 1 ? ` (${wanted.name} runs in several configurations: name one with its options)` : didYouMean(exact, labels);
  throw new CliError(`--baseline ${flag}: expected one of the compared schedulers (${labels.join(", ")})${why}`);
}

async function compare(a: CompareArgs): Promise<void> {
  const { jobs, out, workers, shard, jobTimeoutMs, baseline, chosenJob } = compareJobs(a);
  await prepareSchedulers(jobs);
  // The jobs this invocation runs: all of them, or its shard's share (indices into `jobs`).
  const sel = shard === null ? jobs.map((_, i) => i) : shardJobs(jobs, shard);
  const progress = new Progress("compare", a.quiet ?? false);
  const ac = new AbortController();
  // One abort listener per queued job is expected, not a leak.
  setMaxListeners(0, ac.signal);
  const onSig = () => ac.abort();
  process.once("SIGINT", onSig);
  try {
    await runAndWrite(a, { jobs, out, workers, shard, jobTimeoutMs, sel, progress, signal: ac.signal, baseline, chosenJob });
  } finally {
    process.removeListener("SIGINT", onSig);
  }
}

interface SweepRun {
  readonly jobs: Job[];
  readonly out: string;
  readonly workers: number;
  readonly shard: ShardSpec | null;
  readonly jobTimeoutMs: number;
  readonly sel: number[];
  readonly progress: Progress;
  readonly signal: AbortSignal;
  readonly baseline: string;
  readonly chosenJob: number;
}

function interruptedNothingWritten(): void {
  process.stderr.write("scxlab: interrupted; nothing written\n");
  process.exitCode = 130;
}

/** Runs the sweep and writes its output set; Ctrl-C until the set is moved into place writes nothing. */
async function runAndWrite(a: CompareArgs, s: SweepRun): Promise<void> {
  const { jobs, out, workers, shard, jobTimeoutMs, sel, progress, baseline } = s;
  let outcomes;
  try {
    outcomes = await runJobs(sel.map((i) => jobs[i]), { workers, signal: s.signal, jobTimeoutMs, onProgress: (d, t) => progress.update(d, t) });
  } catch (e) {
    progress.done();
    if (s.signal.aborted) return interruptedNothingWritten();
    throw e;
  }
  progress.done();
  const results: RunResult[] = [];
  const ran: number[] = [];
  const failed: FailedJob[] = [];
  for (const [k, o] of outcomes.entries()) {
    const i = sel[k];
    if (!o.ok && o.timedOut === true) { failed.push(failedJob(i, jobs[i], o.error, true)); continue; }
    if (!o.ok) {
      // Input errors were refused before the sweep; a job that fails now (an engine bug, a
      // crashed worker) is listed and left out, and the other jobs' results are written.
      failed.push(failedJob(i, jobs[i], o.error, false));
      continue;
    }
    results.push(o.result);
    ran.push(i);
  }
  // Timelines in the report's form, within a budget set by the whole sweep's size (so that a
  // shard keeps exactly what the unsharded report would).
  const cap = reportSliceCap(jobs.length);
  const timelines = results.map((r) => reportTimeline(r, cap));
  warnFailures(failed);
  const agg = aggregate(results, { baseline });
  const chosenRun = ran.indexOf(s.chosenJob);
  const moved = await writeOutputSet(out, async (dir) => {
    await writeResultsJson(dir, results, agg);
    await writeResultsCsv(dir, results);
    if (a["per-task"] === true) await writeTasksJson(dir, results);
    await writeSweepFiles(dir, { shard, jobs, ran, failed, chosenJob: s.chosenJob, timelines });
    await writeReport(dir, {
      title: `scxlab: ${[...new Set(jobs.map((j) => j.workload))].join(", ")}`, results: results.map(({ timeline: _t, ...r }) => r), timelines, aggregate: agg,
      chosenRun: chosenRun >= 0 ? chosenRun : undefined, ...reportNotes(failed),
    });
  }, () => s.signal.aborted);
  if (!moved) return interruptedNothingWritten();
  const reportPath = join(out, "report.html");
  if (!a.quiet) {
    process.stdout.write(`${cleanText(formatSummaryTable(agg))}\n`);
    const lost = results.reduce((n, r) => n + r.invariants.lost, 0);
    const timedOut = failed.filter((f) => f.timedOut).length;
    const exits = results.filter((r) => r.scx.exit !== null).length;
    process.stdout.write(`${results.length} runs · ${exits} sched_ext exits · ${lost} tasks lost${timedOut ? ` · ${timedOut} timed out` : ""}${failed.length > timedOut ? ` · ${failed.length - timedOut} failed` : ""}${shard ? ` · shard ${a.shard} of ${jobs.length} jobs` : ""}\n`);
  }
  process.stdout.write(`report: ${reportPath}\nresults: ${join(out, "results.json")}, ${join(out, "results.csv")}${a["per-task"] === true ? `, ${join(out, "tasks.json")}` : ""}\n`);
}
