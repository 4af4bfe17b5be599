/**
 * The shared suites for every textbook policy with default options: the flat one from
 * `../conformance.ts` (loss, exit, CPU time, overlap, work charged, draining, determinism) and
 * the topology-aware one from `../family/conformance.ts` (LLCs, SMT, nodes, cgroups).
 */
import { findScheduler } from "../../../schedulers/index.js";
import { conformance } from "../conformance.js";
import { familyConformance } from "../family/conformance.js";

export const TEXTBOOK = ["fifo", "rr", "srtf", "mlfq", "stride", "lottery", "edf", "cfs-like"] as const;

for (const name of TEXTBOOK) {
  conformance(findScheduler(name));
  familyConformance(findScheduler(name));
}
