import { describe, expect, it } from "vitest";
import { PHASE_FOREVER, parseWorkload } from "../../workloads/parse.js";
import { plan, run, sleep, task } from "./helpers.js";

describe("a whole plan", () => {
  it("minimal inline task: defaults everywhere", () => {
    const text = '{ "tasks": { "web": { "run": 1000, "sleep": 9000 } } }';
    expect(parseWorkload(text, "some/dir/web.json")).toEqual({
      name: "web",
      durationS: null,
      tasks: [task("web", [run(1000), sleep(9000)])],
      cgroups: [],
      barriers: {},
      warnings: [],
    });
  });

  it("global.duration in seconds; -1 means until the tasks end", () => {
    expect(plan({ a: { run: 1 } }, { global: { duration: 2.5 } }).durationS).toBe(2.5);
    expect(plan({ a: { run: 1 } }, { global: { duration: -1 } }).durationS).toBeNull();
  });

  it("accepts rt-app's own global keys and a legacy resources section silently", () => {
    const p = plan({ a: { run: 1 } }, {
      global: { calibration: "CPU0", pi_enabled: false, lock_pages: true, logdir: "./", log_basename: "x",
        log_size: "file", ftrace: "none", gnuplot: false, io_device: "/dev/null", mem_buffer_size: 4194304, cumulative_slack: false },
      resources: { m: { type: "mutex" } },
    });
    expect(p.warnings).toEqual([]);
  });

  it("keeps task order as written", () => {
    expect(plan({ z: { run: 1 }, a: { run: 1 }, m: { run: 1 } }).tasks.map((t) => t.name)).toEqual(["z", "a", "m"]);
  });
});

describe("tasks and phases", () => {
  it("instance, delay and loop", () => {
    const t = plan({ a: { instance: 3, delay: 2500, loop: 7, run: 1 } }).tasks[0];
    expect([t!.instances, t!.delayUs, t!.loop]).toEqual([3, 2500, 7]);
  });

  it("phases keep their order, loop default 1, -1 (forever) becomes the largest count", () => {
    const p = plan({ a: { loop: 2, phases: { warm: { run: 10 }, hot: { loop: 5, run: 20, sleep: 5 }, rest: { loop: -1, sleep: 100 } } } });
    expect(p.tasks[0]).toEqual(task("a", [], {
      loop: 2,
      phases: [
        { name: "warm", loop: 1, events: [run(10)] },
        { name: "hot", loop: 5, events: [run(20), sleep(5)] },
        { name: "rest", loop: PHASE_FOREVER, events: [sleep(100)] },
      ],
    }));
  });

  it("inline events form one phase; their loop counts passes of the task", () => {
    expect(plan({ a: { loop: 3, run: 5 } }).tasks[0]).toEqual(task("a", [run(5)], { loop: 3 }));
  });

  it("integer-like phase names keep their written order when parsed from text", () => {
    const p = parseWorkload('{"tasks": {"a": {"phases": {"2": {"run": 1}, "1": {"run": 2}}}}}', "x.json");
    expect(p.tasks[0]!.phases.map((ph) => ph.name)).toEqual(["2", "1"]);
  });

  it("expected_run is a µs hint", () => {
    expect(plan({ a: { expected_run: 350, run: 1 } }).tasks[0]!.expectedRunUs).toBe(350);
  });

  it("wake_sync marks a task's wakeups as pipe writes (SCX_WAKE_SYNC); absent, the spec has no such key", () => {
    expect(plan({ a: { wake_sync: true, run: 1 } }).tasks[0]!.wakeSync).toBe(true);
    expect(plan({ a: { run: 1 } }).tasks[0]).not.toHaveProperty("wakeSync");
  });
});

describe("events", () => {
  const one = (events: Record<string, unknown>, others: Record<string, unknown> = {}) =>
    plan({ t: { loop: 1, ...events }, ...others }).tasks[0]!.phases[0]!.events;

  it("run, runtime, sleep", () => {
    expect(one({ run: 10, runtime: 20, sleep: 30 })).toEqual([run(10), { kind: "runtime", us: 20 }, sleep(30)]);
  });

  it("timer: unique refs are per instance, other names shared; mode defaults to relative", () => {
    expect(one({ timer: { ref: "unique", period: 1000 }, timer1: { ref: "vsync", period: 16667, mode: "absolute" }, timer2: { ref: "uniqueB", period: 5 } }))
      .toEqual([
        { kind: "timer", ref: "unique", periodUs: 1000, mode: "relative", shared: false },
        { kind: "timer", ref: "vsync", periodUs: 16667, mode: "absolute", shared: true },
        { kind: "timer", ref: "uniqueB", periodUs: 5, mode: "relative", shared: false },
      ]);
  });

  it("suspend (empty = own name) and resume", () => {
    const p = plan({ t: { loop: 1, suspend: "", run: 1, resume: "u" }, u: { loop: 1, suspend: "u", resume: "t" } });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([{ kind: "suspend", ref: "t" }, run(1), { kind: "resume", ref: "u" }]);
  });

  it("lock, wait, signal, broad, unlock; sync expands to signal + wait", () => {
    const p = plan({
      t: { loop: 1, lock: "m", signal: "c", broad: "d", wait: { ref: "c2", mutex: "m" }, sync: { ref: "c", mutex: "m" }, unlock: "m" },
      u: { loop: 1, lock: "m", wait: { ref: "c", mutex: "m" }, signal: "c2", signal1: "c", unlock: "m" },
    });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([
      { kind: "lock", ref: "m" },
      { kind: "signal", ref: "c" },
      { kind: "broad", ref: "d" },
      { kind: "wait", ref: "c2", mutex: "m" },
      { kind: "signal", ref: "c" },
      { kind: "wait", ref: "c", mutex: "m" },
      { kind: "unlock", ref: "m" },
    ]);
  });

  it("barrier, fork, yield, exit", () => {
    const p = plan({ t: { loop: 1, barrier: "b", fork: "kid", yield: "", exit: true }, u: { loop: 1, barrier: "b" }, kid: { loop: 1, run: 1 } });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([{ kind: "barrier", ref: "b" }, { kind: "fork", task: "kid" }, { kind: "yield" }, { kind: "exit" }]);
    expect(p.barriers).toEqual({ b: 2 });
  });

  it("repeated keys in a file are repeated events, in order", () => {
    const p = parseWorkload('{"tasks": {"t": {"loop": 1, "run": 1, "sleep": 2, "run": 3, "sleep": 4, "run": 5}}}', "x.json");
    expect(p.tasks[0]!.phases[0]!.events).toEqual([run(1), sleep(2), run(3), sleep(4), run(5)]);
    expect(p.warnings).toEqual([]);
  });

  it("numeric suffixes name the base event (run0, run1, sleep2, timer0, broadcast is broad)", () => {
    expect(one({ run0: 1, sleep2: 2, run1: 3, runtime7: 4, timer0: { ref: "unique", period: 9 } })).toEqual([
      run(1), sleep(2), run(3), { kind: "runtime", us: 4 }, { kind: "timer", ref: "unique", periodUs: 9, mode: "relative", shared: false },
    ]);
  });

  it("a non-digit suffix is read by prefix like rt-app, with a warning", () => {
    const p = plan({ t: { loop: 1, runner: 5 } });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([run(5)]);
    expect(p.warnings).toEqual(['w.json: tasks.t.runner: read as a "run" event (rt-app matches event names by prefix)']);
  });

  it("mem and iorun are not modelled: warned and dropped", () => {
    const p = plan({ t: { loop: 1, mem: 4096, run: 5, iorun: 100 } });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([run(5)]);
    expect(p.warnings).toEqual([
      'w.json: tasks.t.mem: "mem" is not modelled (no memory or I/O in the simulator); event ignored',
      'w.json: tasks.t.iorun: "iorun" is not modelled (no memory or I/O in the simulator); event ignored',
    ]);
  });
});

describe("distributions", () => {
  const dur = (d: unknown) => (plan({ t: { loop: 1, run: d } }).tasks[0]!.phases[0]!.events[0] as { us: unknown }).us;
  it("each kind parses to its exact spec", () => {
    expect(dur({ dist: "const", value: 5 })).toEqual({ dist: "const", value: 5 });
    expect(dur({ dist: "exp", mean: 100 })).toEqual({ dist: "exp", mean: 100 });
    expect(dur({ dist: "uniform", min: 1, max: 1 })).toEqual({ dist: "uniform", min: 1, max: 1 });
    expect(dur({ dist: "normal", mean: 50, sd: 0 })).toEqual({ dist: "normal", mean: 50, sd: 0 });
    expect(dur({ dist: "lognormal", mean: 50, sd: 20 })).toEqual({ dist: "lognormal", mean: 50, sd: 20 });
    expect(dur({ dist: "pareto", scale: 10, shape: 1.5 })).toEqual({ dist: "pareto", scale: 10, shape: 1.5 });
    expect(dur({ dist: "mix", of: [{ weight: 3, value: 10 }, { weight: 1, value: { dist: "exp", mean: 2 } }] }))
      .toEqual({ dist: "mix", of: [{ weight: 3, value: 10 }, { weight: 1, value: { dist: "exp", mean: 2 } }] });
  });

  it("work in sleep and runtime too", () => {
    const p = plan({ t: { loop: 1, sleep: { dist: "exp", mean: 3 }, runtime: { dist: "const", value: 4 } } });
    expect(p.tasks[0]!.phases[0]!.events).toEqual([sleep({ dist: "exp", mean: 3 }), { kind: "runtime", us: { dist: "const", value: 4 } }]);
  });

  it("normalise -0 to 0", () => {
    expect(Object.is(dur(-0), 0)).toBe(true);
  });
});
