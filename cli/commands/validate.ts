/**
 * `scxlab validate`: runs the simulator against queueing theory and textbook schedules on the
 * ideal machine and prints, per check, the analytic value, the simulated one with its 95 %
 * interval, the relative error and PASS/FAIL against the stated tolerance. Writes
 * validate.json and validate.html to --out. Exit code 1 when a check fails or cannot run.
 */
import { join } from "node:path";
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { positiveInt } from "../args.js";
import { single } from "../jobflags.js";
import { defaultWorkers } from "../pool.js";
import { Progress } from "../progress.js";
import { atomicWrite } from "../../results/index.js";
import { runSuite, selectCases } from "../validate/runner.js";
import { runOnPool } from "../validate/pool.js";
import { formatMarkdown, formatText, renderHtml, toJson, summaryLine } from "../validate/output.js";
import { checkOutputDir } from "../output.js";

interface ValidateArgs {
  quick?: boolean;
  out?: string;
  seeds?: string;
  workers?: string;
  case?: string;
  markdown?: string;
  quiet?: boolean;
}

export function validateCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["validate"].usage,
    COMMAND_TABLE["validate"].describe,
    (c) => c
      .option("quick", { type: "boolean", describe: "a subset with short runs (tolerances widen with the statistics)" })
      .option("out", { type: "string", describe: "output directory for validate.json and validate.html [default: out]" })
      .option("seeds", { type: "string", describe: "independent replications per stochastic case [default: 10, --quick 8]" })
      .option("workers", { type: "string", describe: `worker threads [default: ${defaultWorkers()}]` })
      .option("case", { type: "string", describe: "only cases whose id matches this regular expression" })
      .option("markdown", { type: "string", describe: "also write the table as Markdown to this file" })
      .option("quiet", { alias: "q", type: "boolean", describe: "print only the summary line" })
      .example("$0 validate --quick", "")
      .example("$0 validate --seeds 20 --out out/fidelity", ""),
    async (argv) => { await validate(argv as unknown as ValidateArgs); },
  );
}

async function validate(a: ValidateArgs): Promise<void> {
  const quick = a.quick === true;
  const seeds = a.seeds === undefined ? undefined : positiveInt("--seeds", single("--seeds", a.seeds), 1000);
  if (seeds !== undefined && seeds < 2) throw new CliError("--seeds: expected at least 2 (an interval needs two replications)");
  const workers = a.workers === undefined ? defaultWorkers() : positiveInt("--workers", single("--workers", a.workers), 256);
  const out = single("--out", a.out) ?? "out";
  if (out.trim() === "") throw new CliError("--out: expected a directory");
  checkOutputDir("--out", out);
  const markdown = single("--markdown", a.markdown);
  if (markdown !== undefined && markdown.trim() === "") throw new CliError("--markdown: expected a file name");
  const pattern = single("--case", a.case);
  let filter: ((id: string) => boolean) | undefined;
  if (pattern !== undefined) {
    let re: RegExp;
    try { re = new RegExp(pattern); } catch (e) { throw new CliError(`--case: expected a regular expression (${(e as Error).message})`); }
    filter = (id) => re.test(id);
    if (selectCases(quick, filter).length === 0) throw new CliError(`--case ${pattern}: matches no case${quick ? " of the quick subset" : ""}`);
  }
  const progress = new Progress("validate", a.quiet ?? false);
  const report = await runSuite({
    quick, seeds, filter,
    execute: (work, onDone) => runOnPool(work, workers, onDone),
    onProgress: (d, t) => progress.update(d, t),
  });
  progress.done();
  await atomicWrite(join(out, "validate.json"), toJson(report));
  await atomicWrite(join(out, "validate.html"), renderHtml(report));
  if (markdown !== undefined) await atomicWrite(markdown, `${formatMarkdown(report)}\n`);
  process.stdout.write(`${a.quiet ? summaryLine(report) : formatText(report)}\n`);
  process.stdout.write(`report: ${join(out, "validate.html")}\nresults: ${join(out, "validate.json")}\n`);
  if (report.failed > 0 || report.skipped > 0) process.exitCode = 1;
}
