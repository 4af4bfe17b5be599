/** `scxlab help [command]`: the same text as `scxlab [command] --help`. */
import type { Argv } from "yargs";
import { CliError } from "../errors.js";
import { didYouMean } from "../suggest.js";
import { COMMAND_TABLE } from "./table.js";

/** The commands `help` knows: the table's and itself. */
export const COMMANDS: readonly string[] = [...Object.keys(COMMAND_TABLE), "help"];

export function helpCommand(y: Argv, rerun: (argv: string[]) => Promise<number>): Argv {
  return y.command(
    "help [command]",
    "show help for a command",
    (c) => c.positional("command", { type: "string", describe: "a command name" }),
    async (argv) => {
      const cmd = argv["command"] as string | undefined;
      if (cmd !== undefined && !COMMANDS.includes(cmd)) {
        throw new CliError(`help ${cmd}: expected a command (${COMMANDS.join(", ")})${didYouMean(cmd, COMMANDS)}`);
      }
      const code = await rerun(cmd === undefined || cmd === "help" ? ["--help"] : [cmd, "--help"]);
      if (code !== 0) process.exitCode = code;
    },
  );
}
