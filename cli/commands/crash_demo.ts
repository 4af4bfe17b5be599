/**
 * `scxlab crash-demo`: a loader attaches a scheduler through a BPF_F_LINK struct_ops map, fails to
 * update the link (-EOPNOTSUPP), then a fault ends the scheduler (by default the loader dies of
 * SIGSEGV, which releases the link); every task goes back to fair and the run goes on. Prints the
 * timeline in simulated time and writes report.html and result.json. The parts live in cli/crash/.
 */
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { parseKeyValues, parseSchedulerSpec, positiveInt, secondsToNs } from "../args.js";
import { asList, resolveRunFlags, single, withRunFlags, type RunFlags } from "../jobflags.js";
import { prepareSchedulers, type Job } from "../job.js";
import { loadWorkload } from "../../workloads/load.js";
import { checkWithinRun, runLength } from "../run_length.js";
import { printWarnings } from "../workload_warnings.js";
import { checkScheduler, FAIR, SCHEDULERS } from "../../schedulers/index.js";
import { SCX_WATCHDOG_MAX_TIMEOUT_MS } from "../../sim/ext/consts.js";
import { autoStallTimeoutMs, defaultDemoScheduler, runCrashDemo, type CrashDemoOptions } from "../crash/demo.js";
import { FAULT_INFO, FAULTS, isFault } from "../crash/faults.js";
import { formatDemo } from "../crash/format.js";
import { writeDemoOutputs } from "../crash/output.js";
import { checkOutputDir } from "../output.js";
import { writeOutputSet } from "../output_set.js";
import { join } from "node:path";
import { cleanText } from "../format_run.js";
import { checkSchedulerName, checkWorkloadName } from "../names.js";

interface CrashDemoArgs extends RunFlags {
  s?: string;
  o?: string | string[];
  fault?: string;
  reattach?: string;
  "reattach-at"?: string;
  "timeout-ms"?: string;
  out?: string;
}

export const DEFAULT_DEMO_DURATION = 5;
/** The fault comes at 2 s, or earlier in a shorter run (two fifths in). */
export const DEFAULT_FAULT_AT = 2;

export function crashDemoCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["crash-demo"].usage,
    COMMAND_TABLE["crash-demo"].describe,
    (c) => withRunFlags(c, { duration: DEFAULT_DEMO_DURATION })
      .option("s", { alias: "scheduler", type: "string", describe: `the sched_ext scheduler to load [default: ${defaultDemoScheduler()}]` })
      .option("o", { alias: "option", type: "string", describe: "scheduler option key=value (repeatable)" })
      .option("fault", {
        type: "string",
        describe: `what ends the scheduler at --crash-at: ${FAULTS.map((f) => `${f} (${FAULT_INFO[f].kind})`).join(", ")} [default: crash]`,
      })
      .option("reattach", { type: "string", describe: "after the eviction a new loader attaches this scheduler (default: the same one) through a new link" })
      .option("reattach-at", { type: "string", describe: "when the new loader attaches, in simulated seconds [default: halfway from the fault to the end]" })
      .option("timeout-ms", { type: "string", describe: "the scheduler's watchdog timeout_ms [default: its own; for --fault stall a quarter of the time left, at most 500]" })
      .option("out", { type: "string", describe: "directory for report.html and result.json [default: out/crash]" })
      .example("$0 crash-demo", "the loader is killed by SIGSEGV at 2 s")
      .example("$0 crash-demo -s simple --fault stall --reattach", "the watchdog ejects a stalled scheduler; a new loader attaches it again")
      .example("$0 crash-demo --fault sysrq --reattach rr --crash-at 1 --duration 3 --out out/sysrq", ""),
    async (argv) => { await crashDemo(argv as unknown as CrashDemoArgs); },
  );
}

/** Validates the flags into the demo's options (nothing run yet). */
export function crashDemoFromFlags(a: CrashDemoArgs): { options: CrashDemoOptions; out: string } {
  const faultFlag = single("--fault", a.fault) ?? "crash";
  if (!isFault(faultFlag)) throw new CliError(`--fault ${faultFlag}: expected one of ${FAULTS.join(", ")}`);
  const flags = resolveRunFlags(a, { duration: DEFAULT_DEMO_DURATION });
  // the fault needs a fixed window: a global.duration applies, "until the tasks end" does not
  const len = runLength(flags.durationGiven ? flags.durationNs : null, flags.durationNs, loadWorkload(single("-w", a.w) ?? "mixed", flags.params), false);
  checkWithinRun(len, flags.warmupNs, flags.crashAtNs);
  const f = { ...flags, durationNs: len.durationNs };
  const faultAtNs = f.crashAtNs ?? Math.min(DEFAULT_FAULT_AT * 1e9, Math.round(f.durationNs * 0.4));
  if (faultAtNs >= f.durationNs) {
    throw new CliError(`--crash-at ${single("--crash-at", a["crash-at"])}: expected a time before the end of the run (< --duration ${f.durationNs / 1e9})`);
  }
  if (f.warmupNs > 0 && f.warmupNs >= faultAtNs) throw new CliError(`--warmup: expected it to end before the fault at ${faultAtNs / 1e9} s`);
  const scheduler = single("-s", a.s) ?? defaultDemoScheduler();
  if (scheduler === FAIR) throw new CliError(`-s fair: crash-demo needs a sched_ext scheduler to evict (${SCHEDULERS.map((s) => s.name).join(", ")})`);
  const options = parseKeyValues("-o", asList(a.o));
  checkSchedulerName(scheduler);
  checkScheduler(scheduler, options);
  const workload = single("-w", a.w) ?? "mixed";
  if (workload.trim() === "") throw new CliError("-w: expected a workload name or file");
  checkWorkloadName(workload);
  const timeout = single("--timeout-ms", a["timeout-ms"]);
  const timeoutMs = timeout === undefined ? null : positiveInt("--timeout-ms", timeout, SCX_WATCHDOG_MAX_TIMEOUT_MS);
  if (faultFlag === "stall") {
    // The watchdog fires at most timeout_ms + timeout_ms/2 after the stall begins: leave it that long.
    const t = timeoutMs ?? autoStallTimeoutMs(f.durationNs - faultAtNs);
    if (f.durationNs - faultAtNs < 1.5 * t * 1e6) {
      throw new CliError(`--fault stall: the watchdog (timeout_ms=${t}) needs ${(1.5 * t) / 1000} s after the fault; the run ends ${(f.durationNs - faultAtNs) / 1e9} s after it`);
    }
  }

  const reFlag = single("--reattach", a.reattach);
  const reAt = single("--reattach-at", a["reattach-at"]);
  let reattach: CrashDemoOptions["reattach"] = null;
  if (reFlag !== undefined) {
    const spec = reFlag === "" ? { name: scheduler, options } : parseSchedulerSpec(reFlag);
    if (spec.name === FAIR) throw new CliError("--reattach fair: expected a sched_ext scheduler (fair is what runs after the eviction anyway)");
    checkSchedulerName(spec.name);
    checkScheduler(spec.name, spec.options);
    const atNs = reAt === undefined ? Math.round(faultAtNs + (f.durationNs - faultAtNs) / 2) : secondsToNs("--reattach-at", reAt);
    if (atNs <= faultAtNs || atNs >= f.durationNs) {
      throw new CliError(`--reattach-at ${reAt}: expected a time after the fault (${faultAtNs / 1e9} s) and before the end (${f.durationNs / 1e9} s)`);
    }
    reattach = { scheduler: spec.name, options: spec.options, atNs };
  } else if (reAt !== undefined) {
    throw new CliError("--reattach-at: only with --reattach");
  }
  const out = single("--out", a.out) ?? "out/crash";
  if (out.trim() === "") throw new CliError("--out: expected a directory");
  checkOutputDir("--out", out);
  const job: Job = {
    scheduler, options, workload, params: f.params, topology: f.topology, cpus: f.cpus, seed: f.seed,
    durationNs: f.durationNs, durationFrom: len.durationFrom, warmupNs: f.warmupNs, overheads: f.overheads, ...(f.hz !== undefined ? { hz: f.hz } : {}), crashAtNs: null,
    ...(f.maxTasks !== undefined ? { maxTasks: f.maxTasks } : {}),
    ...(f.costs !== undefined ? { costs: f.costs } : {}),
    extras: { timeline: true, antagonists: f.antagonists },
  };
  return { options: { job, fault: faultFlag, faultAtNs, timeoutMs, reattach }, out };
}

async function crashDemo(a: CrashDemoArgs): Promise<void> {
  const { options, out } = crashDemoFromFlags(a);
  await prepareSchedulers([options.job, ...(options.reattach ? [options.reattach] : [])]);
  const outcome = runCrashDemo(options);
  await writeOutputSet(out, async (dir) => { await writeDemoOutputs(outcome, dir); });
  printWarnings(outcome.result.warnings);
  process.stdout.write(`${cleanText(formatDemo(outcome, a.quiet ?? false))}\n\nreport: ${join(out, "report.html")}\nresult: ${join(out, "result.json")}\n`);
}
