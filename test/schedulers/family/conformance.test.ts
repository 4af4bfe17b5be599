/**
 * The shared suites for every sched_ext-family policy with default options: the flat one from
 * `../conformance.ts` (which also checks per-task overlap and work charged) and the
 * topology-aware one from `./conformance.ts`.
 */
import { findScheduler } from "../../../schedulers/index.js";
import { conformance } from "../conformance.js";
import { familyConformance } from "./conformance.js";

export const FAMILY = ["qmap", "central", "flatcg", "nest", "bpfland", "lavd", "rusty", "p2dq"] as const;

for (const name of FAMILY) {
  conformance(findScheduler(name));
  familyConformance(findScheduler(name));
}
