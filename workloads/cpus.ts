/**
 * Affinity against the machine: which CPUs exist is only known once the topology is, after
 * parsing. rt-app rejects a CPU beyond the machine ("Invalid cpu"), as sched_setaffinity does
 * (EINVAL when the mask holds no online CPU); so do we, naming the task, the CPU and the CPUs.
 */
import type { WorkloadPlan } from "../sim/plan.js";
import { joinPath } from "./json.js";
import { WorkloadError } from "./errors.js";

/** Throws a WorkloadError when a task or phase asks for a CPU the `nrCpus`-CPU machine lacks. */
export function checkPlanCpus(plan: WorkloadPlan, file: string, nrCpus: number): void {
  for (const t of plan.tasks) {
    const path = joinPath("tasks", t.name);
    // phases first: a task's starting cpus may be its first phase's
    for (const p of t.phases) check(p.set?.cpus ?? null, t.phases.length > 1 ? joinPath(joinPath(path, "phases"), p.name) : path);
    check(t.cpus, path);
  }
  function check(cpus: readonly number[] | null, path: string): void {
    const bad = cpus?.find((c) => c >= nrCpus);
    if (bad === undefined) return;
    const have = nrCpus === 1 ? "0" : `0-${nrCpus - 1}`;
    throw new WorkloadError({ file, path: joinPath(path, "cpus"), expected: `a CPU of this ${nrCpus}-CPU machine (${have})`, got: String(bad) });
  }
}
