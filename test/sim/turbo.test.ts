/**
 * The package turbo limit (sim/turbo.ts), after Intel's turbo ratio limits: MSR_TURBO_RATIO_LIMIT
 * holds one ratio per active-core count (turbostat: "max turbo N active cores"), a core counts as
 * active until it is power-gated (C6 in intel_idle's skx_cstates), and SMT threads of one core
 * count once. Levels are relative to the one-core turbo frequency (schedutil's cpuinfo.max_freq).
 */
import { describe, expect, it } from "vitest";
import { Machine } from "../../sim/machine.js";
import { flatTopology, resolveTopology, type Topology } from "../../sim/topology.js";
import { IDEAL_COSTS, type CostModel } from "../../sim/costs.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import { hog, plan, task } from "../helpers/plan.js";

const US = 1_000, MS = 1_000_000, S = 1_000_000_000;

/** 4 GHz with one active core, 3 GHz with two, 2 GHz with three or more. */
const BINS: Partial<CostModel> = { turboMhz: [4000, 3000, 2000] };

function machine(p: WorkloadPlan, topology: Topology, costs: Partial<CostModel>): Machine {
  return new Machine({
    topology, plan: p, seed: 1, overheads: true, costs: { ...IDEAL_COSTS, ...costs }, tickBoundSlices: false,
    job: { scheduler: "test", options: {}, workload: p.name, params: {}, topology: topology.name, cpus: topology.nrCpus, seed: 1, durationNs: S, overheads: true },
  });
}

/** Work done by the task named `name` (its CPU time at full speed) over `ns` from now. */
function workOver(m: Machine, name: string, ns: number): number {
  const t = m.kernel.tasks.find((x) => x.comm.startsWith(name))!;
  const before = m.kernel.workLeftNs(t);
  m.runFor(ns);
  return before - m.kernel.workLeftNs(t);
}

describe("turbo by active-core count (MSR_TURBO_RATIO_LIMIT)", () => {
  it("one busy core runs at the one-core turbo: full speed", () => {
    const m = machine(plan([hog("a", 0, { cpus: [0] })]), flatTopology(4), BINS);
    m.runFor(MS);
    expect(workOver(m, "a", 10 * MS)).toBeCloseTo(10 * MS, -1);
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(1);
  });

  it("two busy cores run at 3000/4000 of it, three at 2000/4000, and each change reaches the running tasks at once", () => {
    const two = machine(plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [1] })]), flatTopology(4), BINS);
    two.runFor(MS);
    expect(two.kernel.perf.current(0)).toBe(768);
    expect(workOver(two, "a", 10 * MS)).toBeCloseTo(7.5 * MS, -1);
    const three = machine(plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [1] }), hog("c", 0, { cpus: [2] })]), flatTopology(4), BINS);
    three.runFor(MS);
    expect(three.kernel.perf.current(0)).toBe(512);
    expect(workOver(three, "a", 10 * MS)).toBeCloseTo(5 * MS, -1);
  });

  it("more active cores than the table lists keep its last entry", () => {
    const m = machine(plan([0, 1, 2, 3].map((c) => hog(`h${c}`, 0, { cpus: [c] }))), flatTopology(4), BINS);
    m.runFor(MS);
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(4);
    expect(m.kernel.perf.current(3)).toBe(512);
  });

  it("the two SMT threads of one core count as one active core", () => {
    const smt = resolveTopology("2x8-smt"); // CPU c and c + 8 are siblings
    const m = machine(plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [8] })]), smt, { ...BINS, smtSpeed: 1 });
    m.runFor(MS);
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(1);
    expect(workOver(m, "a", 10 * MS)).toBeCloseTo(10 * MS, -1);
  });

  it("each package (NUMA node) has its own count", () => {
    const twoSockets = resolveTopology("2s-2llc-8c-smt");
    const a = twoSockets.nodeOf.indexOf(0), b = twoSockets.nodeOf.indexOf(1);
    const m = machine(plan([hog("a", 0, { cpus: [a] }), hog("b", 0, { cpus: [b] })]), twoSockets, { ...BINS, smtSpeed: 1 });
    m.runFor(MS);
    expect([m.kernel.perf.turbo.activeCoresOf(0), m.kernel.perf.turbo.activeCoresOf(1)]).toEqual([1, 1]);
    expect(m.kernel.perf.current(a)).toBe(1024);
  });

  it("an idle core keeps counting until it reaches the power-gated state (C6 after its 600 µs residency), then the busy core speeds up", () => {
    const states = {
      idleStates: [
        { name: "POLL", residencyNs: 0, exitNs: 0, polls: true },
        { name: "C1", residencyNs: 2 * US, exitNs: 2 * US, polls: false },
        { name: "C6", residencyNs: 600 * US, exitNs: 100 * US, polls: false, powerGated: true },
      ],
    };
    const p = plan([hog("a", 0, { cpus: [0] }), task("b", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 100_000 }], { cpus: [1] })]);
    const m = machine(p, flatTopology(2), { ...BINS, ...states });
    m.runFor(500 * US);
    expect(m.kernel.perf.current(0)).toBe(768);
    // b's 1 ms of work takes 1.33 ms at 768: it is idle from then on.
    m.runFor(1300 * US); // b idle about 470 µs: not yet C6, still active
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(2);
    expect(m.kernel.perf.current(0)).toBe(768);
    m.runFor(200 * US); // idle about 670 µs: power-gated
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(1);
    expect(m.kernel.perf.current(0)).toBe(1024);
  });

  it("without a power-gated state an idle core never stops counting", () => {
    const p = plan([hog("a", 0, { cpus: [0] }), task("b", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 100_000 }], { cpus: [1] })]);
    const m = machine(p, flatTopology(2), { ...BINS, idleStates: [{ name: "C1", residencyNs: 0, exitNs: 2 * US, polls: false }] });
    m.runFor(50 * MS);
    expect(m.kernel.perf.turbo.activeCoresOf(0)).toBe(2);
    expect(m.kernel.perf.current(0)).toBe(768);
  });

  it("a flat table, an empty one and the ideal machine never cap", () => {
    for (const costs of [{ turboMhz: [3000, 3000] }, { turboMhz: [] }, {}]) {
      const m = machine(plan([0, 1, 2].map((c) => hog(`h${c}`, 0, { cpus: [c] }))), flatTopology(4), costs);
      m.runFor(MS);
      expect(m.kernel.perf.current(0)).toBe(1024);
    }
  });

  it("the cap and the CPU's own level combine as the lower of the two (scx_bpf_cpuperf_cur reads it)", () => {
    const m = machine(plan([0, 1, 2].map((c) => hog(`h${c}`, 0, { cpus: [c] }))), flatTopology(4), { ...BINS, perfMin: 100 });
    m.runFor(MS);
    m.kernel.perf.set(0, 300); // 375 with schedutil's headroom: below the 3-core cap of 512
    m.kernel.perf.set(1, 700); // 875: above it
    m.runFor(MS);
    expect([m.kernel.perf.current(0), m.kernel.perf.current(1)]).toEqual([375, 512]);
    expect(m.scxApi.cpuperfCur(1 as never)).toBe(512);
  });
});
