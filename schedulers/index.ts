/**
 * The scheduler registry: name → factory, a one-line description and what it is modelled on.
 * Each policy lives in its own file and is written against the sched_ext API only.
 */
import type { SchedExtOps, Scx } from "../sim/ext/ops.js";
import { resolveOptions, OptionError, type OptionSchema, type RawOptions } from "./options.js";
import * as simple from "./simple.js";

export interface SchedulerEntry {
  readonly name: string;
  readonly description: string;
  readonly origin: string;
  readonly options: OptionSchema;
  create(scx: Scx, raw: RawOptions): SchedExtOps;
}

function entry<S extends OptionSchema>(
  name: string, description: string, origin: string, options: S,
  make: (scx: Scx, opts: ReturnType<typeof resolveOptions<S>>) => SchedExtOps,
): SchedulerEntry {
  return { name, description, origin, options, create: (scx, raw) => make(scx, resolveOptions(name, options, raw)) };
}

/** Every scheduler, in the order `scxlab list` shows them. */
export const SCHEDULERS: readonly SchedulerEntry[] = [
  entry("simple", "global weighted vtime (or FIFO with fifo=true) on one shared DSQ", "kernel tools/sched_ext/scx_simple.bpf.c", simple.options, (scx, o) => new simple.SimpleScheduler(scx, o)),
];

/** The pseudo-scheduler that attaches nothing: the default fair class alone. */
export const FAIR = "fair";

export function findScheduler(name: string): SchedulerEntry {
  const e = SCHEDULERS.find((s) => s.name === name);
  if (e === undefined) {
    throw new OptionError(`unknown scheduler "${name}" (schedulers: ${[FAIR, ...SCHEDULERS.map((s) => s.name)].join(", ")})`);
  }
  return e;
}

/** Validates a scheduler name and its options without running anything. */
export function checkScheduler(name: string, raw: RawOptions): void {
  if (name === FAIR) {
    if (Object.keys(raw).length > 0) throw new OptionError(`scheduler fair: takes no options`);
    return;
  }
  resolveOptions(name, findScheduler(name).options, raw);
}

export { OptionError, type RawOptions } from "./options.js";
