/**
 * One run is one call: `runJob(job) → RunResult`, a pure function of the job (plain data), so a
 * result never depends on which thread ran it. The scheduler is attached the way a loader does it:
 * a process creates a BPF_F_LINK struct_ops map, writes the ops into it and creates the link.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Machine } from "../sim/machine.js";
import { resolveTopology, TopologyError, type Topology, type TopologyJson } from "../sim/topology.js";
import type { JobSpec, RunResult } from "../sim/result.js";
import type { WorkloadPlan } from "../sim/plan.js";
import { BPF_F_LINK, strerror } from "../sim/bpf/index.js";
import { loadWorkload } from "../workloads/load.js";
import { withAntagonists } from "../workloads/antagonists.js";
import { checkPlanCpus } from "../workloads/cpus.js";
import { FAIR, findScheduler } from "../schedulers/index.js";

/** Extra switches of a run that are not part of its identity. */
export interface RunExtras {
  /** Record the per-CPU timeline (for the report's Gantt chart and Perfetto traces). */
  readonly timeline?: boolean;
  /** CPU hogs mixed into the workload. */
  readonly antagonists?: number;
}

/** A job as it crosses to a worker: plain data only. */
export interface Job extends JobSpec {
  readonly extras?: RunExtras;
}

/** Resolves `--topology`: a preset, a CPU count, or a JSON file. */
export function loadTopology(spec: string, cpus: number): Topology {
  if (spec === "" || spec === "flat") return resolveTopology(String(cpus));
  if (/\.json$/i.test(spec)) {
    let text: string;
    try {
      text = readFileSync(spec, "utf8");
    } catch {
      throw new TopologyError(`${spec}: expected a readable topology file`);
    }
    let j: unknown;
    try {
      j = JSON.parse(text);
    } catch (e) {
      throw new TopologyError(`${spec}: expected JSON (${(e as Error).message})`);
    }
    if (typeof j !== "object" || j === null) throw new TopologyError(`${spec}: expected an object`);
    return resolveTopology(j as TopologyJson, spec);
  }
  return resolveTopology(spec);
}

/** The workload of a job, with antagonists mixed in. */
export function jobPlan(job: Job): WorkloadPlan {
  const plan = loadWorkload(job.workload, job.params);
  const n = job.extras?.antagonists ?? 0;
  return n > 0 ? withAntagonists(plan, n) : plan;
}

/** Builds the machine for a job and attaches its scheduler; returns the loader too. */
export function prepareJob(job: Job, plan: WorkloadPlan = jobPlan(job)): { machine: Machine; loader: ReturnType<Machine["spawnProcess"]> | null } {
  const topology = loadTopology(job.topology, job.cpus);
  checkPlanCpus(plan, job.workload, topology.nrCpus);
  const machine = new Machine({ topology, plan, seed: job.seed, overheads: job.overheads, job: jobSpec(job), timeline: job.extras?.timeline ?? false });
  if (job.scheduler === FAIR) return { machine, loader: null };
  const entry = findScheduler(job.scheduler);
  const ops = entry.create(machine.scxApi, job.options);
  const loader = machine.spawnProcess(`scx_${job.scheduler}`);
  const map = loader.bpf.mapCreate({ type: "struct_ops", valueType: "sched_ext_ops", flags: BPF_F_LINK });
  if (map < 0) throw new Error(`scx_${job.scheduler}: map create failed: ${strerror(-map)}`);
  const up = loader.bpf.mapUpdateElem(map, 0, ops);
  if (up !== 0) throw new Error(`scx_${job.scheduler}: map update failed: ${strerror(-up)}`);
  const link = loader.bpf.linkCreate(map);
  if (link < 0) throw new Error(`scx_${job.scheduler}: attach failed: ${strerror(-link)}`);
  if (job.crashAtNs !== undefined && job.crashAtNs !== null) {
    machine.at(job.crashAtNs, () => loader.crash("SIGSEGV"));
  }
  return { machine, loader };
}

/** The job as recorded in its RunResult (without the run's extra switches). */
export function jobSpec(job: Job): JobSpec {
  const { extras: _extras, ...spec } = job;
  return { ...spec, crashAtNs: spec.crashAtNs ?? null };
}

/** Runs one job to its end. */
export function runJob(job: Job): RunResult {
  const t0 = performance.now();
  const plan = jobPlan(job);
  const { machine } = prepareJob(job, plan);
  machine.runToEnd();
  return machine.result(Math.round(performance.now() - t0), plan.warnings);
}
