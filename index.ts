/**
 * scxlab's public API. Scripts build a machine with `createKernel`, spawn a loader process,
 * and attach a scheduler through a BPF_F_LINK struct_ops map, as the kernel selftests do:
 *
 *   const kernel = createKernel({ cpus: 4, workload: "mixed", seed: 1 });
 *   const loader = kernel.spawnProcess("loader");
 *   const map = loader.bpf.mapCreate({ type: "struct_ops", valueType: "sched_ext_ops", flags: BPF_F_LINK });
 *   loader.bpf.mapUpdateElem(map, 0, loadScheduler("simple", { fifo: true }, kernel));
 *   const link = loader.bpf.linkCreate(map);
 *   kernel.runFor(1e9);
 *
 * `kernel.attach(loadScheduler("simple", { fifo: true }, kernel), "loader")` makes those three
 * calls in one (the path `scxlab run` takes), and throws an AttachError naming the one that failed.
 */
import { Machine } from "./sim/machine.js";
import type { WorkloadPlan } from "./sim/plan.js";
import type { SchedExtOps, Scx } from "./sim/ext/ops.js";
import { loadWorkload } from "./workloads/load.js";
import { checkPlanCpus } from "./workloads/cpus.js";
import { createScheduler, schedulerSpec, type OptionSchema, type OptionValues } from "./schedulers/index.js";
import { loadTopology } from "./cli/topology_file.js";
import type { RawOptions } from "./schedulers/options.js";

export interface CreateKernelOptions {
  /** CPUs of a flat machine (default 4); ignored when `topology` is given. */
  readonly cpus?: number;
  /** Topology preset name, CPU count or JSON file path. */
  readonly topology?: string;
  /** Built-in workload name, rt-app JSON file, or a ready plan (default "mixed"). */
  readonly workload?: string | WorkloadPlan;
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly seed?: number;
  /** Switch, migration, SMT and callback costs (default true). */
  readonly overheads?: boolean;
  /** Tick rate, CONFIG_HZ (default 250); with overheads on, ext slices end at the tick. */
  readonly hz?: number;
  /** Run length in seconds for `runToEnd()` (default 5). */
  readonly duration?: number;
  /** Record the per-CPU timeline. */
  readonly timeline?: boolean;
}

/** A simulated machine with the default fair class running the workload's tasks. */
export function createKernel(o: CreateKernelOptions = {}): Machine {
  const cpus = o.cpus ?? 4;
  const topology = loadTopology(o.topology ?? String(cpus), cpus);
  const workload = o.workload ?? "mixed";
  const plan = typeof workload === "string" ? loadWorkload(workload, o.params ?? {}) : workload;
  checkPlanCpus(plan, typeof workload === "string" ? workload : plan.name, topology.nrCpus);
  const seed = o.seed ?? 1;
  const overheads = o.overheads ?? true;
  const durationNs = Math.round((o.duration ?? 5) * 1e9);
  return new Machine({
    topology, plan, seed, overheads, hz: o.hz, timeline: o.timeline ?? false,
    job: { scheduler: "fair", options: {}, workload: plan.name, params: { ...(o.params ?? {}) }, topology: topology.name, cpus: topology.nrCpus, seed, durationNs, overheads, ...(o.hz !== undefined ? { hz: o.hz } : {}) },
  });
}

/**
 * Builds a scheduler's ops table for `kernel`, with validated options: a registered name, or a
 * module file already loaded with `await prepareScheduler(schedulerSpec(path, options))`.
 */
export function loadScheduler(name: string, options: RawOptions, kernel: Machine): SchedExtOps {
  return createScheduler(schedulerSpec(name, options), kernel.scxApi);
}

/**
 * Types a user's scheduler factory against its option schema; the module default-exports the
 * result and exports the schema as `options`, as the built-ins do.
 */
export function defineScheduler<S extends OptionSchema>(_options: S, make: (scx: Scx, options: OptionValues<S>) => SchedExtOps): (scx: Scx, options: OptionValues<S>) => SchedExtOps {
  return make;
}

export { Machine } from "./sim/machine.js";
export type { SchedAttr } from "./sim/sched_change.js";
export * from "./sim/bpf/index.js";
export * from "./sim/ext/consts.js";
export * from "./sim/ext/kernel_abi.js";
export type { SchedExtOps, Scx, ScxTask, CpuId, Pid, DsqId, TaskStorage } from "./sim/ext/ops.js";
export type { RunResult, ExitInfo, ExitKind, JobSpec, Stats } from "./sim/result.js";
export type { WorkloadPlan } from "./sim/plan.js";
export {
  SCHEDULERS, findScheduler, defineOptions, prepareScheduler, createScheduler, schedulerSpec, schedulerOptions,
  type SchedulerSpec, type OptionSchema, type OptionValues, type RawOptions,
} from "./schedulers/index.js";
export { InputError, EngineBug, type InputErrorInfo } from "./sim/errors.js";
export { AttachError, type Attachment } from "./sim/attach.js";
export { loadWorkload } from "./workloads/load.js";
export { runJob, type Job } from "./cli/job.js";
export { runJobs } from "./cli/pool.js";
export { compare, type CompareOptions, type Comparison } from "./cli/compare_api.js";
export {
  aggregate, writeReport, writeResultsCsv, writeResultsJson, formatSummaryTable, toChromeTrace,
  type Aggregate, type ReportInput,
} from "./results/index.js";
