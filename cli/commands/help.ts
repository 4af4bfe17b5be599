/** `scxlab help [command]`: the same text as `scxlab [command] --help`. */
import type { Argv } from "yargs";
import { CliError } from "../errors.js";
import { didYouMean } from "../suggest.js";

/** The commands `help` knows; kept beside main's list so that a new command is one line in each. */
export const COMMANDS = ["run", "list", "compare", "crash-demo", "validate", "import", "merge", "bench", "help"] as const;

export function helpCommand(y: Argv, rerun: (argv: string[]) => Promise<number>): Argv {
  return y.command(
    "help [command]",
    "show help for a command",
    (c) => c.positional("command", { type: "string", describe: "a command name" }),
    async (argv) => {
      const cmd = argv["command"] as string | undefined;
      if (cmd !== undefined && !(COMMANDS as readonly string[]).includes(cmd)) {
        throw new CliError(`help ${cmd}: expected a command (${COMMANDS.join(", ")})${didYouMean(cmd, COMMANDS)}`);
      }
      const code = await rerun(cmd === undefined || cmd === "help" ? ["--help"] : [cmd, "--help"]);
      if (code !== 0) process.exitCode = code;
    },
  );
}
