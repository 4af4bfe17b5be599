/**
 * The growth model: N closed-loop tasks, each sleeping Exp(S) then computing Exp(100 µs), forever,
 * with S chosen so the machine stays 70 % busy whatever N is. The event rate per simulated second
 * is then about the same for every N, so events per wall second compare the cost of one event
 * with 100 tasks against 100,000 (heap depth, DSQ and runqueue sizes, cache misses).
 */
import { parseWorkloadObject } from "../../workloads/parse.js";
import type { WorkloadPlan } from "../../sim/plan.js";

/** rt-app's instance limit per task object; larger N is split over several. */
const PER_SPEC = 100_000;

export function sleepersPlan(n: number, cpus: number, load = 0.7): WorkloadPlan {
  const runUs = 100;
  const sleepUs = Math.max(1, runUs * (n / (load * cpus) - 1));
  const tasks: Record<string, unknown> = {};
  for (let i = 0, k = 0; i < n; i += PER_SPEC, k++) {
    tasks[`s${k}`] = { instance: Math.min(PER_SPEC, n - i), loop: -1, sleep: { dist: "exp", mean: sleepUs }, run: { dist: "exp", mean: runUs } };
  }
  return parseWorkloadObject({ tasks }, "sleepers");
}
