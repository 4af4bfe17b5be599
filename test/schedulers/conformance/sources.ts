/**
 * Where the schedulers under test come from. Today the registry; a user's module file or a
 * compiled BPF object become one more entry of SOURCES, and every suite then runs them too.
 */
import { SCHEDULERS } from "../../../schedulers/index.js";
import type { SchedExtOps, Scx } from "../../../sim/ext/ops.js";

/** One scheduler the suites run, built fresh for every machine. */
export interface Candidate {
  /** The name its ops carry (and RunResult.scx.scheduler shows). */
  readonly name: string;
  /** Which source it came from, e.g. "registry". */
  readonly source: string;
  make(scx: Scx): SchedExtOps;
}

export interface SchedulerSource {
  readonly name: string;
  candidates(): readonly Candidate[];
}

/** Every registered scheduler with its default options. */
const registry: SchedulerSource = {
  name: "registry",
  candidates: () => SCHEDULERS.map((e) => ({ name: e.name, source: "registry", make: (scx: Scx) => e.create(scx, {}) })),
};

export const SOURCES: readonly SchedulerSource[] = [registry];

/** Every scheduler of every source. */
export function allCandidates(): Candidate[] {
  return SOURCES.flatMap((s) => s.candidates());
}
