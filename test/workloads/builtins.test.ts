import { describe, expect, it } from "vitest";
import type { DurationSpec, WorkloadPlan } from "../../sim/plan.js";
import { BUILTINS, DEFAULT_WORKLOAD, findBuiltin } from "../../workloads/builtin/index.js";
import { loadWorkload, resolveParams } from "../../workloads/load.js";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { checkPlan, run, task } from "./helpers.js";

const byName = (p: WorkloadPlan, name: string) => p.tasks.find((t) => t.name === name);

/** Mean of a duration spec, in µs (for load estimates). */
function mean(d: DurationSpec): number {
  if (typeof d === "number") return d;
  switch (d.dist) {
    case "const": return d.value;
    case "exp": case "normal": case "lognormal": return d.mean;
    case "uniform": return (d.min + d.max) / 2;
    case "pareto": return (d.scale * d.shape) / (d.shape - 1);
    case "mix": {
      const w = d.of.reduce((s, a) => s + a.weight, 0);
      return d.of.reduce((s, a) => s + (a.weight / w) * mean(a.value), 0);
    }
  }
}

describe("the registry", () => {
  it("lists the built-ins in priority order, the default first", () => {
    expect(BUILTINS.map((b) => b.name)).toEqual(["mixed", "hogs", "schbench", "hackbench", "pipe", "cyclictest", "compile", "gaming", "server"]);
    expect(DEFAULT_WORKLOAD).toBe("mixed");
    expect(findBuiltin("pipe")?.name).toBe("pipe");
    expect(findBuiltin("nope")).toBeUndefined();
  });

  it.each(BUILTINS.map((b) => [b.name, b] as const))("%s documents itself and its params", (_, b) => {
    expect(b.description.length).toBeGreaterThan(10);
    for (const [key, spec] of Object.entries(b.params)) {
      expect(key).toMatch(/^[a-z_]+$/);
      expect(spec.doc.length).toBeGreaterThan(5);
      if (typeof spec.default === "number") {
        expect(spec.default).toBeGreaterThanOrEqual(spec.min ?? -Infinity);
        expect(spec.default).toBeLessThanOrEqual(spec.max ?? Infinity);
        if (spec.integer) expect(Number.isInteger(spec.default)).toBe(true);
      }
    }
  });
});

describe("every built-in", () => {
  it.each(BUILTINS.map((b) => b.name))("%s builds and parses with defaults, without warnings", (name) => {
    const p = loadWorkload(name, {});
    checkPlan(p);
    expect(p.name).toBe(name);
    expect(p.warnings).toEqual([]);
  });

  it.each(BUILTINS.map((b) => b.name))("%s builds and parses with every param at its min and at its max", (name) => {
    const b = findBuiltin(name)!;
    for (const end of ["min", "max"] as const) {
      const params = Object.fromEntries(Object.entries(b.params).map(([k, s]) => [k, s[end] ?? s.default]));
      const p = loadWorkload(name, params);
      checkPlan(p);
      expect(p.warnings).toEqual([]);
    }
  });

  it.each(BUILTINS.map((b) => b.name))("%s output is plain rt-app-dialect data (survives JSON)", (name) => {
    const b = findBuiltin(name)!;
    const doc = b.build(resolveParams(b, {}));
    expect(parseWorkloadObject(JSON.parse(JSON.stringify(doc)), name)).toEqual(loadWorkload(name, {}));
  });
});

describe("built-in contents", () => {
  it("mixed: loads 4 CPUs at 80-120% with interactive, batch at nice 0 and 5, and an open-loop server", () => {
    const p = loadWorkload("mixed", {});
    expect(p.tasks.map((t) => [t.name, t.instances, t.nice])).toEqual([
      ["interactive", 4, 0], ["batch", 2, 0], ["batch-nice5", 1, 5], ["server", 0, 0],
    ]);
    const inter = byName(p, "interactive")!.phases[0]!.events.map((e) => ("us" in e ? mean(e.us) : 0));
    const server = byName(p, "server")!;
    const cpus = 4 * (inter[0]! / (inter[0]! + inter[1]!)) + 3 + server.arrivals!.rate * mean((server.phases[0]!.events[0] as { us: DurationSpec }).us) / 1e6;
    expect(cpus / 4).toBeGreaterThan(0.8);
    expect(cpus / 4).toBeLessThan(1.2);
    expect(server.arrivals).toEqual({ process: "poisson", rate: 800 });
    expect(server.expectedRunUs).toBe(600);
  });

  it("mixed: zero counts drop those tasks", () => {
    expect(loadWorkload("mixed", { interactive: 0, hogs: 0, niced_hogs: 0 }).tasks.map((t) => t.name)).toEqual(["server"]);
  });

  it("hogs: n always-runnable hogs at one nice", () => {
    expect(loadWorkload("hogs", { n: 8, nice: 5 }).tasks).toEqual([task("hog", [run(100_000)], { instances: 8, nice: 5 })]);
  });

  it("schbench: message threads and workers per message thread", () => {
    const p = loadWorkload("schbench", { message_threads: 3, workers: 4, sleep_us: 50, work_us: 700 });
    expect(p.tasks.map((t) => [t.name, t.instances])).toEqual([["message", 3], ["worker", 12]]);
    expect(byName(p, "worker")!.phases[0]!.events).toEqual([
      { kind: "suspend", ref: "worker" }, { kind: "sleep", us: 50 }, run(700), { kind: "resume", ref: "message" },
    ]);
  });

  it("hackbench: a sender and a receiver task per group, meeting each round", () => {
    const p = loadWorkload("hackbench", { groups: 2, fds: 3, loops: 7 });
    expect(p.tasks.map((t) => [t.name, t.instances, t.loop])).toEqual([
      ["g0-sender", 3, 7], ["g0-receiver", 3, 7], ["g1-sender", 3, 7], ["g1-receiver", 3, 7],
    ]);
    expect(p.barriers).toEqual({ "hackbench-g0": 6, "hackbench-g1": 6 });
    expect(p.durationS).toBeNull();
  });

  it("pipe: two tasks, loops round trips, the second starting after the first suspends; resumes are pipe writes (wake_sync)", () => {
    const p = loadWorkload("pipe", { loops: 10 });
    expect(p.tasks).toEqual([
      task("pong", [{ kind: "suspend", ref: "pong" }, run(2), { kind: "resume", ref: "ping" }], { loop: 10, wakeSync: true }),
      task("ping", [run(2), { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { loop: 10, delayUs: 100, wakeSync: true }),
    ]);
  });

  it("cyclictest: absolute per-thread timers at the interval", () => {
    const p = loadWorkload("cyclictest", { threads: 2, interval_us: 500 });
    expect(p.tasks).toEqual([task("cyclic", [run(10), { kind: "timer", ref: "unique", periodUs: 500, mode: "absolute", shared: false }], { instances: 2 })]);
  });

  it("compile: levels of forked jobs joined at a barrier, then a link", () => {
    const p = loadWorkload("compile", { jobs: 10, parallel: 4 });
    const make = byName(p, "make")!;
    expect(make.phases.map((ph) => [ph.name, ph.loop])).toEqual([["compile", 3], ["link", 1]]);
    expect(make.phases[0]!.events.filter((e) => e.kind === "fork")).toHaveLength(4);
    expect(p.barriers).toEqual({ "compile-level": 5, "compile-link": 2 });
    expect(["cc", "ld"].map((n) => byName(p, n)!.forkOnly)).toEqual([true, true]);
  });

  it("gaming: frame period from fps, a deadline hint, optional helpers and hogs", () => {
    const p = loadWorkload("gaming", { fps: 30, helpers: 0, hogs: 0 });
    expect(p.tasks.map((t) => t.name)).toEqual(["frame"]);
    const frame = p.tasks[0]!;
    expect(frame.deadline).toEqual({ runtimeUs: 13333, periodUs: 33333, deadlineUs: 33333 });
    expect(frame.phases[0]!.events.map((e) => e.kind)).toEqual(["run", "timer"]);
    expect(loadWorkload("gaming", {}).tasks.map((t) => [t.name, t.instances])).toEqual([["frame", 1], ["helper", 2], ["background", 2]]);
  });

  it("server: heavy-tailed sizes whose mean is mean_us", () => {
    const p = loadWorkload("server", { rate: 100, mean_us: 800 });
    const req = p.tasks[0]!;
    expect(req.arrivals).toEqual({ process: "poisson", rate: 100 });
    const size = (req.phases[0]!.events[0] as { us: DurationSpec }).us;
    expect(mean(size)).toBeCloseTo(800, 6);
    expect(typeof size === "object" && size.dist).toBe("mix");
  });
});
