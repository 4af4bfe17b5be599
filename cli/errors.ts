/**
 * Errors at the CLI edge. Bad input of any kind (flags, workload files, scheduler names and
 * options, topologies) becomes one line on stderr and exit code 2; anything else is a bug in
 * scxlab and exits 1 with its message (and a stack only with SCXLAB_DEBUG=1).
 */
import { WorkloadError } from "../workloads/errors.js";
import { OptionError } from "../schedulers/options.js";
import { TopologyError } from "../sim/topology.js";

/** A bad command-line flag or value. */
export class CliError extends Error {}

export function isUserError(e: unknown): e is Error {
  return e instanceof CliError || e instanceof WorkloadError || e instanceof OptionError || e instanceof TopologyError;
}

/** Prints an error the way the CLI reports it and returns the exit code. */
export function reportError(e: unknown): number {
  if (isUserError(e)) {
    process.stderr.write(`scxlab: ${oneLine(e.message)}\n`);
    return 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`scxlab: internal error: ${oneLine(msg)}\n`);
  if (process.env.SCXLAB_DEBUG === "1" && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}
