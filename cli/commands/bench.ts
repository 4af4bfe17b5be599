/**
 * `scxlab bench [--workers 1,2] [--quick] [--out out] [--baseline old/bench.json] [--bpf-object
 * scx_bpfland.bpf.o]`: the fixed,
 * versioned benchmark suite (cli/bench/suite.ts). Prints tables and writes out/bench.json and
 * out/bench.html. Figures are measurements, never asserted; bench.json is comparable across
 * runs of the same suite (`--baseline` prints the change per case).
 */
import { join } from "node:path";
import { readInputText } from "../../workloads/input_file.js";
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { positiveInt, splitList } from "../args.js";
import { single } from "../jobflags.js";
import { defaultWorkers } from "../pool.js";
import { atomicWrite } from "../../results/index.js";
import { runBench, type BenchResult } from "../bench/run.js";
import { BENCH_SCHEMA, SUITES, type SuiteName } from "../bench/suite.js";
import { formatBaseline, formatBench, renderBenchHtml } from "../bench/format.js";
import { checkOutputDir } from "../output.js";
import { BPFLAND_OBJECT_ENV } from "../bench/bpfland_object.js";
import { prepareScheduler, schedulerSpec } from "../../schedulers/index.js";

interface BenchArgs {
  workers?: string;
  quick?: boolean;
  suite?: string;
  out?: string;
  baseline?: string;
  bpfObject?: string;
  quiet?: boolean;
}

export function benchCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["bench"].usage,
    COMMAND_TABLE["bench"].describe,
    (c) => c
      .option("workers", { type: "string", describe: `worker counts for the scaling sweep [default: 1,${defaultWorkers()}]` })
      .option("quick", { type: "boolean", describe: "the quick suite (about a minute); `npm run bench`" })
      .option("suite", { type: "string", hidden: true, describe: "quick, full or tiny (tiny: for tests)" })
      .option("out", { type: "string", describe: "output directory [default: out]" })
      .option("baseline", { type: "string", describe: "an earlier bench.json to compare with" })
      .option("bpf-object", { type: "string", describe: `a compiled scx_bpfland.bpf.o to time beside the TS bpfland [default: $${BPFLAND_OBJECT_ENV}]` })
      .option("quiet", { alias: "q", type: "boolean", describe: "print only the targets" })
      .example("$0 bench --quick --workers 1,2", "")
      .example("$0 bench --out out/bench-new --baseline out/bench-old/bench.json", "")
      .example("$0 bench --quick --bpf-object ~/scx/build/scx_bpfland.bpf.o", ""),
    async (argv) => { await bench(argv as unknown as BenchArgs); },
  );
}

/** Parses `--workers 1,2,4` (deduplicated, in the given order). */
export function parseWorkerList(s: string | undefined): number[] {
  if (s === undefined) return [...new Set([1, defaultWorkers()])];
  const list = splitList(s).map((x) => positiveInt("--workers", x, 256));
  if (list.length === 0) throw new CliError("--workers: expected a comma list of worker counts, e.g. 1,2");
  return [...new Set(list)];
}

async function bench(a: BenchArgs): Promise<void> {
  const suiteFlag = single("--suite", a.suite);
  if (suiteFlag !== undefined && !(suiteFlag in SUITES)) throw new CliError(`--suite: expected one of ${Object.keys(SUITES).join(", ")}, got ${JSON.stringify(suiteFlag)}`);
  const suite: SuiteName = (suiteFlag as SuiteName | undefined) ?? (a.quick ? "quick" : "full");
  const workers = parseWorkerList(single("--workers", a.workers));
  const out = single("--out", a.out) ?? "out";
  if (out.trim() === "") throw new CliError("--out: expected a directory");
  checkOutputDir("--out", out);
  let baseline: BenchResult | null = null;
  const bl = single("--baseline", a.baseline);
  if (bl !== undefined) {
    try {
      baseline = JSON.parse(readInputText(bl, "bench", "a bench.json")) as BenchResult;
    } catch (e) {
      throw new CliError(`--baseline ${bl}: expected a bench.json (${(e as Error).message})`);
    }
    if (baseline.schema !== BENCH_SCHEMA) throw new CliError(`--baseline ${bl}: expected schema ${BENCH_SCHEMA}, got ${JSON.stringify(baseline.schema)}`);
  }
  const bpflandObject = await checkBpflandObject(single("--bpf-object", a.bpfObject) ?? envObject());
  const quiet = a.quiet === true;
  const t0 = performance.now();
  const result = await runBench({ suite, workers, bpflandObject, log: quiet ? undefined : (line) => process.stderr.write(`bench: ${line}\n`) });
  await atomicWrite(join(out, "bench.json"), JSON.stringify(result, null, 1) + "\n");
  await atomicWrite(join(out, "bench.html"), renderBenchHtml(result));
  const text = formatBench(result);
  process.stdout.write(quiet ? `${text.slice(text.indexOf("Targets"))}\n` : `${text}\n`);
  if (baseline !== null) process.stdout.write(`\n${formatBaseline(result, baseline)}\n`);
  process.stdout.write(`\nbench: ${join(out, "bench.json")}, ${join(out, "bench.html")} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
}

/** The object named by SCXLAB_BENCH_BPFLAND, if set and not empty. */
function envObject(): string | undefined {
  const v = process.env[BPFLAND_OBJECT_ENV];
  return v === undefined || v === "" ? undefined : v;
}

/** Loads the named object once here, so that a bad one stops the bench at once with one line. */
async function checkBpflandObject(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const spec = schedulerSpec(path, {});
  if (spec.kind !== "bpf") throw new CliError(`--bpf-object: expected a compiled BPF object (a .o file), got ${JSON.stringify(path)}`);
  try {
    await prepareScheduler(spec);
  } catch (e) {
    throw new CliError(`--bpf-object: ${(e as Error).message}`);
  }
  return path;
}
