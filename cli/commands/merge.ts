/**
 * `scxlab merge out/shard-*\/results.json --out out/all`: puts the shards of a sweep back
 * together, re-aggregates, and writes results.json, results.csv and report.html as an unsharded
 * `compare` would have (byte for byte: same runs, same order, same report).
 *
 * With shard manifests (shard.json beside each results.json) the merge checks that every shard
 * of the sweep is there exactly once and that all describe the same sweep, and puts the runs in
 * the sweep's order. `--partial` merges whatever shards are given (missing jobs are listed in the
 * report's notes). Plain results.json files (no manifest) are concatenated in argument order;
 * the same run twice is an error.
 */
import { dirname, join, resolve } from "node:path";
import { existsSync, realpathSync } from "node:fs";
import { readInputText } from "../../workloads/input_file.js";
import { checkFailedShape, checkRunShape } from "../../results/io/check_run.js";
import { renderGot } from "../../sim/errors.js";
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { single } from "../jobflags.js";
import { aggregate, formatSummaryTable, RESULTS_SCHEMA, writeReport, writeResultsCsv, writeResultsJson } from "../../results/index.js";
import type { RunResult } from "../../sim/result.js";
import type { ReportTimeline } from "../../results/index.js";
import { canonicalJson, FAILED_SCHEMA, keySpec, parseShard, runMatchesKey, SHARD_SCHEMA, type FailedJob, type ShardManifest } from "../shard.js";
import { reportNotes, TIMELINE_SCHEMA, warnFailures, type TimelineFile } from "../sweep.js";
import { checkOutputDir } from "../output.js";
import { writeOutputSet } from "../output_set.js";
import { cleanText } from "../format_run.js";

interface MergeArgs {
  files?: string[];
  out?: string;
  partial?: boolean;
  quiet?: boolean;
}

export function mergeCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["merge"].usage,
    COMMAND_TABLE["merge"].describe,
    (c) => c
      .positional("files", { type: "string", array: true, describe: "results.json files (or their directories)" })
      .option("out", { type: "string", describe: "output directory [default: out]" })
      .option("partial", { type: "boolean", describe: "merge even when shards are missing" })
      .option("quiet", { alias: "q", type: "boolean", describe: "print less" })
      .example("$0 merge out/shard-*/results.json --out out/all", ""),
    async (argv) => { await merge(argv as unknown as MergeArgs); },
  );
}

/** One input: a results.json with what lies beside it. */
interface Input {
  readonly path: string;
  readonly runs: RunResult[];
  readonly manifest: ShardManifest | null;
  /** The report's timelines of this shard's runs, by job index (from timeline.json). */
  readonly timelines: Map<number, ReportTimeline | null>;
  readonly failed: FailedJob[];
  /** The baseline the sweep was compared against (its aggregate's), if it says. */
  readonly baseline: string | undefined;
}

function readJson(path: string, what: string): unknown {
  const text = readInputText(path, "results", what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(`${path}: expected ${what} JSON (${(e as Error).message})`);
  }
}

function schemaOf(j: unknown): unknown {
  return typeof j === "object" && j !== null ? (j as { schema?: unknown }).schema : undefined;
}

export function readInput(arg: string): Input {
  const path = existsSync(join(arg, "results.json")) ? join(arg, "results.json") : arg;
  const j = readJson(path, "results.json");
  if (schemaOf(j) !== RESULTS_SCHEMA || !Array.isArray((j as { runs?: unknown }).runs)) {
    throw new CliError(`${path}: expected a results.json of schema ${RESULTS_SCHEMA} (from scxlab compare)`);
  }
  const runs = (j as { runs: RunResult[] }).runs;
  runs.forEach((r, k) => checkRunShape(r, path, `runs[${k}]`));
  const dir = dirname(path);
  let manifest: ShardManifest | null = null;
  if (existsSync(join(dir, "shard.json"))) {
    const m = readJson(join(dir, "shard.json"), "shard.json");
    if (schemaOf(m) !== SHARD_SCHEMA) throw new CliError(`${join(dir, "shard.json")}: expected schema ${SHARD_SCHEMA}`);
    manifest = m as ShardManifest;
    if (!Array.isArray(manifest.failed)) throw new CliError({ file: join(dir, "shard.json"), path: "failed", expected: "an array of failed jobs", got: renderGot(manifest.failed) });
    manifest.failed.forEach((f, k) => checkFailedShape(f, join(dir, "shard.json"), `failed[${k}]`));
    if (!Array.isArray(manifest.jobs) || !Array.isArray(manifest.runs) || manifest.runs.length !== runs.length) {
      throw new CliError(`${join(dir, "shard.json")}: does not describe ${path} (expected one entry in "runs" per run)`);
    }
  }
  const timelines: Input["timelines"] = new Map();
  if (manifest !== null && existsSync(join(dir, "timeline.json"))) {
    const t = readJson(join(dir, "timeline.json"), "timeline.json");
    if (schemaOf(t) !== TIMELINE_SCHEMA || !Array.isArray((t as TimelineFile).timelines)) {
      throw new CliError(`${join(dir, "timeline.json")}: expected schema ${TIMELINE_SCHEMA}`);
    }
    for (const e of (t as TimelineFile).timelines) timelines.set(e.job, e.timeline);
  }
  let failed: FailedJob[] = manifest !== null ? [...manifest.failed] : [];
  if (manifest === null && existsSync(join(dir, "failed.json"))) {
    const f = readJson(join(dir, "failed.json"), "failed.json");
    if (schemaOf(f) !== FAILED_SCHEMA) throw new CliError(`${join(dir, "failed.json")}: expected schema ${FAILED_SCHEMA}`);
    failed = (f as { failed: FailedJob[] }).failed;
    if (!Array.isArray(failed)) throw new CliError({ file: join(dir, "failed.json"), path: "failed", expected: "an array of failed jobs", got: renderGot(failed) });
    failed.forEach((x, k) => checkFailedShape(x, join(dir, "failed.json"), `failed[${k}]`));
  }
  const base = (j as { aggregate?: { baseline?: unknown } }).aggregate?.baseline;
  return { path, runs, manifest, timelines, failed, baseline: typeof base === "string" ? base : undefined };
}

export interface Merged {
  readonly runs: RunResult[];
  /** Index into runs of the run the report shows first, or -1. */
  readonly chosen: number;
  /** For each run, its timeline in the report's form (null where the shards have none). */
  readonly timelines: (ReportTimeline | null)[];
  readonly failed: FailedJob[];
  /** Workloads in sweep order, for the report's title. */
  readonly workloads: string[];
  /** Jobs of the sweep that no given shard accounts for (only with partial). */
  readonly missing: number;
}

/** Merges inputs (pure; throws CliError on inconsistent or incomplete input). */
export function mergeInputs(inputs: readonly Input[], partial: boolean): Merged {
  const withManifest = inputs.filter((i) => i.manifest !== null).length;
  if (withManifest > 0 && withManifest < inputs.length) {
    const plain = inputs.find((i) => i.manifest === null)!;
    throw new CliError(`${plain.path}: has no shard.json beside it, unlike the other inputs (merge shards of one sweep, or plain results only)`);
  }
  if (withManifest === 0) return mergePlain(inputs);

  const first = inputs[0];
  const m0 = first.manifest!;
  const count = parseShard(`${first.path}: shard`, String(m0.shard)).count;
  const jobsText = JSON.stringify(m0.jobs);
  const seen = new Map<number, string>();
  for (const inp of inputs) {
    const m = inp.manifest!;
    const s = parseShard(`${inp.path}: shard`, String(m.shard));
    if (s.count !== count || JSON.stringify(m.jobs) !== jobsText) {
      throw new CliError(`${inp.path}: shard ${m.shard} is of another sweep than ${first.path} (shard ${m0.shard}): the job lists differ`);
    }
    const dup = seen.get(s.index);
    if (dup !== undefined) throw new CliError(`${inp.path}: shard ${m.shard} given twice (also ${dup})`);
    seen.set(s.index, inp.path);
  }
  const missingShards: string[] = [];
  for (let i = 1; i <= count; i++) if (!seen.has(i)) missingShards.push(`${i}/${count}`);
  if (missingShards.length > 0 && !partial) {
    const list = missingShards.length > 8 ? `${missingShards.slice(0, 8).join(", ")} and ${missingShards.length - 8} more` : missingShards.join(", ");
    throw new CliError(`missing shard${missingShards.length > 1 ? "s" : ""} ${list} of this sweep (merge needs all ${count}; --partial merges what is there)`);
  }

  const keys = m0.jobs;
  const byJob: (RunResult | undefined)[] = new Array(keys.length);
  const failed: FailedJob[] = [];
  const timelineOf = new Map<number, ReportTimeline | null>();
  for (const inp of inputs) {
    const m = inp.manifest!;
    m.runs.forEach((jobIdx, k) => {
      const r = inp.runs[k];
      if (!Number.isInteger(jobIdx) || jobIdx < 0 || jobIdx >= keys.length || !runMatchesKey(r, keys[jobIdx])) {
        throw new CliError(`${inp.path}: run ${k} is not job ${jobIdx} of the sweep (results.json and shard.json disagree)`);
      }
      if (byJob[jobIdx] !== undefined) throw new CliError(`${inp.path}: job ${jobIdx} ran in two shards`);
      byJob[jobIdx] = r;
    });
    failed.push(...m.failed);
    for (const [job, t] of inp.timelines) timelineOf.set(job, t);
  }
  failed.sort((a, b) => a.job - b.job);
  const runs: RunResult[] = [];
  const timelines: (ReportTimeline | null)[] = [];
  let chosen = -1, missing = 0;
  const failedIdx = new Set(failed.map((f) => f.job));
  for (let i = 0; i < byJob.length; i++) { // (not forEach: it skips the holes of missing jobs)
    const r = byJob[i];
    if (r === undefined) { if (!failedIdx.has(i)) missing++; continue; }
    if (m0.timeline === i) chosen = runs.length;
    runs.push(r);
    timelines.push(timelineOf.get(i) ?? null);
  }
  const workloads = [...new Set(keys.map((k) => (JSON.parse(keySpec(k)) as { workload: string }).workload))];
  return { runs, chosen, failed, workloads, missing, timelines };
}

function mergePlain(inputs: readonly Input[]): Merged {
  const seen = new Map<string, string>();
  const runs: RunResult[] = [];
  const failed: FailedJob[] = [];
  for (const inp of inputs) {
    for (const r of inp.runs) {
      const k = canonicalJson(r.job);
      const dup = seen.get(k);
      if (dup !== undefined) throw new CliError(`${inp.path}: the run of ${r.job.scheduler} on ${r.job.workload} (seed ${r.job.seed}) is also in ${dup}`);
      seen.set(k, inp.path);
      runs.push(r);
    }
    failed.push(...inp.failed);
  }
  return { runs, chosen: -1, failed, workloads: [...new Set(runs.map((r) => r.job.workload))], missing: 0, timelines: runs.map(() => null) };
}

/** Runs of one (scheduler, workload) pooled into one interval must have run on one machine. */
export function checkOneMachine(runs: readonly RunResult[]): void {
  const machineOf = new Map<string, string>();
  for (const r of runs) {
    const key = `${r.job.scheduler}\u0000${r.job.workload}`;
    const machine = `${r.job.topology} (${r.job.cpus} CPUs)`;
    const seen = machineOf.get(key);
    if (seen === undefined) machineOf.set(key, machine);
    else if (seen !== machine) {
      throw new CliError(`runs of ${r.job.scheduler} on ${r.job.workload}: expected one machine per pooled interval, got ${seen} and ${machine} (merge sweeps of one topology)`);
    }
  }
}

/** The output set replaces what is in --out: the folder of an input would lose that shard. */
function checkOutApart(out: string, inputs: readonly Input[]): void {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const target = real(out);
  const clash = inputs.find((i) => real(dirname(i.path)) === target);
  if (clash !== undefined) throw new CliError(`--out ${out}: expected a folder apart from the inputs, got the folder of ${clash.path} (writing there would replace the shard being merged)`);
}

async function merge(a: MergeArgs): Promise<void> {
  const files = a.files ?? [];
  if (files.length === 0) throw new CliError("merge: expected results.json files of the shards");
  const out = single("--out", a.out) ?? "out";
  if (out.trim() === "") throw new CliError("--out: expected a directory");
  checkOutputDir("--out", out);
  const inputs = files.map(readInput);
  checkOutApart(out, inputs);
  const merged = mergeInputs(inputs, a.partial === true);
  checkOneMachine(merged.runs);
  const { runs, chosen, failed, timelines } = merged;
  warnFailures(failed);
  // The shards' own baseline (compare --baseline), so the merge reads as the unsharded sweep.
  const agg = aggregate(runs, { baseline: inputs.find((i) => i.baseline !== undefined)?.baseline });
  const notes = reportNotes(failed).notes;
  if (merged.missing > 0) notes.push(`Partial merge: ${merged.missing} job${merged.missing > 1 ? "s" : ""} of the sweep are in shards that were not given.`);
  await writeOutputSet(out, async (dir) => {
    await writeResultsJson(dir, runs, agg);
    await writeResultsCsv(dir, runs);
    await writeReport(dir, {
      title: `scxlab: ${merged.workloads.join(", ")}`, results: runs, timelines, aggregate: agg,
      chosenRun: chosen >= 0 ? chosen : undefined, notes,
    });
  });
  const reportPath = join(out, "report.html");
  if (merged.missing > 0) process.stderr.write(`scxlab: warning: partial merge, ${merged.missing} jobs missing\n`);
  if (!a.quiet) {
    process.stdout.write(`${cleanText(formatSummaryTable(agg))}\n`);
    process.stdout.write(`${runs.length} runs merged from ${files.length} file${files.length > 1 ? "s" : ""}${failed.length ? ` · ${failed.length} timed out` : ""}\n`);
  }
  process.stdout.write(`report: ${reportPath}\nresults: ${join(out, "results.json")}, ${join(out, "results.csv")}\n`);
}
