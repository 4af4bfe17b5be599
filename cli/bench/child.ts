/**
 * A bench measurement in a fresh process (`node --expose-gc child.js '<task json>'`), so that
 * no other scheduler has warmed (or made megamorphic) the call sites it times and its peak RSS
 * is its own. Prints one JSON line.
 */
import { pathToFileURL } from "node:url";
import { raiseInliningBudget } from "../v8_flags.js";
import { runJob, prepareJob, type Job } from "../job.js";
import { runBareMmc, erlangCSojourn, type MmcRun } from "./bare.js";
import { mmcJob, runScxlabMmc } from "./mmc.js";
import { inliningPays } from "../pool_plan.js";
import { prepareScheduler, schedulerSpec } from "../../schedulers/index.js";
import { sleepersPlan } from "./sleepers.js";
import { runNames, type NamesOut } from "./names.js";
import type { SingleCase } from "./suite.js";
import { timePoolStart, timeSweep, type PoolStartOut, type SweepOut } from "./pool_sweeps.js";
import { bpflandRunJob, measureBpflandRun, type BpflandRunTask, type ObjectRun } from "./bpfland_object.js";

export type ChildTask =
  | { kind: "yardstick"; customers: number; reps: number; c: number; rho: number }
  | { kind: "bpf-simple"; which: "ts" | "bpf"; customers: number; reps: number; c: number; rho: number; object: string }
  | { kind: "single"; cases: SingleCase[] }
  | { kind: "sleepers"; tasks: number; cpus: number; warmS: number; measureS: number }
  | { kind: "names"; names: number }
  | { kind: "sweep"; jobs: Job[]; workers: number; startMs?: number }
  | { kind: "poolStart"; jobs: Job[] }
  | BpflandRunTask;

export interface YardstickOut {
  kind: "yardstick";
  scxlab: (MmcRun & { eventsPerCustomer: number })[];
  bare: MmcRun[];
  erlangC: number;
  maxRssMB: number;
}

export interface SingleOut {
  kind: "single";
  runs: { case: SingleCase; events: number; simNs: number; wallMs: number; cpuMs: number; completed: number; requests: number; throughput: number; tasks: number; lost: number }[];
  maxRssMB: number;
}

export interface SleepersOut {
  kind: "sleepers";
  tasks: number;
  cpus: number;
  events: number;
  wallS: number;
  cpuS: number;
  setupS: number;
  /** V8 heap growth per live task after a full GC, bytes (null without --expose-gc). */
  heapPerTaskB: number | null;
  heapMB: number;
  maxRssMB: number;
}

/** The yardstick's model under the TS simple and under eng_simple.bpf.o (FIFO both), alternated. */
export interface BpfSimpleOut {
  kind: "bpf-simple";
  runs: MmcRun[];
}

export type ChildOut = YardstickOut | SingleOut | SleepersOut | BpfSimpleOut | SweepOut | PoolStartOut | NamesOut | ObjectRun;

const gc = (globalThis as { gc?: () => void }).gc;
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;

function yardstick(t: Extract<ChildTask, { kind: "yardstick" }>): YardstickOut {
  // Warm both loops up (JIT), then alternate them so that load from elsewhere hits both alike.
  runScxlabMmc(Math.max(1000, Math.round(t.customers / 10)), t.c, t.rho, 99);
  runBareMmc(Math.max(1000, Math.round(t.customers / 10)), t.c, t.rho, 99);
  const scx: YardstickOut["scxlab"] = [], bare: MmcRun[] = [];
  for (let i = 0; i < t.reps; i++) {
    scx.push(runScxlabMmc(t.customers, t.c, t.rho, i + 1));
    bare.push(runBareMmc(t.customers, t.c, t.rho, i + 1));
  }
  return { kind: "yardstick", scxlab: scx, bare, erlangC: erlangCSojourn(t.c, t.rho), maxRssMB: maxRssMB() };
}

/**
 * One of the two simples on the yardstick's model, alone in this process as `scxlab run` has it:
 * a kernel call site that has seen both schedulers' callbacks is slower for each.
 */
async function bpfSimple(t: Extract<ChildTask, { kind: "bpf-simple" }>): Promise<BpfSimpleOut> {
  const sched = t.which === "bpf" ? { scheduler: t.object, options: { fifo_sched: "true" } } : undefined;
  if (sched !== undefined) await prepareScheduler(schedulerSpec(sched.scheduler, sched.options));
  // Half a run of warm-up: a tenth, as the yardstick has, leaves the object's first measured run ~1.8x slower than its second.
  runScxlabMmc(Math.max(1000, Math.round(t.customers / 2)), t.c, t.rho, 99, sched);
  const runs: MmcRun[] = [];
  for (let i = 0; i < t.reps; i++) runs.push(runScxlabMmc(t.customers, t.c, t.rho, i + 1, sched));
  return { kind: "bpf-simple", runs };
}

function jobOf(c: SingleCase, durationS: number): Job {
  return {
    scheduler: c.scheduler, options: {}, workload: c.workload, params: Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, String(v)])),
    topology: String(c.cpus), cpus: c.cpus, seed: 1, durationNs: Math.round(durationS * 1e9), overheads: true, crashAtNs: null,
  };
}

function single(t: Extract<ChildTask, { kind: "single" }>): SingleOut {
  if (t.cases.length > 0) runJob(jobOf(t.cases[0], t.cases[0].durationS / 5)); // JIT warm-up
  const runs: SingleOut["runs"] = [];
  for (const c of t.cases) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    const r = runJob(jobOf(c, c.durationS));
    const cu = process.cpuUsage(c0);
    runs.push({
      case: c, events: r.events, simNs: r.simNs, wallMs: performance.now() - t0, cpuMs: (cu.user + cu.system) / 1000,
      completed: r.totals.completed, requests: r.totals.requests, throughput: r.totals.throughput, tasks: r.invariants.created, lost: r.invariants.lost,
    });
  }
  return { kind: "single", runs, maxRssMB: maxRssMB() };
}

function sleepers(t: Extract<ChildTask, { kind: "sleepers" }>): SleepersOut {
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const s0 = performance.now();
  const plan = sleepersPlan(t.tasks, t.cpus);
  const job: Job = {
    scheduler: "simple", options: {}, workload: "sleepers", params: {}, topology: String(t.cpus), cpus: t.cpus, seed: 1,
    durationNs: Math.round((t.warmS + t.measureS) * 1e9), overheads: true, crashAtNs: null,
  };
  const { machine } = prepareJob(job, plan);
  const k = machine.kernel;
  k.runUntil(Math.round(t.warmS * 1e9));
  const setupS = (performance.now() - s0) / 1000;
  const e0 = k.events, t0 = performance.now(), c0 = process.cpuUsage();
  k.runUntil(job.durationNs);
  const cu = process.cpuUsage(c0);
  const wallS = (performance.now() - t0) / 1000;
  gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  const alive = k.created - k.exited;
  return {
    kind: "sleepers", tasks: alive, cpus: t.cpus, events: k.events - e0, wallS, cpuS: (cu.user + cu.system) / 1e6, setupS,
    heapPerTaskB: gc ? (heap1 - heap0) / Math.max(1, alive) : null, heapMB: heap1 / 2 ** 20, maxRssMB: maxRssMB(),
  };
}

/** The jobs a task runs outside the pool, which decides on the inlining budget as the pool would. */
function directJobs(t: ChildTask): Job[] {
  switch (t.kind) {
    case "yardstick": case "bpf-simple": return [mmcJob(t.customers, t.c, t.rho, 1).job];
    case "single": return t.cases.map((c) => jobOf(c, c.durationS));
    case "sleepers": return [jobOf({ scheduler: "simple", workload: "sleepers", params: {}, cpus: t.cpus, durationS: t.warmS + t.measureS }, t.warmS + t.measureS)];
    case "bpfland-run": return [bpflandRunJob(t)];
    case "sweep": case "poolStart": case "names": return [];
  }
}

export async function runChildTask(t: ChildTask): Promise<ChildOut> {
  if (inliningPays(directJobs(t))) raiseInliningBudget();
  switch (t.kind) {
    case "yardstick": return yardstick(t);
    case "bpf-simple": return bpfSimple(t);
    case "bpfland-run": return measureBpflandRun(t);
    case "single": return single(t);
    case "sleepers": return sleepers(t);
    case "names": return runNames(t.names, maxRssMB);
    case "sweep": return timeSweep(t.jobs, t.workers, t.startMs);
    case "poolStart": return timePoolStart(t.jobs);
  }
}

// Entry point when run as a script.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const task = JSON.parse(process.argv[2] ?? "null") as ChildTask;
  process.stdout.write(`${JSON.stringify(await runChildTask(task))}\n`);
}
