/**
 * The yardstick model through scxlab's full path: one open-loop task per customer (Poisson
 * arrivals, exponential CPU work of mean 1 ms), scheduled by `simple -o fifo=true` (one shared
 * FIFO DSQ) on c ideal CPUs (overheads off), with the usual metrics recorded. Time is reported
 * in units of the mean service time, as the bare loop reports it.
 */
import { prepareJob, type Job } from "../job.js";
import { parseWorkloadObject } from "../../workloads/parse.js";
import type { MmcRun } from "./bare.js";

/** Who schedules the model: the TS simple in FIFO mode, or the same policy as a compiled object. */
export interface MmcScheduler {
  readonly scheduler: string;
  readonly options: Readonly<Record<string, string>>;
}
export const TS_SIMPLE_FIFO: MmcScheduler = { scheduler: "simple", options: { fifo: "true" } };

/** The job and plan of the M/M/c model for `customers` customers. */
export function mmcJob(customers: number, c: number, rho: number, seed: number, sched: MmcScheduler = TS_SIMPLE_FIFO) {
  const serviceUs = 1000;
  const rate = (rho * c * 1e6) / serviceUs; // arrivals per second
  const plan = parseWorkloadObject({
    tasks: { customer: { arrivals: { process: "poisson", rate, max: customers }, run: { dist: "exp", mean: serviceUs } } },
  }, "mmc");
  const job: Job = {
    scheduler: sched.scheduler, options: { ...sched.options }, workload: "mmc", params: {}, topology: String(c), cpus: c, seed,
    // Long enough for every customer (the run stops as soon as the last one leaves).
    durationNs: Math.ceil((customers / rate) * 2 + 60) * 1e9, overheads: false, crashAtNs: null,
  };
  return { job, plan, serviceUs };
}

export function runScxlabMmc(customers: number, c: number, rho: number, seed: number, sched: MmcScheduler = TS_SIMPLE_FIFO): MmcRun & { eventsPerCustomer: number } {
  const { job, plan, serviceUs } = mmcJob(customers, c, rho, seed, sched);
  const { machine } = prepareJob(job, plan);
  const k = machine.kernel;
  const t0 = performance.now(), c0 = process.cpuUsage();
  while (k.exited < customers && k.now < job.durationNs) machine.runFor(1e9);
  const cu = process.cpuUsage(c0);
  const wallS = (performance.now() - t0) / 1000;
  const r = machine.result();
  const g = r.groups.customer;
  return {
    customers: g.completed, events: r.events, wallS, cpuS: (cu.user + cu.system) / 1e6,
    meanSojourn: g.requestLatencyNs.mean / (serviceUs * 1000), eventsPerCustomer: r.events / Math.max(1, g.completed),
  };
}
