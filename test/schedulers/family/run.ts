/** Runs one registry policy on a hand-built plan and topology on the ideal machine. */
import { findScheduler } from "../../../schedulers/index.js";
import type { RawOptions } from "../../../schedulers/options.js";
import type { SchedExtOps, Scx } from "../../../sim/ext/ops.js";
import type { Machine } from "../../../sim/machine.js";
import type { WorkloadPlan } from "../../../sim/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { resolveTopology, type TopologyJson } from "../../../sim/topology.js";
import { attach, machine } from "../../helpers/machine.js";

export const MS = 1_000_000;
export const S = 1_000_000_000;

export interface RunOptions {
  /** A preset ("2llc-8c"), a CPU count ("8") or a JSON description; default "1". */
  readonly topology?: string | TopologyJson;
  readonly seed?: number;
  readonly durationNs?: number;
  readonly timeline?: boolean;
  readonly options?: RawOptions;
  /** The realistic machine (costs, slices ending at the tick); default off, the ideal one. */
  readonly overheads?: boolean;
  /** Lets a test see (and wrap) the kfunc facade the policy is built with. */
  readonly wrapScx?: (scx: Scx) => Scx;
  /**
   * Lets a test wrap the policy's callbacks. It must happen before the attach: the kernel
   * copies the ops table at the map write, so later changes to it are not seen.
   */
  readonly wrapOps?: (ops: SchedExtOps) => void;
}

export function start(name: string, p: WorkloadPlan, o: RunOptions = {}): { m: Machine; ops: SchedExtOps } {
  const m = machine(p, { topology: resolveTopology(o.topology ?? "1"), seed: o.seed ?? 1, durationNs: o.durationNs ?? S, timeline: o.timeline ?? false, overheads: o.overheads ?? false });
  let ops: SchedExtOps | null = null;
  attach(m, (scx) => {
    const made = findScheduler(name).create(o.wrapScx ? o.wrapScx(scx) : scx, o.options ?? {});
    o.wrapOps?.(made);
    return (ops = made);
  });
  return { m, ops: ops! };
}

/** Runs to the end; fails if the policy was ejected or lost a task. */
export function run(name: string, p: WorkloadPlan, o: RunOptions = {}): RunResult {
  const { m } = start(name, p, o);
  m.runToEnd();
  const r = m.result(0);
  if (r.scx.exit !== null) throw new Error(`${name} exited: ${JSON.stringify(r.scx.exit)}`);
  if (m.invariants().lost !== 0) throw new Error(`${name} lost tasks`);
  return r;
}

/** CPUs that ran anything at all. */
export function cpusUsed(r: RunResult): number {
  return r.cpus.filter((c) => c.busyNs > 0).length;
}
