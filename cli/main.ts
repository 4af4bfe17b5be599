#!/usr/bin/env node
/** The scxlab command line: parses flags with yargs and hands each command to its module. */
import { createRequire } from "node:module";
import type { Argv } from "yargs";
import { CliError, reportError } from "./errors.js";
import { COMMAND_TABLE, type CommandEntry } from "./commands/table.js";
import { helpCommand } from "./commands/help.js";
import { packageVersion } from "./version.js";

const require = createRequire(import.meta.url);

export async function main(argv: string[]): Promise<number> {
  // Only the command that runs is loaded; the others are listed by name and description. Its
  // module starts loading first, so that its files are read while yargs loads.
  const wanted = argv.find((a) => !a.startsWith("-"));
  const loading = wanted !== undefined && Object.hasOwn(COMMAND_TABLE, wanted)
    ? (COMMAND_TABLE as Readonly<Record<string, CommandEntry>>)[wanted].load() : null;
  // yargs through its CommonJS build: one bundled file and a few small packages, against some
  // forty ES modules, each resolved and linked by Node's slower ESM loader (~15 ms of start-up).
  const yargs = require("yargs/yargs") as (args: readonly string[]) => Argv;
  let y = yargs(argv)
    .scriptName("scxlab")
    .usage("$0 <command> [options]\n\nA discrete-event simulator for sched_ext-style CPU schedulers.")
    .strict()
    .demandCommand(1, "expected a command")
    .recommendCommands()
    .help("help", "show help (also: scxlab help <command>)")
    .alias("h", "help")
    .version("version", "show the version", packageVersion())
    .alias("V", "version")
    // A terminal gets lines fitted to its width; a pipe or file gets unwrapped lines, since
    // wrapping to a guessed width breaks words in the middle ("repor t").
    .wrap(process.stdout.isTTY ? Math.min(110, process.stdout.columns ?? 100) : null)
    .fail((msg, err) => {
      // yargs reports its own validation failures as YError: those are bad input.
      if (err && err.name !== "YError") throw err;
      throw new CliError(msg ?? err?.message ?? "bad arguments");
    });
  for (const [name, cmd] of Object.entries(COMMAND_TABLE) as [string, CommandEntry][]) {
    y = name === wanted && loading !== null ? (await loading)(y) : y.command(cmd.usage, cmd.describe);
  }
  y = helpCommand(y, (args) => main(args));
  try {
    await y.parseAsync();
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    return reportError(e);
  }
}

// A closed pipe (`scxlab run --json - | head`) is not an error worth a stack trace.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
