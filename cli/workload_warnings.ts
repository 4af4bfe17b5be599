/**
 * Warnings about a workload go to stderr whatever --quiet says: they say the file does not mean
 * what it seems to (a key ignored, a policy mapped), which a quiet run must not hide.
 */
import { clean } from "./terminal_text.js";

/** Enough to see what is wrong without flooding the terminal (a trace import can warn per task). */
export const MAX_WARNINGS = 20;

/** Writes `warning: …` lines to stderr, the first MAX_WARNINGS and a count of the rest. */
export function printWarnings(warnings: readonly string[]): void {
  for (const w of warnings.slice(0, MAX_WARNINGS)) process.stderr.write(`warning: ${clean(w)}\n`);
  if (warnings.length > MAX_WARNINGS) process.stderr.write(`warning: ... and ${warnings.length - MAX_WARNINGS} more\n`);
}
