/**
 * `scxlab compare`: schedulers × workloads × seeds through the worker pool, then results.json,
 * results.csv and report.html in --out, and a summary table on the terminal. Files are written
 * only after every run finished (each atomically), so Ctrl-C leaves nothing half-done; written
 * results carry wallMs 0 so that they are byte-identical whatever the number of workers.
 */
import { join } from "node:path";
import { setMaxListeners } from "node:events";
import type { Argv } from "yargs";
import { CliError } from "../errors.js";
import { parseSchedulerSpec, positiveInt, splitList } from "../args.js";
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
import { prepareSchedulers } from "../job.js";
import { loadWorkload } from "../../workloads/load.js";
import { aggregate, formatSummaryTable, writeReport, writeResultsCsv, writeResultsJson } from "../../results/index.js";
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
    "compare",
    "compare schedulers on workloads over several seeds and write an HTML report",
    (c) => withRunFlags(c, { duration: DEFAULT_COMPARE_DURATION })
      .option("s", { alias: "schedulers", type: "string", describe: `comma list; options inline as rr:slice_us=100:... [default: ${defaultSchedulers().join(",")}]` })
      .option("seeds", { type: "string", describe: "seeds per (scheduler, workload) [default: 3]" })
      .option("workers", { type: "string", describe: `worker threads [default: ${defaultWorkers()}]` })
      .option("out", { type: "string", describe: "output directory [default: out]" })
      .option("shard", { type: "string", describe: "run only shard i of n of the jobs (i/n, 1-based); merge the shards with `scxlab merge`" })
      .option("job-timeout", { type: "string", describe: "stop a run still going after this many wall seconds (its worker is terminated) and go on" })
      .example("$0 compare -s simple,qmap,bpfland -w schbench,gaming --seeds 5 --workers 2 --out out/cmp", "")
      .example("$0 compare -w schbench --seeds 32 --shard 3/16 --out out/shard-3", "one shard of 16; see docs/sharding.md"),
    async (argv) => { await compare(argv as unknown as CompareArgs); },
  );
}

/** Expands the flags into the job list (validated; nothing run yet). */
export function compareJobs(a: CompareArgs): { jobs: Job[]; out: string; workers: number; shard: ShardSpec | null; jobTimeoutMs: number } {
  const f = resolveRunFlags(a, { duration: DEFAULT_COMPARE_DURATION });
  const specs = (asList(a.s).length ? asList(a.s).flatMap(splitList) : defaultSchedulers()).map(parseSchedulerSpec);
  if (specs.length === 0) throw new CliError("-s: expected at least one scheduler name");
  for (const s of specs) checkScheduler(s.name, s.options);
  const labels = specs.map((s) => [s.name, ...Object.entries(s.options).map(([k, v]) => `${k}=${v}`)].join(":"));
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice !== undefined) throw new CliError(`-s ${twice}: given twice (each scheduler once; vary options to compare settings)`);
  const workloads = asList(a.w).length ? asList(a.w).flatMap(splitList) : ["mixed"];
  if (workloads.length === 0) throw new CliError("-w: expected at least one workload");
  const dupW = workloads.find((w, i) => workloads.indexOf(w) !== i);
  if (dupW !== undefined) throw new CliError(`-w ${dupW}: given twice`);
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
  const jobs: Job[] = [];
  for (const w of workloads) {
    for (const s of specs) {
      for (let k = 0; k < seeds; k++) {
        jobs.push({
          scheduler: s.name, options: s.options, workload: w, params: f.params, topology: f.topology, cpus: f.cpus,
          seed: f.seed + k, ...lengths.get(w)!, warmupNs: f.warmupNs, overheads: f.overheads, crashAtNs: f.crashAtNs,
          extras: { antagonists: f.antagonists, timeline: false },
        });
      }
    }
  }
  // One run keeps its per-CPU timeline for the report: the first sched_ext scheduler's first seed.
  const chosen = jobs.findIndex((j) => j.scheduler !== FAIR);
  const idx = chosen >= 0 ? chosen : 0;
  jobs[idx] = { ...jobs[idx], extras: { ...jobs[idx].extras, timeline: true } };
  return { jobs, out, workers, shard, jobTimeoutMs: Math.round(timeoutS * 1000) };
}

async function compare(a: CompareArgs): Promise<void> {
  const { jobs, out, workers, shard, jobTimeoutMs } = compareJobs(a);
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
    await runAndWrite(a, { jobs, out, workers, shard, jobTimeoutMs, sel, progress, signal: ac.signal });
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
}

function interruptedNothingWritten(): void {
  process.stderr.write("scxlab: interrupted; nothing written\n");
  process.exitCode = 130;
}

/** Runs the sweep and writes its output set; Ctrl-C until the set is moved into place writes nothing. */
async function runAndWrite(a: CompareArgs, s: SweepRun): Promise<void> {
  const { jobs, out, workers, shard, jobTimeoutMs, sel, progress } = s;
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
    results.push({ ...o.result, wallMs: 0 });
    ran.push(i);
  }
  warnFailures(failed);
  const agg = aggregate(results);
  const chosenRun = results.findIndex((r) => r.timeline !== undefined);
  const moved = await writeOutputSet(out, async (dir) => {
    await writeResultsJson(dir, results.map(({ timeline: _t, ...r }) => r), agg);
    await writeResultsCsv(dir, results);
    await writeSweepFiles(dir, { shard, jobs, ran, failed, results });
    await writeReport(dir, { title: `scxlab: ${[...new Set(jobs.map((j) => j.workload))].join(", ")}`, results, aggregate: agg, chosenRun: chosenRun >= 0 ? chosenRun : undefined, ...reportNotes(failed) });
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
  process.stdout.write(`report: ${reportPath}\nresults: ${join(out, "results.json")}, ${join(out, "results.csv")}\n`);
}
