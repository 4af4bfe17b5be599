/** Hand-written rt-app-style files (our own, in rt-app's style) parse to the plans they mean. */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WorkloadPlan } from "../../sim/plan.js";
import { loadWorkload } from "../../workloads/load.js";
import { PHASE_FOREVER, parseWorkload } from "../../workloads/parse.js";
import { checkPlan, run, sleep, task } from "./helpers.js";

const dir = new URL("./fixtures/", import.meta.url);
const fixture = (name: string): WorkloadPlan => parseWorkload(readFileSync(new URL(name, dir), "utf8"), name);
const byName = (p: WorkloadPlan, name: string) => p.tasks.find((t) => t.name === name)!;

describe("every fixture", () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith(".json")))("%s parses to a valid plan", (f) => {
    checkPlan(fixture(f));
  });

  it("loads by path too", () => {
    const path = new URL("phases.json", dir).pathname;
    expect(loadWorkload(path, {})).toEqual(fixture("phases.json"));
  });
});

describe("fixture contents", () => {
  it("periodic.json: per-instance and shared timers, rt-app globals silent", () => {
    const p = fixture("periodic.json");
    expect(p.durationS).toBe(3);
    expect(p.warnings).toEqual([]);
    expect(byName(p, "audio")).toEqual(task("audio", [
      run(800), { kind: "timer", ref: "unique_audio", periodUs: 5000, mode: "relative", shared: false },
    ], { instances: 2, nice: -10 }));
    expect(byName(p, "video-render").phases[0]!.events[1]).toEqual(
      { kind: "timer", ref: "vsync", periodUs: 16667, mode: "absolute", shared: true });
    expect(byName(p, "video-render").delayUs).toBe(2000);
  });

  it("phases.json: three phases looped four times", () => {
    const p = fixture("phases.json");
    expect(p).toEqual({
      name: "phases", durationS: null, cgroups: [], barriers: {}, warnings: [],
      tasks: [task("staged", [], {
        loop: 4, cpus: [0, 1],
        phases: [
          { name: "warmup", loop: 5, events: [run(500), sleep(4500)] },
          { name: "busy", loop: 20, events: [run(9000), sleep(1000)] },
          { name: "idle", loop: 1, events: [run(100), sleep(50000)] },
        ],
      })],
    });
  });

  it("fork.json: fork-join of three helpers at a barrier", () => {
    const p = fixture("fork.json");
    const fork = { kind: "fork", task: "helper" } as const;
    expect(p.tasks).toEqual([
      task("spawner", [run(200), fork, fork, fork, { kind: "barrier", ref: "batch-done" }, sleep(50000)], { loop: 10 }),
      task("helper", [run(3000), { kind: "barrier", ref: "batch-done" }], { instances: 0, loop: 1, forkOnly: true }),
    ]);
    expect(p.barriers).toEqual({ "batch-done": 4 });
  });

  it("barrier.json: repeated keys and trailing commas, two barriers of two", () => {
    const p = fixture("barrier.json");
    expect(p.barriers).toEqual({ one: 2, two: 2 });
    expect(byName(p, "left").phases[0]!.events.map((e) => e.kind)).toEqual(["runtime", "sleep", "barrier", "runtime", "barrier"]);
    expect(p.warnings).toEqual([]);
  });

  it("mutex-condvar.json: sync is signal then wait; an endless phase ends the task's program", () => {
    const p = fixture("mutex-condvar.json");
    expect(byName(p, "client").phases[0]!.events).toEqual([
      run(300),
      { kind: "lock", ref: "binder" },
      { kind: "signal", ref: "turn" },
      { kind: "wait", ref: "turn", mutex: "binder" },
      { kind: "unlock", ref: "binder" },
      sleep(2000),
    ]);
    expect(byName(p, "server").phases.map((ph) => [ph.name, ph.loop])).toEqual([["start", 1], ["serve", PHASE_FOREVER]]);
    expect(byName(p, "logger").instances).toBe(2);
    expect(p.warnings).toEqual([]);
  });

  it("suspend-resume.json: empty suspend is the task's own name, yield kept", () => {
    const p = fixture("suspend-resume.json");
    expect(byName(p, "ui").phases[0]!.events).toEqual([
      { kind: "suspend", ref: "ui" }, run(1500), { kind: "resume", ref: "worker" }, run(200),
    ]);
    expect(byName(p, "compositor").phases[0]!.events.at(-1)).toEqual({ kind: "yield" });
    expect(byName(p, "worker").nice).toBe(5);
  });

  it("policies.json: RT and deadline policies run as written, taskgroups become cgroups, deadline kept", () => {
    const p = fixture("policies.json");
    expect(p.warnings).toEqual([]);
    expect(byName(p, "rt").rtPriority).toBe(50);
    expect(p.tasks.map((t) => [t.name, t.policy, t.taskgroup])).toEqual([
      ["rt", "SCHED_FIFO", null], ["edf", "SCHED_DEADLINE", null], ["web", "SCHED_OTHER", "/app/web"],
      ["db", "SCHED_BATCH", "/app/db"], ["janitor", "SCHED_IDLE", "/app/web"],
    ]);
    expect(byName(p, "edf").deadline).toEqual({ runtimeUs: 2000, periodUs: 20000, deadlineUs: 10000 });
    expect(p.cgroups).toEqual([{ path: "/app/web", weight: 200 }, { path: "/app/db", weight: 100 }]);
  });

  it("openloop.json: arrivals, distributions, hints and a fork-only logger", () => {
    const p = fixture("openloop.json");
    expect(byName(p, "request")).toEqual(task("request", [
      run({ dist: "mix", of: [
        { weight: 9, value: { dist: "exp", mean: 200 } },
        { weight: 1, value: { dist: "pareto", scale: 1000, shape: 1.8 } },
      ] }),
      { kind: "fork", task: "logger" },
    ], { instances: 0, loop: 1, arrivals: { process: "poisson", rate: 2000 }, expectedRunUs: 400 }));
    expect(byName(p, "logger").forkOnly).toBe(true);
    expect(byName(p, "tick").arrivals).toEqual({ process: "periodic", rate: 100, max: 400 });
    expect(p.warnings).toEqual([]);
  });
});

describe("the README", () => {
  it("example parses without warnings", () => {
    const readme = readFileSync(new URL("../../workloads/README.md", import.meta.url), "utf8");
    const example = /```jsonc\n([\s\S]*?)```/.exec(readme)![1]!;
    const p = parseWorkload(example, "example.json");
    checkPlan(p);
    expect(p.warnings).toEqual([]);
    expect(p.tasks.map((t) => t.name)).toEqual(["ui", "batch", "web", "vsync"]);
  });
});
