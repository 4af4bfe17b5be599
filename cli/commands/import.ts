/**
 * `scxlab import <trace> --out <workload.json>`: a recorded schedule (perf sched timehist or
 * perf script output, detected from the content) becomes an rt-app-dialect workload file of
 * per-task run/sleep programs (workloads/import/). The file is parsed back before it is written
 * (atomically); a bad trace is one line `trace:line: expected ..., got ...` and exit code 2.
 */
import { readInputText } from "../../workloads/input_file.js";
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { CliError } from "../errors.js";
import { single } from "../jobflags.js";
import { checkOutputFile, writeOut } from "../output.js";
import { printWarnings } from "../workload_warnings.js";
import { importTrace } from "../../workloads/import/index.js";

interface ImportArgs {
  trace?: string;
  out?: string | string[];
  quiet?: boolean;
}


export function importCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["import"].usage,
    COMMAND_TABLE["import"].describe,
    (c) => c
      .positional("trace", { type: "string", describe: "the text perf sched timehist or perf script printed" })
      .option("out", { type: "string", requiresArg: true, describe: "workload file to write (rt-app JSON), or - for stdout" })
      .option("quiet", { alias: "q", type: "boolean", describe: "print no summary" })
      .example("$0 import t.txt --out t.json && $0 run -w t.json --duration 2", "")
      .epilogue("Record one: perf sched record -- sleep 5; perf sched timehist > t.txt (more in workloads/README.md)"),
    async (argv) => { await importCmd(argv as unknown as ImportArgs); },
  );
}

async function importCmd(a: ImportArgs): Promise<void> {
  const file = a.trace ?? "";
  if (file === "") throw new CliError("import: expected a trace file");
  const out = single("--out", a.out);
  if (out === undefined || out === "") throw new CliError("--out: expected the workload file to write (or - for stdout)");
  checkOutputFile("--out", out);
  const text = readInputText(file, "trace");
  const r = importTrace(text, file, out === "-" ? "imported.json" : out);
  await writeOut(out, r.text);
  printWarnings(r.warnings); // whatever --quiet says
  if (a.quiet) return;
  const say = (s: string) => (out === "-" ? process.stderr : process.stdout).write(`${s}\n`);
  const s = r.summary;
  const what = r.format === "timehist" ? "perf sched timehist" : "perf script";
  say(`imported ${s.tasks} tasks from ${what} output (${(s.spanNs / 1e9).toFixed(3)} s traced): ${s.runs} CPU bursts (${(s.cpuNs / 1e9).toFixed(3)} s of CPU), ${s.sleeps} sleeps, ${s.wakes} wakeups, ${s.forks} forks${s.dropped > 0 ? `; ${s.dropped} tasks that never ran left out` : ""}`);
  const sec = (ns: number) => `${(ns / 1e9).toFixed(3)} s`;
  if (s.inferredNs > 0 || s.unbilledNs > 0) say(`CPU time not proven by a record: ${sec(s.inferredNs)} inferred (tasks running at the trace's start or end), ${sec(s.unbilledNs)} not billed (lost events)`);
  if (s.skipped > 0) say(`${s.skipped} lines not understood were skipped (first: ${s.skippedSample})`);
  if (out !== "-") say(`wrote ${out}; replay it with: scxlab run -w ${out} (it runs for the trace's ${(s.spanNs / 1e9).toFixed(3)} s; --duration to change)`);
}
