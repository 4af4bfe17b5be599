/** `scxlab run`: one scheduler on one workload; a readable summary, JSON, or a Perfetto trace. */
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { resolve } from "node:path";
import { CliError } from "../errors.js";
import { parseKeyValues } from "../args.js";
import { asList, resolveRunFlags, single, withRunFlags, type RunFlags } from "../jobflags.js";
import { prepareJobScheduler, runJob, type Job } from "../job.js";
import type { RunResult } from "../../sim/result.js";
import { loadWorkload } from "../../workloads/load.js";
import { checkWithinRun, runLength } from "../run_length.js";
import { checkScheduler, FAIR } from "../../schedulers/index.js";
import { cleanText, formatRun } from "../format_run.js";
import { benchReport } from "../../results/layouts/index.js";
import { filledParams } from "../../workloads/index.js";
import { checkOutputFile, writeJsonOut } from "../output.js";
import { writeChromeTraceFile } from "../../results/index.js";
import { checkSchedulerName, checkWorkloadName } from "../names.js";
import { printWarnings } from "../workload_warnings.js";
import { raiseInliningBudget } from "../v8_flags.js";

interface RunArgs extends RunFlags {
  s?: string;
  o?: string | string[];
  json?: string;
  trace?: string;
}

export const DEFAULT_RUN_DURATION = 5;

export function runCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["run"].usage,
    COMMAND_TABLE["run"].describe,
    (c) => withRunFlags(c, { duration: DEFAULT_RUN_DURATION })
      .option("s", { alias: "scheduler", type: "string", describe: "scheduler name, or fair for the default class alone [default: fair]" })
      .option("o", { alias: "option", type: "string", describe: "scheduler option key=value (repeatable)" })
      .option("json", { type: "string", requiresArg: true, describe: "write the RunResult as JSON to a file, or - for stdout" })
      .option("trace", { type: "string", describe: "write a Chrome/Perfetto JSON trace to this file" })
      .example("$0 run -s simple -w mixed --cpus 4 --duration 5 --seed 1 --json -", "")
      .example("$0 run -s simple -o fifo=true -w hogs -p n=8", ""),
    async (argv) => { await run(argv as unknown as RunArgs); },
  );
}

/** Builds the job of `scxlab run` from its flags (validated, nothing run yet). */
export function runJobFromFlags(a: RunArgs): Job {
  const f = resolveRunFlags(a, { duration: DEFAULT_RUN_DURATION });
  const scheduler = single("-s", a.s) ?? FAIR;
  const options = parseKeyValues("-o", asList(a.o));
  checkSchedulerName(scheduler);
  checkScheduler(scheduler, options);
  const workload = single("-w", a.w) ?? "mixed";
  if (workload.trim() === "") throw new CliError("-w: expected a workload name or file");
  checkWorkloadName(workload);
  const len = runLength(f.durationGiven ? f.durationNs : null, f.durationNs, loadWorkload(workload, f.params));
  checkWithinRun(len, f.warmupNs, f.crashAtNs);
  return {
    scheduler, options, workload, params: f.params, topology: f.topology, cpus: f.cpus, seed: f.seed,
    durationNs: len.durationNs, durationFrom: len.durationFrom, warmupNs: f.warmupNs, overheads: f.overheads, ...(f.hz !== undefined ? { hz: f.hz } : {}), crashAtNs: f.crashAtNs,
    ...(f.maxTasks !== undefined ? { maxTasks: f.maxTasks } : {}),
    ...(f.costs !== undefined ? { costs: f.costs } : {}),
    extras: { timeline: a.trace !== undefined, antagonists: f.antagonists },
  };
}

async function run(a: RunArgs): Promise<void> {
  const job = runJobFromFlags(a);
  const json = single("--json", a.json);
  const trace = single("--trace", a.trace);
  if (json === "") throw new CliError("--json: expected a file name or -");
  if (trace === "" || trace === "-") throw new CliError("--trace: expected a file name");
  if (json !== undefined) checkOutputFile("--json", json);
  if (trace !== undefined) checkOutputFile("--trace", trace);
  if (json !== undefined && json !== "-" && trace !== undefined && resolve(json) === resolve(trace)) throw new CliError(`--json and --trace: expected two different files, got ${JSON.stringify(json)} twice`);
  await prepareJobScheduler(job);
  const result = await runBounded(job);
  if (result === null) return;
  printWarnings(result.warnings);
  // Streamed: a busy run's trace is too big for one array or one string.
  if (trace !== undefined) await writeChromeTraceFile(trace, result);
  const out = { ...result };
  delete out.timeline;
  if (json !== undefined) await writeJsonOut(json, out);
  if (json !== "-" && !a.quiet) process.stdout.write(`${cleanText(formatRun(out))}\n`);
  const bench = json !== "-" && !a.quiet ? benchReport(out, filledParams(out.job.workload, out.job.params)) : null;
  if (bench !== null) process.stdout.write(`\n${bench}\n`);
  if (trace !== undefined && !a.quiet && json !== "-") process.stdout.write(`trace written to ${trace} (open it in ui.perfetto.dev or chrome://tracing)\n`);
}

/**
 * Runs the job here, or, when its scheduler is a user's module file (code that may never return
 * from a callback), on a watched pool thread: a runaway callback then ejects the scheduler
 * ("callback did not return in N s") and the run goes on under fair. Null when the run could
 * not finish (reported on stderr, exit code 1).
 */
async function runBounded(job: Job): Promise<RunResult | null> {
  const { canRunAway, inliningPays } = await import("../pool_plan.js");
  if (!canRunAway(job)) {
    // This run skips runJobs, so it makes runJobs' choice of V8's inlining budget itself.
    if (inliningPays([job])) raiseInliningBudget();
    return runJob(job);
  }
  const { runJobs } = await import("../pool.js");
  const [o] = await runJobs([job], { workers: 1 });
  if (o.ok) return o.result;
  if (o.userError) throw new CliError(o.error);
  process.stderr.write(`scxlab: run stopped: ${cleanText(o.error)}\n`);
  process.exitCode = 1;
  return null;
}
