/** Workloads that could never make progress are rejected at parse time; doubtful ones warn. */
import { describe, expect, it } from "vitest";
import { expectMessage, plan } from "./helpers.js";

const bad = (tasks: Record<string, unknown>, message: string) => expectMessage(() => plan(tasks), message);

describe("fork", () => {
  it("names a task of the file", () => {
    bad({ a: { run: 1, fork: "nope" } }, 'w.json: tasks.a.fork: expected the name of a task in this file, got "nope"');
  });
  it("cannot start an open-loop task", () => {
    bad({ a: { run: 1, fork: "r" }, r: { arrivals: { rate: 1 }, run: 1 } },
      'w.json: tasks.a.fork: expected a task without arrivals (open-loop tasks start on their own), got "r"');
  });
  it("a fork-only task nobody forks is warned about", () => {
    expect(plan({ a: { run: 1 }, b: { fork_only: true, run: 1 } }).warnings)
      .toEqual(["w.json: tasks.b: fork-only and never forked by a task that runs; it never runs"]);
  });
  it("a task forked only by a task that never runs never runs either", () => {
    expect(plan({ a: { run: 1 }, b: { instance: 0, loop: 1, fork: "c", run: 1 }, c: { instance: 0, loop: 1, run: 1 } }).warnings).toEqual([
      "w.json: tasks.b: fork-only and never forked by a task that runs; it never runs",
      "w.json: tasks.c: fork-only and never forked by a task that runs; it never runs",
    ]);
  });
  it("chains of forks reach their end", () => {
    expect(plan({ a: { loop: 1, fork: "b", run: 1 }, b: { loop: 1, fork: "c", run: 1 }, c: { loop: 1, run: 1 } }).warnings).toEqual([]);
  });
});

describe("suspend and resume", () => {
  it("a resume naming no task wakes nobody: warned, not an error (rt-app's old named suspend points)", () => {
    expect(plan({ a: { run: 1, resume: "ghost" } }).warnings).toEqual([
      'w.json: tasks.a.resume: no task is named "ghost", so this resume wakes nobody (a task suspends on its own name, as in rt-app since 2025)',
    ]);
  });
  it("resuming a task that never suspends is harmless (rt-app's wakeup is just lost)", () => {
    expect(plan({ a: { run: 1, resume: "b" }, b: { run: 1 } }).warnings).toEqual([]);
  });
  it("a suspend nobody resumes blocks for good, as in rt-app: warned", () => {
    expect(plan({ a: { run: 1, suspend: "" } }).warnings).toEqual([
      'w.json: tasks.a.suspend: no other running task resumes "a": the task blocks here for good, as rt-app\'s thread would',
    ]);
  });
  it("a single task cannot resume itself out of its own suspend", () => {
    expect(plan({ a: { resume: "a", suspend: "a" } }).warnings).toEqual([
      'w.json: tasks.a.suspend: no other running task resumes "a": the task blocks here for good, as rt-app\'s thread would',
    ]);
  });
  it("but instances of one task can resume each other", () => {
    const p = plan({ a: { instance: 2, run: 1, resume: "a", suspend: "a" } });
    expect([p.tasks[0]!.instances, p.warnings]).toEqual([2, []]);
  });
  it("a resumer that never runs does not count", () => {
    expect(plan({ a: { run: 1, suspend: "" }, b: { fork_only: true, loop: 1, resume: "a", run: 1 } }).warnings).toContain(
      'w.json: tasks.a.suspend: no other running task resumes "a": the task blocks here for good, as rt-app\'s thread would');
  });
  it("suspend's string is ignored, as in current rt-app: the task suspends on its own name, with a warning", () => {
    const p = plan({ a: { run: 1, suspend: "x" }, b: { run: 1, resume: "a" } });
    expect(p.tasks[0]!.phases[0]!.events[1]).toEqual({ kind: "suspend", ref: "a" });
    expect(p.warnings).toEqual(['w.json: tasks.a.suspend: suspends on its own name "a", as rt-app does (the argument "x" is ignored); resume "a" wakes it']);
  });
});

describe("mutexes and condvars", () => {
  it("a wait needs another running task that signals or broadcasts", () => {
    bad({ a: { lock: "m", wait: { ref: "c", mutex: "m" }, unlock: "m" } },
      'w.json: tasks.a.wait.ref: expected a condvar that another running task signals or broadcasts, got "c"');
    expect(plan({
      a: { lock: "m", wait: { ref: "c", mutex: "m" }, unlock: "m" },
      b: { run: 1, lock: "m", broad: "c", unlock: "m" },
    }).warnings).toEqual([]);
  });
  it("unlock of a mutex the task does not hold", () => {
    bad({ a: { run: 1, unlock: "m" } }, 'w.json: tasks.a.unlock: expected a mutex this task locked before, got "m"');
  });
  it("lock of a mutex already held", () => {
    bad({ a: { lock: "m", run: 1, lock1: "m", unlock: "m" } },
      'w.json: tasks.a.lock1: expected a mutex this task does not hold already (it would wait for itself), got "m"');
  });
  it("a lock never released is taken again on the next loop", () => {
    bad({ a: { run: 1, lock: "m" } }, 'w.json: tasks.a.lock: expected a mutex this task does not hold already (it would wait for itself), got "m"');
    bad({ a: { loop: 1, phases: { p: { loop: 3, lock: "m", run: 1 } } } },
      'w.json: tasks.a.phases.p.lock: expected a mutex this task does not hold already (it would wait for itself), got "m"');
  });
  it("wait with a mutex the task does not hold", () => {
    bad({ a: { run: 1, wait: { ref: "c", mutex: "m" } }, b: { run: 1, signal: "c" } },
      'w.json: tasks.a.wait.mutex: expected a mutex this task holds at the wait (lock it first), got "m"');
  });
  it("lock and unlock may sit in different phases", () => {
    expect(plan({ a: { phases: { p1: { lock: "m", run: 1 }, p2: { run: 1, unlock: "m" } } } }).warnings).toEqual([]);
  });
  it("a finite task that ends holding a mutex warns", () => {
    expect(plan({ a: { loop: 1, lock: "m", run: 1 } }).warnings)
      .toEqual(['w.json: tasks.a: ends holding "m"; tasks waiting for it will block']);
  });
  it("exit ends the walk", () => {
    expect(plan({ a: { lock: "m", run: 1, exit: "" } }).warnings).toEqual([]);
  });
});

describe("barriers", () => {
  it("count the instances of the tasks that use them", () => {
    expect(plan({ a: { instance: 3, run: 1, barrier: "b" }, c: { run: 2, barrier: "b", barrier1: "b" } }).barriers).toEqual({ b: 4 });
  });
  it("count a fork-only user once per fork event that names it (fork-join)", () => {
    const p = plan({
      boss: { instance: 2, loop: 5, fork: "w", fork1: "w", barrier: "join", sleep: 10 },
      w: { instance: 0, loop: 1, run: 100, barrier: "join" },
    });
    expect(p.barriers).toEqual({ join: 2 + 2 * 2 });
  });
  it("in a fork-only task that is never forked, can never be reached", () => {
    bad({ a: { run: 1, barrier: "b" }, w: { fork_only: true, run: 1, barrier: "b" } },
      'w.json: tasks.w.barrier: expected a barrier in a task that runs (w is fork-only and never forked), got "b"');
  });
  it("in a task forked by a fork-only task, has no countable participants", () => {
    bad({
      a: { loop: 1, fork: "mid", run: 1 },
      mid: { instance: 0, loop: 1, fork: "leaf", run: 1 },
      leaf: { instance: 0, loop: 1, run: 1, barrier: "b" },
    }, 'w.json: tasks.leaf.barrier: expected a barrier in a task forked only by tasks started at time 0 (mid is not), got "b"');
  });
  it("in an open-loop task, has no countable participants", () => {
    bad({ r: { arrivals: { rate: 5 }, run: 1, barrier: "b" } },
      'w.json: tasks.r.barrier: expected a barrier in a task with a fixed number of instances (arrivals have none), got "b"');
  });
  it("with one participant never waits: a warning", () => {
    expect(plan({ a: { run: 1, barrier: "solo" } }).warnings).toEqual(['w.json: tasks: barrier "solo" has a single participant; it never waits']);
  });
  it("passed unequally often by its tasks: a warning", () => {
    expect(plan({ a: { loop: 2, run: 1, barrier: "b" }, c: { run: 1, barrier: "b" } }).warnings).toEqual([
      'w.json: tasks: barrier "b" is passed a different number of times by its tasks (a 2, c forever); the last passes of the more frequent ones will block',
    ]);
  });
});

describe("time must advance", () => {
  const msg = (path: string, got: string) =>
    `w.json: ${path}: expected an endless loop that spends time (a non-zero run, runtime, sleep or timer, or a blocking event), got ${got}`;
  it("rejects an endless loop of zero-time events", () => {
    bad({ a: { yield: "" } }, msg("tasks.a", '["yield"]'));
    bad({ a: { run: 0, sleep: { dist: "uniform", min: 0, max: 0 } } }, msg("tasks.a", '["run","sleep"]'));
    bad({ a: { run: 0, timer: { ref: "unique", period: 0 } } }, msg("tasks.a", '["run","timer"]'));
  });
  it("durations under half a nanosecond take no time (simulated time is integer ns): {run: 0.0004, sleep: 0.0004} and {run: 0.0001} are such loops", () => {
    bad({ a: { run: 0.0004, sleep: 0.0004 } }, msg("tasks.a", '["run","sleep"]'));
    bad({ a: { run: 0.0001 } }, msg("tasks.a", '["run"]'));
    bad({ a: { run: 0, timer: { ref: "unique", period: 0.0002 } } }, msg("tasks.a", '["run","timer"]'));
  });
  it("a finite loop of zero-time events longer than a million iterations is refused too (10^15 would hang)", () => {
    bad({ a: { loop: 1e15, run: 0 } }, "w.json: tasks.a.loop: expected at most 1000000 iterations of events that take no simulated time, got 1000000000000000");
    bad({ a: { loop: 1, phases: { p: { loop: 2e6, yield: "" } } } }, "w.json: tasks.a.phases.p.loop: expected at most 1000000 iterations of events that take no simulated time, got 2000000");
    // instances start together and nested timeless loops multiply: 100 × 10^6 zero-time sleeps once took minutes
    bad({ a: { loop: 1e6, instance: 100, run: 0, sleep: 0 } }, "w.json: tasks.a.loop: expected at most 10000 iterations of events that take no simulated time (1000000 at one instant, over 100 instances and loops), got 1000000");
    bad({ a: { loop: 1000, phases: { p: { loop: 2000, yield: "" } } } }, "w.json: tasks.a.loop: expected at most 500 iterations of events that take no simulated time (1000000 at one instant, over 2000 instances and loops), got 1000");
  });
  it("rejects an endless phase loop of zero-time events", () => {
    bad({ a: { loop: 1, phases: { p: { loop: -1, sleep: 0 } } } }, msg("tasks.a.phases.p.loop", '["sleep"]'));
  });
  it("a fork bomb is such a loop", () => {
    bad({ a: { fork: "b" }, b: { loop: 1, run: 5 } }, msg("tasks.a", '["fork"]'));
  });
  it("a single-participant barrier does not block, so it spends no time", () => {
    bad({ a: { barrier: "b" } }, msg("tasks.a", '["barrier"]'));
  });
  it("accepts loops with time, blocking events, or an exit", () => {
    expect(plan({ a: { run: 0, sleep: { dist: "exp", mean: 1 } } }).tasks).toHaveLength(1);
    expect(plan({ a: { yield: "", exit: "" } }).tasks).toHaveLength(1);
    expect(plan({ a: { loop: 5, yield: "" } }).tasks).toHaveLength(1);
    expect(plan({ a: { suspend: "" }, b: { run: 1, resume: "a" } }).tasks).toHaveLength(2);
  });
});

describe("mutex walk and endless phases", () => {
  it("a lock taken before an endless phase is not taken twice (the phase never ends)", () => {
    expect(plan({
      s: { phases: { start: { lock: "m" }, serve: { loop: -1, wait: { ref: "c", mutex: "m" }, run: 5 } } },
      c: { run: 1, lock: "m", signal: "c", unlock: "m" },
    }).warnings).toEqual([]);
  });
});
