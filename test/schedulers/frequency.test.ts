/**
 * Frequency (issue 15.9). The default cost table has a package turbo limit by active-core count
 * (MSR_TURBO_RATIO_LIMIT of a Xeon Gold 6130) under the performance governor, so Nest's idea
 * (scx_nest.bpf.c: keep wakeups on a few warm cores so the others reach C6 and the busy ones
 * turbo higher) pays off by default. Under the skx-schedutil profile (schedutil over
 * cpuperf_target, sugov_update_shared/map_util_perf) lavd's update_cpuperf_target changes lavd's
 * results and fair's CPUs slow down; under the default governor neither does.
 */
import { describe, expect, it } from "vitest";
import { runJob, type Job } from "../../cli/job.js";
import { DEFAULT_COSTS, type CostModel } from "../../sim/costs.js";
import type { RunResult } from "../../sim/result.js";
import { costProfile } from "../helpers/profiles.js";

/** The default machine with one turbo frequency for any number of active cores. */
const FLAT_TURBO: CostModel = { ...DEFAULT_COSTS, turboMhz: [DEFAULT_COSTS.turboMhz[0]] };
/** The default machine without any frequency change (the performance governor, turbo off). */
const NO_SCALING: CostModel = { ...DEFAULT_COSTS, turboMhz: [] };
/** The default machine under schedutil. */
const SCHEDUTIL = costProfile("skx-schedutil");

function run(scheduler: string, costs?: CostModel, options: Record<string, string> = {}): RunResult {
  const job: Job = {
    scheduler, options, workload: "server", params: {}, topology: "16", cpus: 16, seed: 1,
    durationNs: 1_000_000_000, overheads: true, ...(costs !== undefined ? { costs } : {}),
  };
  return runJob(job);
}

/** CPU time the run's requests took per completed request, ns (more when they ran slower). */
function cpuPerRequest(r: RunResult): number {
  const g = r.groups.request;
  return g.cpuNs / g.completed;
}

describe("nest on the default machine: warm cores turbo higher", () => {
  const nest = run("nest"), simple = run("simple");
  const nestFlat = run("nest", FLAT_TURBO), simpleFlat = run("simple", FLAT_TURBO);

  it("nest's requests take less CPU time and finish sooner than simple's, which spreads them over cores that stay active", () => {
    expect(cpuPerRequest(nest)).toBeLessThan(cpuPerRequest(simple) * 0.98);
    expect(nest.groups.request.requestLatencyNs.p50).toBeLessThan(simple.groups.request.requestLatencyNs.p50);
  });

  it("the turbo limit costs nest less than simple: its gain comes from the active-core count", () => {
    const nestLoss = cpuPerRequest(nest) / cpuPerRequest(nestFlat);
    const simpleLoss = cpuPerRequest(simple) / cpuPerRequest(simpleFlat);
    expect(nestLoss).toBeGreaterThan(1);
    expect(nestLoss).toBeLessThan(simpleLoss - 0.02);
  });

  it("with a flat turbo table the gain disappears: both need the same CPU time per request (within 1 %)", () => {
    expect(Math.abs(cpuPerRequest(nestFlat) / cpuPerRequest(simpleFlat) - 1)).toBeLessThan(0.01);
  });
});

describe("lavd's frequency policy under schedutil (update_cpuperf_target in lavd_running)", () => {
  it("changes lavd's results: lightly loaded CPUs run slower than with --no-freq-scaling", () => {
    const scaled = run("lavd", SCHEDUTIL), pinned = run("lavd", SCHEDUTIL, { no_freq_scaling: "true" });
    expect(cpuPerRequest(scaled)).toBeGreaterThan(cpuPerRequest(pinned) * 1.1);
    expect(scaled.groups.request.requestLatencyNs.p50).toBeGreaterThan(pinned.groups.request.requestLatencyNs.p50);
  });

  it("and no_freq_scaling leaves lavd as fast as on a machine without frequency scaling, apart from the turbo limit", () => {
    const pinned = run("lavd", SCHEDUTIL, { no_freq_scaling: "true" }), flat = run("lavd", NO_SCALING, { no_freq_scaling: "true" });
    expect(cpuPerRequest(pinned)).toBeGreaterThanOrEqual(cpuPerRequest(flat));
    expect(cpuPerRequest(pinned)).toBeLessThan(cpuPerRequest(flat) * 1.35); // 3700 / 2800 at most
  });

  it("is inert under the default performance governor: lavd runs as with no_freq_scaling", () => {
    const lavd = run("lavd"), pinned = run("lavd", undefined, { no_freq_scaling: "true" });
    expect(cpuPerRequest(lavd)).toBeCloseTo(cpuPerRequest(pinned), -1);
    expect(cpuPerRequest(lavd)).toBeLessThan(cpuPerRequest(run("lavd", SCHEDUTIL)) / 1.1);
  });
});

describe("schedutil governs the fair class (sugov_get_util, get_next_freq)", () => {
  it("a light load lets fair's CPUs slow down: more CPU time per request than without frequency scaling", () => {
    expect(cpuPerRequest(run("fair", SCHEDUTIL))).toBeGreaterThan(cpuPerRequest(run("fair", NO_SCALING)) * 1.2);
  });

  it("under the default governor fair and simple are slowed by the same turbo limit only", () => {
    const fair = cpuPerRequest(run("fair")), simple = cpuPerRequest(run("simple"));
    expect(Math.abs(fair / simple - 1)).toBeLessThan(0.02);
    expect(fair).toBeGreaterThan(cpuPerRequest(run("fair", NO_SCALING)));
  });
});
