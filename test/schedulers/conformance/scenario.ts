/** What the conformance suite runs a scheduler on: a machine, a seed, a workload and how long. */
import type fc from "fast-check";
import type { WorkloadPlan } from "../../../sim/plan.js";
import { resolveTopology, type Topology } from "../../../sim/topology.js";

export interface Scenario {
  /** A name of TOPOLOGIES. */
  readonly topology: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly plan: WorkloadPlan;
  /** Groups of open-loop jobs with a constant burst (µs), to check the work charged. */
  readonly constBursts: Readonly<Record<string, number>>;
}

/** A family of random scenarios: any workload, and hog-free ones with a time by which they are done. */
export interface ScenarioKind {
  readonly name: string;
  readonly what: string;
  readonly any: fc.Arbitrary<Scenario>;
  /** Every task exits by the scenario's end under any policy that keeps CPUs busy. */
  readonly finite: fc.Arbitrary<Scenario>;
}

/** The machines: flat 1-8 CPUs, and shaped ones with 2 LLCs, SMT or 2 nodes. */
const SHAPED: Readonly<Record<string, () => Topology>> = {
  "2llc-8c": () => resolveTopology("2llc-8c"),
  "2llc-4c": () => resolveTopology({ nodes: 1, llcsPerNode: 2, coresPerLlc: 2, threadsPerCore: 1 }, "2llc-4c"),
  "2c-smt": () => resolveTopology({ nodes: 1, llcsPerNode: 1, coresPerLlc: 2, threadsPerCore: 2 }, "2c-smt"),
  "2s-smt": () => resolveTopology({ nodes: 2, llcsPerNode: 1, coresPerLlc: 2, threadsPerCore: 2 }, "2s-smt"),
};

export const TOPOLOGIES: readonly string[] = ["1", "2", "3", "4", "6", "8", ...Object.keys(SHAPED)];

export function topologyOf(name: string): Topology {
  return SHAPED[name]?.() ?? resolveTopology(name);
}
