/** Every way a file can be wrong, each with its exact one-line message. */
import { describe, expect, it } from "vitest";
import { parseWorkload, parseWorkloadObject } from "../../workloads/parse.js";
import { errorOf, expectMessage } from "./helpers.js";

const obj = (o: unknown) => () => parseWorkloadObject(o, "w.json");
const tasks = (t: Record<string, unknown>, extra: Record<string, unknown> = {}) => obj({ ...extra, tasks: t });
const one = (t: Record<string, unknown>) => tasks({ t });
/** One test per row, titled by the message it expects. */
const cases = (rows: [() => unknown, string][]) =>
  it.each(rows.map(([fn, message]) => [message, fn] as const))("%s", (message, fn) => expectMessage(fn, message));

describe("the example from the brief", () => {
  it("names file, path, expectation and what was found", () => {
    const e = errorOf(() => parseWorkload('{"tasks": {"web": {"phases": {"p1": {"run": "x"}}}}}', "web.json"));
    expect(e.message).toBe('web.json: tasks.web.phases.p1.run: expected microseconds ≥ 0 or a distribution, got "x"');
    expect([e.file, e.path, e.expected, e.got]).toEqual(["web.json", "tasks.web.phases.p1.run", "microseconds ≥ 0 or a distribution", '"x"']);
  });
});

describe("document and global", () => {
  cases([
    [obj([1]), 'w.json: expected an object with "tasks", got [1]'],
    [obj({}), "w.json: tasks: expected an object of tasks, got nothing"],
    [obj({ tasks: {} }), "w.json: tasks: expected at least one task, got {}"],
    [obj({ tasks: [] }), "w.json: tasks: expected an object of tasks, got []"],
    [tasks({ a: { run: 1 } }, { global: 3 }), "w.json: global: expected an object of global settings, got 3"],
    [tasks({ a: { run: 1 } }, { global: { duration: -2 } }), "w.json: global.duration: expected seconds > 0, or -1 (or 0) to run until the tasks end, got -2"],
    [tasks({ a: { run: 1 } }, { global: { duration: 1e-12 } }), "w.json: global.duration: expected seconds of at least 1 ns (1e-9), or -1 (or 0) to run until the tasks end, got 1e-12"],
    [tasks({ a: { run: 1 } }, { global: { duration: "2" } }), 'w.json: global.duration: expected seconds > 0, or -1 (or 0) to run until the tasks end, got "2"'],
    [tasks({ a: { run: 1 } }, { global: { default_policy: "SCHED_FOO" } }),
      'w.json: global.default_policy: expected one of SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_EXT, SCHED_FIFO, SCHED_RR, SCHED_DEADLINE, got "SCHED_FOO"'],
    [tasks({ a: { run: 1 } }, { resources: [] }), "w.json: resources: expected an object (legacy resources, ignored), got []"],
    [tasks({ "": { run: 1 } }), 'w.json: tasks[""]: expected a non-empty task name, got ""'],
    [tasks({ a: 5 }), "w.json: tasks.a: expected a task object, got 5"],
  ]);
});

describe("task keys", () => {
  cases([
    [one({ instance: -1, run: 1 }), "w.json: tasks.t.instance: expected a whole number of instances from 0 to 100000, got -1"],
    [one({ instance: 1.5, run: 1 }), "w.json: tasks.t.instance: expected a whole number of instances from 0 to 100000, got 1.5"],
    [one({ instance: "2", run: 1 }), 'w.json: tasks.t.instance: expected a whole number of instances from 0 to 100000, got "2"'],
    [one({ loop: 0, run: 1 }), "w.json: tasks.t.loop: expected -1 (forever) or an integer ≥ 1, got 0"],
    [one({ loop: -2, run: 1 }), "w.json: tasks.t.loop: expected -1 (forever) or an integer ≥ 1, got -2"],
    [one({ delay: -5, run: 1 }), "w.json: tasks.t.delay: expected microseconds ≥ 0, got -5"],
    [one({ expected_run: "fast", run: 1 }), 'w.json: tasks.t.expected_run: expected microseconds ≥ 0, got "fast"'],
    [one({ wake_sync: "yes", run: 1 }), 'w.json: tasks.t.wake_sync: expected true or false, got "yes"'],
    [one({ phases: {} }), "w.json: tasks.t.phases: expected at least one phase, got {}"],
    [one({ phases: [] }), "w.json: tasks.t.phases: expected an object of phases, got []"],
    [one({ phases: { p: 1 } }), "w.json: tasks.t.phases.p: expected a phase object, got 1"],
    [one({ phases: { p: { loop: 0, run: 1 } } }), "w.json: tasks.t.phases.p.loop: expected -1 (forever) or an integer ≥ 1, got 0"],
    [one({ loop: 1 }), 'w.json: tasks.t: expected at least one event the simulator models (run, sleep, timer ...), got {"loop":1}'],
    [one({ phases: { p: { mem: 5 } } }), 'w.json: tasks.t.phases.p: expected at least one event the simulator models (run, sleep, timer ...), got {"mem":5}'],
    [one({ fork_only: "yes", run: 1 }), 'w.json: tasks.t.fork_only: expected true or false, got "yes"'],
    [one({ fork_only: true, instance: 3, run: 1 }), "w.json: tasks.t.instance: expected no instance count on a fork_only task (fork events start it), got 3"],
    [one({ fork_only: false, instance: 0, run: 1 }), "w.json: tasks.t.fork_only: expected true or nothing with instance 0 (such a task only starts by fork), got false"],
  ]);
});

describe("arrivals", () => {
  const arr = (a: unknown, more: Record<string, unknown> = {}) => one({ arrivals: a, run: 1, ...more });
  cases([
    [arr(5), 'w.json: tasks.t.arrivals: expected an object {"process": "poisson"|"periodic", "rate": per second, "max"?}, got 5'],
    [arr({ rate: 0 }), "w.json: tasks.t.arrivals.rate: expected arrivals per second, > 0 and ≤ 1e7, got 0"],
    [arr({ process: "burst", rate: 1 }), 'w.json: tasks.t.arrivals.process: expected "poisson" or "periodic", got "burst"'],
    [arr({ rate: 1, max: 0 }), "w.json: tasks.t.arrivals.max: expected an integer ≥ 1 (arrivals before stopping), got 0"],
    [arr({ rate: 1 }, { instance: 2 }), "w.json: tasks.t.instance: expected no instance count with arrivals (each arrival starts its own instance), got 2"],
    [arr({ rate: 1 }, { delay: 10 }), "w.json: tasks.t.delay: expected no delay with arrivals (they start at time 0), got 10"],
    [arr({ rate: 1 }, { loop: 5 }), "w.json: tasks.t.loop: expected 1 with arrivals (each arrival runs the phases once), got 5"],
    [arr({ rate: 1 }, { fork_only: true }), "w.json: tasks.t.fork_only: expected false with arrivals (arrivals start the task), got true"],
  ]);
});

describe("events", () => {
  cases([
    [one({ run: -1 }), "w.json: tasks.t.run: expected microseconds ≥ 0 or a distribution, got -1"],
    [one({ sleep: 1e13 }), "w.json: tasks.t.sleep: expected microseconds ≤ 1000000000000, got 10000000000000"],
    [one({ run: NaN }), "w.json: tasks.t.run: expected microseconds ≥ 0 or a distribution, got NaN"],
    [one({ runtime: [1] }), "w.json: tasks.t.runtime: expected microseconds ≥ 0 or a distribution, got [1]"],
    [one({ run: 1, timer: 5 }), 'w.json: tasks.t.timer: expected an object {"ref": name, "period": µs, "mode": "relative"|"absolute"}, got 5'],
    [one({ run: 1, timer: { period: 5 } }), 'w.json: tasks.t.timer.ref: expected a timer name ("unique…" for one timer per instance), got nothing'],
    [one({ run: 1, timer: { ref: "u", period: -1 } }), "w.json: tasks.t.timer.period: expected a period in microseconds ≥ 0, got -1"],
    [one({ run: 1, timer: { ref: "u", period: 5, mode: "rel" } }), 'w.json: tasks.t.timer.mode: expected "relative" or "absolute", got "rel"'],
    [one({ run: 1, suspend: 5 }), "w.json: tasks.t.suspend: expected a string (ignored: a task suspends on its own name), got 5"],
    [one({ run: 1, resume: "" }), 'w.json: tasks.t.resume: expected the name of a task or suspend point, got ""'],
    [one({ run: 1, fork: 3 }), "w.json: tasks.t.fork: expected the name of a task in this file, got 3"],
    [one({ run: 1, lock: "" }), 'w.json: tasks.t.lock: expected a mutex name, got ""'],
    [one({ run: 1, signal: null }), "w.json: tasks.t.signal: expected a condvar name, got null"],
    [one({ run: 1, barrier: true }), "w.json: tasks.t.barrier: expected a barrier name, got true"],
    [one({ run: 1, wait: "c" }), 'w.json: tasks.t.wait: expected an object {"ref": condvar, "mutex": mutex}, got "c"'],
    [one({ run: 1, wait: { ref: "c" } }), "w.json: tasks.t.wait.mutex: expected a mutex name, got nothing"],
    [one({ run: 1, sync: { mutex: "m" } }), "w.json: tasks.t.sync.ref: expected a condvar name, got nothing"],
  ]);
});

describe("distributions", () => {
  const d = (x: unknown) => one({ run: x });
  cases([
    [d({ mean: 5 }), "w.json: tasks.t.run.dist: expected one of const, exp, uniform, normal, lognormal, pareto, mix, got nothing"],
    [d({ dist: "gamma" }), 'w.json: tasks.t.run.dist: expected one of const, exp, uniform, normal, lognormal, pareto, mix, got "gamma"'],
    [d({ dist: "const" }), "w.json: tasks.t.run.value: expected microseconds ≥ 0, got nothing"],
    [d({ dist: "exp", mean: -1 }), "w.json: tasks.t.run.mean: expected microseconds ≥ 0, got -1"],
    [d({ dist: "exp", mean: 2e12 }), "w.json: tasks.t.run.mean: expected microseconds ≤ 1000000000000, got 2000000000000"],
    [d({ dist: "uniform", min: 5, max: 4 }), "w.json: tasks.t.run.max: expected microseconds ≥ min (5), got 4"],
    [d({ dist: "normal", mean: 5, sd: -1 }), "w.json: tasks.t.run.sd: expected microseconds ≥ 0, got -1"],
    [d({ dist: "lognormal", mean: 0, sd: 1 }), "w.json: tasks.t.run.mean: expected microseconds > 0 (a lognormal is never 0), got 0"],
    [d({ dist: "pareto", scale: 0, shape: 2 }), "w.json: tasks.t.run.scale: expected microseconds > 0, got 0"],
    [d({ dist: "pareto", scale: 5, shape: 1 }), "w.json: tasks.t.run.shape: expected a shape > 1 (finite mean), got 1"],
    [d({ dist: "mix", of: [] }), "w.json: tasks.t.run.of: expected a list of 1 to 64 {weight, value} alternatives, got []"],
    [d({ dist: "mix", of: [{ weight: 0, value: 1 }] }), "w.json: tasks.t.run.of[0].weight: expected a weight > 0, got 0"],
    [d({ dist: "mix", of: [5] }), "w.json: tasks.t.run.of[0]: expected an object {weight, value}, got 5"],
    [d({ dist: "mix", of: [{ weight: 1, value: { dist: "exp", mean: "x" } }] }), 'w.json: tasks.t.run.of[0].value.mean: expected microseconds ≥ 0, got "x"'],
  ]);
});

describe("scheduling properties", () => {
  cases([
    [one({ run: 1, policy: "SCHED_FOO" }),
      'w.json: tasks.t.policy: expected one of SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_EXT, SCHED_FIFO, SCHED_RR, SCHED_DEADLINE, got "SCHED_FOO"'],
    [one({ run: 1, priority: 25 }), "w.json: tasks.t.priority: expected a nice value, an integer from -20 to 19, got 25"],
    [one({ run: 1, priority: 120 }), "w.json: tasks.t.priority: expected an integer priority (nice -20..19, or 1..99 for SCHED_FIFO/SCHED_RR), got 120"],
    [one({ run: 1, priority: -1.5 }), "w.json: tasks.t.priority: expected an integer priority (nice -20..19, or 1..99 for SCHED_FIFO/SCHED_RR), got -1.5"],
    [one({ run: 1, nice: 20 }), "w.json: tasks.t.nice: expected a nice value, an integer from -20 to 19, got 20"],
    [one({ run: 1, priority: 1, nice: 2 }), "w.json: tasks.t.nice: expected the same value as priority (1), or only one of the two, got 2"],
    [one({ run: 1, policy: "SCHED_RR", priority: 0 }), "w.json: tasks.t.priority: expected an RT priority from 1 to 99 for SCHED_RR, got 0"],
    [one({ run: 1, cpus: [] }), "w.json: tasks.t.cpus: expected a non-empty array of CPU numbers, got []"],
    [one({ run: 1, cpus: "0-3" }), 'w.json: tasks.t.cpus: expected a non-empty array of CPU numbers, got "0-3"'],
    [one({ run: 1, cpus: [0, -1] }), "w.json: tasks.t.cpus[1]: expected a CPU number, an integer from 0 to 4095, got -1"],
    [one({ run: 1, cpus: [0.5] }), "w.json: tasks.t.cpus[0]: expected a CPU number, an integer from 0 to 4095, got 0.5"],
    [one({ run: 1, taskgroup: "app" }), 'w.json: tasks.t.taskgroup: expected a cgroup path such as "/app/web", got "app"'],
    [one({ run: 1, taskgroup: "/a//b" }), 'w.json: tasks.t.taskgroup: expected a cgroup path such as "/app/web", got "/a//b"'],
    [one({ run: 1, taskgroup: "/a/" }), 'w.json: tasks.t.taskgroup: expected a cgroup path such as "/app/web", got "/a/"'],
    [one({ run: 1, taskgroup: 5 }), 'w.json: tasks.t.taskgroup: expected a cgroup path, or an object {"path", "cpu.weight"}, got 5'],
    [one({ run: 1, taskgroup: { path: 5 } }), 'w.json: tasks.t.taskgroup.path: expected a cgroup path starting with "/", got 5'],
    [one({ run: 1, taskgroup: { path: "/g", "cpu.weight": 0 } }), 'w.json: tasks.t.taskgroup["cpu.weight"]: expected an integer cpu.weight from 1 to 10000, got 0'],
    [tasks({ a: { run: 1, taskgroup: { path: "/g", "cpu.weight": 10 } }, b: { run: 1, taskgroup: { path: "/g", "cpu.weight": 20 } } }),
      'w.json: tasks.b.taskgroup["cpu.weight"]: expected 10, the cpu.weight /g has elsewhere, got 20'],
    [one({ run: 1, "dl-period": 100 }), 'w.json: tasks.t.dl-period: expected dl-runtime > 0 with dl-period/dl-deadline, got nothing'],
    [one({ run: 1, "dl-runtime": 0 }), 'w.json: tasks.t.dl-runtime: expected dl-runtime > 0 with dl-period/dl-deadline, got 0'],
    [one({ run: 1, "dl-runtime": 50, "dl-deadline": 40 }), 'w.json: tasks.t.dl-deadline: expected microseconds ≥ dl-runtime (50), got 40'],
    [one({ run: 1, "dl-runtime": 50, "dl-period": 40 }), 'w.json: tasks.t.dl-period: expected microseconds ≥ dl-runtime (50), got 40'],
    [one({ run: 1, "dl-runtime": 10, "dl-deadline": 50, "dl-period": 40 }), 'w.json: tasks.t.dl-period: expected microseconds ≥ dl-deadline (50), got 40'],
    [one({ run: 1, "dl-runtime": -3 }), 'w.json: tasks.t.dl-runtime: expected microseconds ≥ 0, got -3'],
    [one({ run: 1, policy: "SCHED_DEADLINE" }), "w.json: tasks.t.policy: expected dl-runtime > 0 with SCHED_DEADLINE, got nothing"],
  ]);
});
