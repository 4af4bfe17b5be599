import { describe, expect, it } from "vitest";
import { plan, run, task } from "./helpers.js";

const first = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) => plan({ t: { run: 1, ...t } }, extra);

describe("scheduling properties", () => {
  it("priority is the nice value for SCHED_OTHER; nice is an alias", () => {
    expect(first({ priority: -5 }).tasks[0]!.nice).toBe(-5);
    expect(first({ nice: 7 }).tasks[0]!.nice).toBe(7);
    expect(first({ priority: 3, nice: 3 }).tasks[0]!.nice).toBe(3);
  });

  it("SCHED_BATCH, SCHED_IDLE and SCHED_EXT pass through", () => {
    for (const policy of ["SCHED_BATCH", "SCHED_IDLE", "SCHED_EXT", "SCHED_OTHER"]) {
      const p = first({ policy, priority: 2 });
      expect([p.tasks[0]!.policy, p.tasks[0]!.nice, p.warnings]).toEqual([policy, 2, []]);
    }
  });

  it("SCHED_FIFO and SCHED_RR run as written: priority is the RT priority (1 when absent), nice may still be given", () => {
    const p = first({ policy: "SCHED_FIFO", priority: 50, nice: -3 });
    expect([p.tasks[0]!.policy, p.tasks[0]!.rtPriority, p.tasks[0]!.nice, p.warnings]).toEqual(["SCHED_FIFO", 50, -3, []]);
    const rr = first({ policy: "SCHED_RR" });
    expect([rr.tasks[0]!.policy, rr.tasks[0]!.rtPriority, rr.warnings]).toEqual(["SCHED_RR", 1, []]);
    expect(() => first({ policy: "SCHED_RR", priority: 100 })).toThrow("1..99 for SCHED_FIFO/SCHED_RR), got 100");
    expect(() => plan({ t: { phases: { a: { run: 1 }, b: { policy: "SCHED_FIFO", priority: -2, run: 1 } } } }))
      .toThrow("w.json: tasks.t.phases.b.priority: expected an RT priority from 1 to 99 for SCHED_FIFO, got -2");
  });

  it("SCHED_DEADLINE keeps dl-runtime/dl-period/dl-deadline as the deadline", () => {
    const p = first({ policy: "SCHED_DEADLINE", "dl-runtime": 2000, "dl-period": 20000, "dl-deadline": 10000 });
    expect(p.tasks[0]).toEqual(task("t", [run(1)], { policy: "SCHED_DEADLINE", deadline: { runtimeUs: 2000, periodUs: 20000, deadlineUs: 10000 } }));
    expect(p.warnings).toEqual([]);
  });

  it("dl-* defaults: period = deadline or runtime, deadline = period; allowed without SCHED_DEADLINE as a hint", () => {
    expect(first({ "dl-runtime": 5 }).tasks[0]!.deadline).toEqual({ runtimeUs: 5, periodUs: 5, deadlineUs: 5 });
    expect(first({ "dl-runtime": 5, "dl-period": 50 }).tasks[0]!.deadline).toEqual({ runtimeUs: 5, periodUs: 50, deadlineUs: 50 });
    expect(first({ "dl-runtime": 5, "dl-deadline": 20 }).tasks[0]!.deadline).toEqual({ runtimeUs: 5, periodUs: 20, deadlineUs: 20 });
    expect(first({ "dl-runtime": 5, "dl-period": 50 }).warnings).toEqual([]);
  });

  it("dl-runtime alone on SCHED_OTHER/BATCH/IDLE is rt-app's custom slice (custom-slice.json), also kept as the deadline hint", () => {
    const p = first({ "dl-runtime": 5 });
    expect([p.tasks[0]!.sliceUs, p.tasks[0]!.deadline?.runtimeUs, p.warnings]).toEqual([5, 5, []]);
    expect(first({ "dl-runtime": 500, policy: "SCHED_IDLE" }).tasks[0]!.sliceUs).toBe(500);
    expect(first({ "dl-runtime": 5, "dl-period": 50 }).tasks[0]!.sliceUs).toBeUndefined();
  });

  it("default_policy applies to tasks without a policy, an RT one too", () => {
    const p = plan({ a: { run: 1 }, b: { run: 1, policy: "SCHED_OTHER" } }, { global: { default_policy: "SCHED_BATCH" } });
    expect(p.tasks.map((t) => t.policy)).toEqual(["SCHED_BATCH", "SCHED_OTHER"]);
    const rt = plan({ a: { run: 1 }, b: { run: 1 } }, { global: { default_policy: "SCHED_FIFO" } });
    expect(rt.tasks.map((t) => [t.policy, t.rtPriority])).toEqual([["SCHED_FIFO", 1], ["SCHED_FIFO", 1]]);
    expect(rt.warnings).toEqual([]);
  });

  it("cpus become a sorted set", () => {
    expect(first({ cpus: [3, 1, 3, 0] }).tasks[0]!.cpus).toEqual([0, 1, 3]);
  });

  it("taskgroup as a path or {path, cpu.weight}; every group used lands in cgroups", () => {
    const p = plan({
      a: { run: 1, taskgroup: "/app/web" },
      b: { run: 1, taskgroup: { path: "/app/db", "cpu.weight": 300 } },
      c: { run: 1, taskgroup: { path: "/app/web", "cpu.weight": 50 } },
      d: { run: 1, taskgroup: "" },
      e: { run: 1, taskgroup: "/" },
    });
    expect(p.tasks.map((t) => t.taskgroup)).toEqual(["/app/web", "/app/db", "/app/web", null, null]);
    expect(p.cgroups).toEqual([{ path: "/app/web", weight: 50 }, { path: "/app/db", weight: 300 }]);
    expect(p.warnings).toEqual([]);
  });

  it("cpu.max is accepted but not modelled", () => {
    const p = first({ taskgroup: { path: "/g", "cpu.max": "50000 100000" } });
    expect(p.warnings).toEqual(['w.json: tasks.t.taskgroup["cpu.max"]: bandwidth limits are not modelled; ignored']);
    expect(p.cgroups).toEqual([{ path: "/g", weight: 100 }]);
  });

  it("util_min, util_max and membind_nodes are accepted and warned", () => {
    expect(first({ util_min: 100, util_max: 800, membind_nodes: [0] }).warnings).toEqual([
      "w.json: tasks.t.util_min: not modelled; ignored",
      "w.json: tasks.t.util_max: not modelled; ignored",
      "w.json: tasks.t.membind_nodes: not modelled; ignored",
    ]);
  });
});

describe("properties set in phases", () => {
  it("the first phase's values are the task's start; each phase's changes are in the plan (rt-app example8's shape)", () => {
    const p = plan({
      t: {
        cpus: [2], priority: 1,
        phases: { p1: { cpus: [0], run: 1 }, p2: { cpus: [1], policy: "SCHED_BATCH", run: 1 }, p3: { run: 1 } },
      },
    });
    const t = p.tasks[0]!;
    expect([t.cpus, t.nice, t.policy]).toEqual([[0], 1, "SCHED_OTHER"]);
    // cpus falls back to the task's in a phase without its own; policy stays once set
    expect(t.phases.map((ph) => ph.set)).toEqual([{ cpus: [0] }, { policy: "SCHED_BATCH", cpus: [1] }, { cpus: [2] }]);
    expect(p.warnings).toEqual([]);
  });

  it("agreeing values do not warn", () => {
    const p = plan({ t: { nice: 2, phases: { a: { nice: 2, run: 1 }, b: { nice: 2, run: 1 } } } });
    expect([p.tasks[0]!.nice, p.warnings]).toEqual([2, []]);
  });

  it("a policy set only in a later phase is carried by that phase: the task starts with the default", () => {
    const p = plan({ t: { phases: { a: { run: 1 }, b: { policy: "SCHED_BATCH", run: 1 } } } });
    expect(p.tasks[0]!.policy).toBe("SCHED_OTHER");
    expect(p.tasks[0]!.phases.map((ph) => ph.set)).toEqual([undefined, { policy: "SCHED_BATCH" }]);
    expect(p.warnings).toEqual([]);
  });

  it("taskgroups set by phases (rt-app example11's shape): moved per phase, root as null, every group listed", () => {
    const p = plan({ t: { loop: -1, phases: { a: { run: 1, sleep: 1, taskgroup: "/g1/g11" }, b: { run: 1, sleep: 1 }, c: { run: 1, sleep: 1, taskgroup: "/" } } } });
    const t = p.tasks[0]!;
    expect(t.taskgroup).toBe("/g1/g11");
    expect(t.phases.map((ph) => ph.set)).toEqual([{ taskgroup: "/g1/g11" }, undefined, { taskgroup: null }]);
    expect(p.cgroups).toEqual([{ path: "/g1/g11", weight: 100 }]);
  });

  it("priority is a nice value in a phase under SCHED_OTHER, not under SCHED_FIFO", () => {
    const p = plan({ t: { phases: { a: { priority: 3, run: 1 }, b: { policy: "SCHED_FIFO", priority: 50, run: 1 } } } });
    expect(p.tasks[0]!.phases.map((ph) => ph.set)).toEqual([{ nice: 3 }, { policy: "SCHED_FIFO", rtPriority: 50 }]);
  });
});

describe("our extensions", () => {
  it("arrivals: open loop, no instances at time 0, each arrival runs the phases once", () => {
    const p = plan({ req: { arrivals: { process: "poisson", rate: 100 }, run: { dist: "exp", mean: 50 } } });
    expect(p.tasks[0]).toEqual(task("req", [run({ dist: "exp", mean: 50 })], {
      instances: 0, loop: 1, arrivals: { process: "poisson", rate: 100 },
    }));
  });

  it("arrivals: process defaults to poisson; periodic with a cap", () => {
    expect(plan({ r: { arrivals: { rate: 5 }, run: 1 } }).tasks[0]!.arrivals).toEqual({ process: "poisson", rate: 5 });
    expect(plan({ r: { arrivals: { process: "periodic", rate: 5, max: 10 }, run: 1 } }).tasks[0]!.arrivals)
      .toEqual({ process: "periodic", rate: 5, max: 10 });
  });

  it("fork_only: started only by fork events", () => {
    const p = plan({ boss: { loop: 1, fork: "kid", sleep: 5 }, kid: { fork_only: true, loop: 1, run: 1 } });
    expect(p.tasks[1]).toEqual(task("kid", [run(1)], { instances: 0, loop: 1, forkOnly: true }));
  });

  it("a fork target without instance starts once at time 0 and again at each fork (rt-app example9: 4 threads); instance 0 only by fork", () => {
    const p = plan({
      boss: { loop: 1, fork: "a", fork1: "b", fork2: "c", sleep: 5 },
      a: { loop: 1, run: 1 }, b: { instance: 0, loop: 1, run: 1 }, c: { instance: 2, loop: 1, run: 1 },
    });
    expect(p.tasks.slice(1).map((t) => [t.name, t.forkOnly, t.instances])).toEqual([["a", false, 1], ["b", true, 0], ["c", false, 2]]);
    expect(p.warnings).toEqual([]);
  });

  it("fork_only: false keeps a fork target started", () => {
    const p = plan({ boss: { loop: 1, fork: "a", sleep: 5 }, a: { fork_only: false, loop: 1, run: 1 } });
    expect([p.tasks[1]!.forkOnly, p.tasks[1]!.instances]).toEqual([false, 1]);
  });

  it("a fork-only task keeps its delay: as in rt-app, a forked copy does not start before it", () => {
    const p = plan({ boss: { loop: 1, fork: "a", sleep: 5 }, a: { instance: 0, delay: 100, loop: 1, run: 1 } });
    expect(p.tasks[1]!.delayUs).toBe(100);
    expect(p.warnings).toEqual([]);
  });
});
