/**
 * lavd's power modes and core compaction, each against the upstream function it follows
 * (sched-ext/scx scheds/rust/scx_lavd: src/bpf/power.bpf.c, idle.bpf.c, main.bpf.c, src/main.rs,
 * src/cpu_order.rs).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";
import type { RunResult } from "../../../sim/result.js";
import type { Scx, ScxTask } from "../../../sim/ext/ops.js";
import { asCpu } from "../../../sim/ext/consts.js";
import { LavdPower, cpuOrder, type PowerOptions } from "../../../schedulers/lavd_power.js";
import { findScheduler } from "../../../schedulers/index.js";
import { OptionError } from "../../../schedulers/options.js";
import { fakeScx } from "../lib/fake_scx.js";
import { Machine } from "../../../sim/machine.js";
import { flatTopology } from "../../../sim/topology.js";
import { IDEAL_COSTS } from "../../../sim/costs.js";
import { LavdScheduler, options as lavdOptions } from "../../../schedulers/lavd.js";
import { resolveOptions } from "../../../schedulers/options.js";

const NONE: PowerOptions = { autopilot: false, autopower: false, performance: false, powersave: false, balanced: false, no_core_compaction: false };

/** A power model over a fake machine whose kicks and statistics are recorded. */
function power(topology: string, o: Partial<PowerOptions> = {}, smt = false) {
  const f = fakeScx(topology);
  const kicks: number[] = [], stats: string[] = [];
  const scx = Object.assign(Object.create(f.scx) as Scx, {
    kickCpu: (c: number) => { kicks.push(c); },
    stat: (name: string) => { stats.push(name); },
    randomU32: () => 1,
  });
  return { pw: new LavdPower(scx, { ...NONE, ...o }, smt), kicks, stats };
}

/** Distinct CPUs that started a slice after `fromNs`. */
function cpusAfter(r: RunResult, fromNs: number): number {
  const tl = r.timeline!, seen = new Set<number>();
  for (let i = 0; i < tl.cpu.length; i++) if (tl.startNs[i] >= fromNs && tl.cls[i] === 1) seen.add(tl.cpu[i]);
  return seen.size;
}

/** 16 light tasks (0.2 ms of work every ~10 ms) on 8 CPUs: about 4 % busy. */
const light = plan([task("l", [{ kind: "run", us: 200 }, { kind: "sleep", us: { dist: "exp", mean: 10_000 } }], { instances: 16 })]);

describe("lavd power modes and core compaction (power.bpf.c)", () => {
  it("do_autopilot: powersave while the need is at most half a CPU, balanced up to 50 % of the capacity without SMT (25 % with), performance above", () => {
    const { pw } = power("8");
    const mode = (util: number) => { pw.update(util, () => false); return pw.mode; };
    expect(pw.mode).toBe("balanced"); // the loader's first set_power_profile
    expect(mode(512 / (8 * 1024))).toBe("powersave");
    expect(mode(513 / (8 * 1024))).toBe("balanced");
    expect(mode(0.5)).toBe("balanced");
    expect(mode(0.51)).toBe("performance");
    const smt = power("2x8-smt", {}, true).pw;
    smt.update(0.26, () => false);
    expect(smt.mode).toBe("performance");
  });

  it("calc_nr_active_cpus without an energy model: CPUs at half their capacity until the need + 25 % is met (10 % of 8 CPUs → 1024 → 2 CPUs; 40 % → all 8)", () => {
    const { pw } = power("8", { balanced: true });
    pw.update(0.1, () => false);
    expect(pw.nrActive).toBe(2);
    expect(Array.from(pw.active).reduce((a, b) => a + b, 0)).toBe(2);
    pw.update(0.3, () => false);
    expect(pw.nrActive).toBe(6);
    pw.update(0.4, () => false);
    expect(pw.nrActive).toBe(8);
    expect(pw.useFullCpus()).toBe(true);
  });

  it("do_core_compaction: a CPU left out joins the overflow set while something waits for it, else leaves it (kept 1 time in 25); active and overflow CPUs are kicked", () => {
    const { pw, kicks } = power("8", { balanced: true });
    pw.update(0.05, (c) => c === 5);
    expect(pw.nrActive).toBe(1);
    expect(pw.active[0]).toBe(1);
    expect(pw.ovrflw[5]).toBe(1);
    expect(kicks.sort()).toEqual([0, 5]);
    pw.update(0.05, () => false); // randomU32() = 1: 1 % 25 ≠ 0, so it leaves
    expect(pw.ovrflw[5]).toBe(0);
  });

  it("do_set_power_profile + reinit_active_cpumask_for_performance: switching to performance makes every CPU active again and kicks them", () => {
    const { pw, kicks, stats } = power("8");
    pw.update(0.05, () => false);
    expect(pw.nrActive).toBeLessThan(8);
    kicks.length = 0;
    pw.update(0.9, () => false);
    expect(pw.mode).toBe("performance");
    expect(pw.nrActive).toBe(8);
    expect(Array.from(pw.active)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(kicks.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(stats).toEqual(["pm_powersave", "pm_performance"]);
  });

  it("main.rs Opts::proc: performance mode and --no-core-compaction never compact; powersave and balanced do not autopilot", () => {
    for (const o of [{ performance: true }, { no_core_compaction: true }, { performance: true, no_core_compaction: true }]) {
      const { pw } = power("8", o);
      pw.update(0.01, () => false);
      expect(pw.nrActive).toBe(8);
      expect(pw.compaction).toBe(false);
    }
    const save = power("8", { powersave: true }).pw;
    save.update(0.9, () => false);
    expect(save.mode).toBe("powersave");
    const auto = power("8", { autopower: true }).pw; // no OS power profile: balanced, as upstream with an unknown one
    auto.update(0.9, () => false);
    expect(auto.mode).toBe("balanced");
  });

  it("main.rs Opts::can_*: conflicting mode options are refused with one line naming both", () => {
    const make = (raw: Record<string, boolean>) => () => findScheduler("lavd").create(fakeScx("4").scx, raw);
    expect(make({ performance: true, powersave: true })).toThrow(OptionError);
    expect(make({ autopilot: true, balanced: true })).toThrow(/option autopilot cannot be used with balanced/);
    expect(make({ powersave: true, no_core_compaction: true })).toThrow(/powersave cannot be used with no_core_compaction/);
    expect(make({ performance: true, no_core_compaction: true })).not.toThrow();
  });

  it("cpu_order.rs build_topo_order: powersave fills both threads of a core first, performance one thread of every core first", () => {
    const scx = fakeScx("2x8-smt").scx;
    const save = cpuOrder(scx, true), perf = cpuOrder(scx, false);
    expect(save[1]).toBe(scx.cpuSibling(save[0]));
    const firstThreads = new Set(perf.slice(0, 8).map((c) => Math.min(c, scx.cpuSibling(c))));
    expect(firstThreads.size).toBe(8);
    expect([...save].sort((a, b) => a - b)).toEqual([...Array(16).keys()]);
  });

  it("find_cpu_in: a task allowed only outside the active set gets the first allowed CPU past the active ones", () => {
    const { pw } = power("8", { balanced: true });
    pw.update(0.1, () => false);
    const p = { cpusAllowed: Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0]), nrCpusAllowed: 2 } as unknown as ScxTask;
    expect(pw.canRunSomewhere(p)).toBe(false);
    expect([5, 6]).toContain(pw.findCpuIn(p));
  });
});

describe("lavd core compaction on a running machine (power.bpf.c, idle.bpf.c pick_idle_cpu, main.bpf.c lavd_dispatch)", () => {
  // pick_idle_cpu keeps an unaffinitized task on its previous CPU while that CPU is idle, so
  // compaction steers the tasks whose previous CPU is busy: here, children forked from a running
  // parent (their previous CPU is the parent's).
  it("under light load (about 3 %) the autopilot's powersave mode keeps a parent's short children on fewer than half of 8 CPUs after the first second; --no-core-compaction spreads them over all 8", () => {
    const forks = plan([
      task("parent", [{ kind: "run", us: 100 }, { kind: "fork", task: "child" }, { kind: "sleep", us: 5_000 }]),
      task("child", [{ kind: "run", us: 1_000 }], { forkOnly: true, instances: 0, loop: 1 }),
    ]);
    const on = run("lavd", forks, { topology: "8", durationNs: 3 * S, timeline: true });
    const off = run("lavd", forks, { topology: "8", durationNs: 3 * S, timeline: true, options: { no_core_compaction: true } });
    expect(on.scx.events.pm_powersave).toBeGreaterThan(200);
    expect(cpusAfter(on, S)).toBeLessThan(4);
    expect(cpusAfter(off, S)).toBe(8);
  });

  it("under heavy load (8 hogs on 8 CPUs) the autopilot goes to performance mode and every CPU is used", () => {
    const r = run("lavd", plan([hog("h", 0, { instances: 8 }), ...light.tasks]), { topology: "8", durationNs: S, timeline: true });
    expect(r.scx.events.pm_performance).toBeGreaterThan(80);
    expect(r.scx.events.pm_powersave ?? 0).toBe(0);
    expect(cpusAfter(r, S / 2)).toBe(8);
  });

  it("--performance disables compaction: the light load keeps all 8 CPUs in use and never leaves performance mode", () => {
    const r = run("lavd", light, { topology: "8", durationNs: 2 * S, timeline: true, options: { performance: true } });
    expect(r.scx.events.pm_performance).toBeGreaterThan(150);
    expect((r.scx.events.pm_balanced ?? 0) + (r.scx.events.pm_powersave ?? 0)).toBe(0);
    expect(cpusAfter(r, S)).toBe(8);
  });

  it("a task allowed only on CPUs outside the active set still runs: the overflow set grows to it (pick_idle_cpu find_cpu_in, lavd_dispatch)", () => {
    const p = plan([...light.tasks, task("far", [{ kind: "run", us: 300 }, { kind: "sleep", us: 5_000 }], { cpus: [6, 7] }), task("pinned", [{ kind: "run", us: 300 }, { kind: "sleep", us: 5_000 }], { cpus: [5] })]);
    const r = run("lavd", p, { topology: "8", durationNs: 2 * S });
    expect(r.groups.far.cpuNs).toBeGreaterThan(100 * MS);
    expect(r.groups.pinned.cpuNs).toBeGreaterThan(100 * MS);
  });

  it("sys_stat.bpf.c collect_sys_stat: the need compaction sizes is the invariant utilisation, the tasks' PELT time plus what the PELT clock shows beyond it (rt_dl_time_invr); scxlab's clock_pelt catches up with wall time whenever a CPU idles (no NO_HZ_IDLE correction), so for CPUs that idle every interval it is the wall utilisation, and slowed-down CPUs, busier for the same work, need more of them", () => {
    const p = plan([task("t", [{ kind: "run", us: 3_000 }, { kind: "sleep", us: 7_000 }], { instances: 8 })]);
    const lavdAt = (raw: Record<string, boolean>): LavdScheduler => {
      const topology = flatTopology(8);
      const m = new Machine({
        topology, plan: p, seed: 1, overheads: true, costs: { ...IDEAL_COSTS, perfLatencyNs: 0, perfMin: 64 }, tickBoundSlices: false,
        job: { scheduler: "lavd", options: {}, workload: p.name, params: {}, topology: topology.name, cpus: 8, seed: 1, durationNs: S, overheads: true },
      });
      const l = new LavdScheduler(m.scxApi, resolveOptions("lavd", lavdOptions, raw));
      m.attach(l, "scx_lavd");
      m.runFor(S);
      return l;
    };
    const scaled = lavdAt({ balanced: true }), full = lavdAt({ balanced: true, no_freq_scaling: true });
    expect(full.avgUtil).toBeGreaterThan(0.25);
    expect(full.avgUtilInvr).toBeCloseTo(full.avgUtil, 6);
    // Slowed down, the same 30 % of work keeps the CPUs busier (about 37 % here), and upstream's
    // invariant figure follows the wall one, so compaction keeps more CPUs active.
    expect(scaled.avgUtil).toBeGreaterThan(1.15 * full.avgUtil);
    expect(scaled.avgUtilInvr).toBeCloseTo(scaled.avgUtil, 6);
    expect(scaled.power.nrActive).toBeGreaterThan(full.power.nrActive);
  });

  it("property: over random workloads and modes nothing is lost or starved and no CPU time is invented", () => {
    const shape = fc.record({
      runUs: fc.integer({ min: 50, max: 3_000 }), sleepUs: fc.integer({ min: 100, max: 30_000 }),
      instances: fc.integer({ min: 1, max: 6 }), pin: fc.option(fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 3 }), { nil: null }),
    });
    const mode = fc.constantFrom<Record<string, boolean>>({}, { powersave: true }, { balanced: true }, { performance: true }, { no_core_compaction: true });
    fc.assert(fc.property(fc.array(shape, { minLength: 1, maxLength: 5 }), mode, fc.integer({ min: 1, max: 1000 }), (shapes, options, seed) => {
      const p = plan(shapes.map((s, i) => task(`g${i}`, [{ kind: "run", us: s.runUs }, { kind: "sleep", us: s.sleepUs }], { instances: s.instances, cpus: s.pin })));
      const r = run("lavd", p, { topology: "8", durationNs: 400 * MS, seed, options });
      let cpu = 0;
      for (const g of Object.values(r.groups)) {
        expect(g.cpuNs).toBeGreaterThan(0);
        cpu += g.cpuNs;
      }
      expect(cpu).toBeLessThanOrEqual(8 * 400 * MS);
    }), { numRuns: 12 });
  });
});
