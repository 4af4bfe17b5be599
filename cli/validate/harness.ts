/**
 * Runs one simulation for a validation case: builds the machine (ideal unless a cost model is
 * given), attaches the scheduler the way a loader does (BPF_F_LINK map, update, link), runs a
 * warm-up and a measured window, and observes the number of jobs in the system at Poisson
 * instants for Little's law.
 */
import { Machine } from "../../sim/machine.js";
import { flatTopology } from "../../sim/topology.js";
import { Rng } from "../../sim/rng.js";
import type { CostModel } from "../../sim/costs.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import type { RunResult } from "../../sim/result.js";
import type { HistogramView } from "../../sim/histogram.js";
import { Lat } from "../../sim/group_stats.js";
import { FAIR, SCHEDULERS, createScheduler, loaderName, schedulerSpec } from "../../schedulers/index.js";

/** Which policy a run uses: the default class, a registered scheduler, or a harness policy. */
export type SchedSpec =
  | { readonly kind: "fair" }
  | { readonly kind: "registry"; readonly name: string; readonly options: Readonly<Record<string, string | number | boolean>> }
  | { readonly kind: "harness"; readonly name: string; readonly make: (scx: Scx) => SchedExtOps };

export const fair: SchedSpec = { kind: "fair" };

export function registry(name: string, options: Record<string, string | number | boolean> = {}): SchedSpec {
  return { kind: "registry", name, options };
}

/** "simple:fifo=true" style label of a policy. */
export function schedLabel(s: SchedSpec): string {
  if (s.kind === "fair") return FAIR;
  if (s.kind === "harness") return `${s.name} (harness)`;
  const opts = Object.entries(s.options).map(([k, v]) => `${k}=${String(v)}`);
  return [s.name, ...opts].join(":");
}

/** The registered schedulers a policy needs that are missing (empty when it can run). */
export function missingSchedulers(s: SchedSpec): string[] {
  if (s.kind !== "registry") return [];
  return SCHEDULERS.some((e) => e.name === s.name) ? [] : [s.name];
}

export interface SimSpec {
  readonly plan: WorkloadPlan;
  readonly cpus: number;
  readonly sched: SchedSpec;
  readonly seed: number;
  /** Measured window, after the warm-up. */
  readonly windowNs: number;
  readonly warmupNs: number;
  /** Overheads on with exactly this cost model; absent = the ideal machine. */
  readonly costs?: CostModel;
  /** Mean gap of the Poisson observer of N(t) (jobs in the system), or absent for none. */
  readonly observeEveryNs?: number;
}

export interface SimOut {
  readonly result: RunResult;
  readonly machine: Machine;
  readonly windowNs: number;
  /** Jobs that arrived (tasks created) during the window. */
  readonly arrivals: number;
  /** Time-average number of jobs in the system over the window, from the Poisson observer. */
  readonly meanN: number;
  readonly observations: number;
  /** The group's raw histograms (wakeup latency, request latency, wait). */
  hist(group: string, which: "wakeup" | "request" | "wait"): HistogramView;
}

export function simulate(s: SimSpec): SimOut {
  const topology = flatTopology(s.cpus);
  const durationNs = s.warmupNs + s.windowNs;
  const overheads = s.costs !== undefined;
  const m = new Machine({
    // The queueing formulas assume slices that end exactly, not at the next tick.
    topology, plan: s.plan, seed: s.seed, overheads, costs: s.costs, tickBoundSlices: false,
    job: {
      scheduler: schedLabel(s.sched), options: s.sched.kind === "registry" ? { ...s.sched.options } : {},
      workload: s.plan.name, params: {}, topology: topology.name, cpus: s.cpus, seed: s.seed,
      durationNs, warmupNs: s.warmupNs, overheads,
    },
  });
  if (s.sched.kind !== "fair") attach(m, s.sched);
  const k = m.kernel;
  // The observer: at Poisson instants (its own random stream, so the run is not perturbed) it
  // reads the number of tasks alive, which for an open-loop workload is the number of jobs in
  // the system. Poisson sampling sees time averages (PASTA), so the mean of the readings is an
  // unbiased estimate of L = (1/T)∫N(t)dt over the window.
  let sumN = 0, obs = 0, createdAtWarm = -1;
  if (s.observeEveryNs !== undefined) {
    const every = s.observeEveryNs;
    const rng = new Rng(s.seed, "validate-observer");
    const id = k.timerCreate(() => {
      if (k.now >= s.warmupNs) { sumN += k.created - k.exited; obs++; }
      k.timerStart(id, Math.max(1, Math.round(rng.exp(every))));
    });
    k.timerStart(id, Math.max(1, Math.round(rng.exp(every))));
  }
  if (s.warmupNs > 0) {
    k.runUntil(s.warmupNs);
    m.startMeasurement();
  }
  createdAtWarm = k.created;
  m.runToEnd();
  const result = m.result();
  const names = k.rec.groupNames;
  return {
    result, machine: m, windowNs: s.windowNs, arrivals: k.created - createdAtWarm,
    meanN: obs > 0 ? sumN / obs : NaN, observations: obs,
    hist(group, which) {
      const i = names.indexOf(group);
      if (i < 0) throw new Error(`validate: no group ${group}`);
      return k.rec.groups.latency(i, which === "wakeup" ? Lat.Wakeup : which === "request" ? Lat.Request : Lat.Wait);
    },
  };
}

function attach(m: Machine, s: Exclude<SchedSpec, { kind: "fair" }>): void {
  m.attach(s.kind === "registry" ? createScheduler(schedulerSpec(s.name, s.options), m.scxApi) : s.make(m.scxApi), loaderName(s.name));
}

/** Fraction of recorded values that are exactly 0 (the histogram keeps 0 in its own bucket). */
export function fractionZero(h: HistogramView): number {
  return h.count > 0 ? h.countAt(0) / h.count : NaN;
}
