/**
 * One run is one call: `runJob(job) → RunResult`, a pure function of the job (plain data), so a
 * result never depends on which thread ran it. The scheduler is attached the way a loader does it:
 * a process creates a BPF_F_LINK struct_ops map, writes the ops into it and creates the link.
 */
import { performance } from "node:perf_hooks";
import { Machine } from "../sim/machine.js";
import { loadTopology } from "./topology_file.js";
import type { JobSpec, RunResult } from "../sim/result.js";
import type { WorkloadPlan } from "../sim/plan.js";
import { loadWorkload } from "../workloads/load.js";
import { withAntagonists } from "../workloads/antagonists.js";
import { checkPlanCpus } from "../workloads/cpus.js";
import { FAIR, createScheduler, prepareScheduler, loaderName, schedulerSpec, type RawOptions } from "../schedulers/index.js";

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

/** The workload of a job, with antagonists mixed in. */
export function jobPlan(job: Job): WorkloadPlan {
  const plan = loadWorkload(job.workload, job.params);
  const n = job.extras?.antagonists ?? 0;
  return n > 0 ? withAntagonists(plan, n) : plan;
}

/**
 * What a watchdog in another thread sees of a run: [callbacks invoked, callbacks running] in
 * `progress`, and the call to eject the scheduler at when replaying a run whose callback hung
 * (see sim/ext/callbacks.ts `watch`).
 */
export interface JobWatch {
  readonly progress: Float64Array;
  readonly abandon: { readonly call: number; readonly why: string } | null;
}

/** Builds the machine for a job and attaches its scheduler; returns the loader too. */
export function prepareJob(job: Job, plan: WorkloadPlan = jobPlan(job), watch?: JobWatch): { machine: Machine; loader: ReturnType<Machine["spawnProcess"]> | null } {
  const topology = loadTopology(job.topology, job.cpus);
  checkPlanCpus(plan, job.workload, topology.nrCpus);
  const machine = new Machine({
    topology, plan, seed: job.seed, overheads: job.overheads, hz: job.hz, job: jobSpec(job), timeline: job.extras?.timeline ?? false,
    callbackProgress: watch?.progress, abandonCallback: watch?.abandon ?? undefined,
    ...(job.maxTasks !== undefined ? { maxLiveTasks: job.maxTasks } : {}),
    ...(job.costs !== undefined ? { costs: job.costs } : {}),
  });
  if (job.scheduler === FAIR) return { machine, loader: null };
  const { loader } = machine.attach(createScheduler(schedulerSpec(job.scheduler, job.options), machine.scxApi), loaderName(job.scheduler));
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

/** Loads what the job's scheduler needs in this thread (a user's module file); see prepareScheduler. */
export async function prepareJobScheduler(job: Job): Promise<void> {
  await prepareScheduler(schedulerSpec(job.scheduler, job.options));
}

/** Prepares each distinct scheduler of a sweep once, in order (validating files before any job runs). */
export async function prepareSchedulers(specs: readonly { readonly scheduler: string; readonly options: RawOptions }[]): Promise<void> {
  for (const s of specs) await prepareScheduler(schedulerSpec(s.scheduler, s.options));
}

/** Runs one job to its end (its scheduler prepared: built-ins always are), watched if `watch` is given. */
export function runJob(job: Job, watch?: JobWatch): RunResult {
  const t0 = performance.now();
  const plan = jobPlan(job);
  const { machine } = prepareJob(job, plan, watch);
  machine.runToEnd();
  return machine.result(Math.round(performance.now() - t0), plan.warnings, true);
}

/**
 * A sweep's jobs in its order (workloads, then schedulers, then seeds): each a copy of `base`
 * with the scheduler, workload, seed and the workload's run length filled in.
 */
export function sweepJobs(
  schedulers: readonly { readonly scheduler: string; readonly options: RawOptions }[],
  workloads: readonly string[], seeds: number, firstSeed: number,
  base: Omit<Job, "scheduler" | "options" | "workload" | "seed" | "durationNs" | "durationFrom">,
  lengthOf: (workload: string) => Pick<Job, "durationNs" | "durationFrom">,
): Job[] {
  const { params, topology, cpus, ...rest } = base;
  const jobs: Job[] = [];
  for (const workload of workloads) {
    const length = lengthOf(workload);
    for (const s of schedulers) {
      // the key order of a job as results.json has always written it
      for (let k = 0; k < seeds; k++) jobs.push({ scheduler: s.scheduler, options: s.options, workload, params, topology, cpus, seed: firstSeed + k, ...length, ...rest });
    }
  }
  return jobs;
}