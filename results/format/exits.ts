import type { RowExit } from "../aggregate.js";
import { formatNs } from "./units.js";

/**
 * A row's early exits in a few words for a table cell: the exit kind(s) without the SCX_EXIT_
 * prefix, when (a range over seeds), and how many of the row's runs exited when not all did:
 * "ERROR_BPF at 2.10 ms", "ERROR_STALL at 1.20 ms–3.40 ms (2 of 3 runs)". Empty for no exits.
 */
export function formatRowExits(exits: readonly RowExit[], runs: number): string {
  if (exits.length === 0) return "";
  const kinds = [...new Set(exits.map((e) => e.kind.replace(/^SCX_EXIT_/, "")))].join("/");
  const times = exits.map((e) => e.atNs);
  const lo = Math.min(...times), hi = Math.max(...times);
  const when = lo === hi ? formatNs(lo) : `${formatNs(lo)}–${formatNs(hi)}`;
  const share = exits.length === runs ? "" : ` (${exits.length} of ${runs} runs)`;
  return `${kinds} at ${when}${share}`;
}
