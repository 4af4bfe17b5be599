/**
 * Scheduler and workload names checked where the command line names them, before any run, so
 * that a typo gets a "did you mean" (the registries' own errors say what exists, not what was
 * meant). Anything that looks like a file is left to the loaders.
 */
import { CliError } from "./errors.js";
import { didYouMean } from "./suggest.js";
import { FAIR, isSchedulerFile, SCHEDULERS } from "../schedulers/index.js";
import { BUILTINS } from "../workloads/builtin/index.js";

export function checkSchedulerName(name: string): void {
  const known = [FAIR, ...SCHEDULERS.map((s) => s.name)];
  if (known.includes(name) || isSchedulerFile(name)) return;
  throw new CliError(`unknown scheduler "${name}" (schedulers: ${known.join(", ")})${didYouMean(name, known)}`);
}

export function checkWorkloadName(name: string): void {
  const known = BUILTINS.map((b) => b.name);
  if (known.includes(name) || /[\\/]/.test(name) || /\.json$/i.test(name)) return;
  throw new CliError(`${name}: expected a built-in workload (${known.join(", ")}) or a .json file, got ${JSON.stringify(name)}${didYouMean(name, known)}`);
}
