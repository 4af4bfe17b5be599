/**
 * Errors at the CLI edge. Bad input of any kind (flags, workload files, scheduler names and
 * options, topologies) becomes one line on stderr and exit code 2; anything else is a bug in
 * scxlab and exits 1 with its message (and a stack only with SCXLAB_DEBUG=1).
 */
import { InputError } from "../sim/errors.js";
import { clean } from "./terminal_text.js";

/** A bad command-line flag or value. */
export class CliError extends InputError {}

/** Bad input of any layer (flags, workloads, topologies, scheduler names and options). */
export function isUserError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** Prints an error the way the CLI reports it and returns the exit code. */
export function reportError(e: unknown): number {
  if (isUserError(e)) {
    process.stderr.write(`scxlab: ${clean(oneLine(e.message))}\n`);
    return 2;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`scxlab: internal error: ${clean(oneLine(msg))}\n`);
  if (process.env.SCXLAB_DEBUG === "1" && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}
