/** Unknown keys and doubtful constructs warn (one line each) instead of failing. */
import { describe, expect, it } from "vitest";
import { parseWorkload } from "../../workloads/parse.js";
import { plan } from "./helpers.js";

describe("unknown keys", () => {
  it("warn at every level and are otherwise ignored", () => {
    const p = plan({
      t: {
        colour: "red",
        phases: { p: { run: 1, shade: 2, timer: { ref: "unique", period: 5, jitter: 1 } } },
      },
      u: { lock: "m", run: { dist: "exp", mean: 5, skew: 1 }, wait: { ref: "c", mutex: "m", timeout: 3 }, unlock: "m", arrivals: { rate: 1, burst: 2 } },
      v: { run: 1, lock: "m", signal: "c", unlock: "m", taskgroup: { path: "/g", shares: 5 } },
    }, { extra: 1, global: { duration: 1, frag: 1 } });
    expect(p.warnings).toEqual([
      "w.json: extra: unknown key ignored",
      "w.json: global.frag: unknown key ignored",
      "w.json: tasks.t.phases.p.shade: unknown key ignored",
      "w.json: tasks.t.phases.p.timer.jitter: unknown key ignored",
      "w.json: tasks.t.colour: unknown key ignored",
      "w.json: tasks.u.arrivals.burst: unknown key ignored",
      "w.json: tasks.u.run.skew: unknown key ignored",
      "w.json: tasks.u.wait.timeout: unknown key ignored",
      "w.json: tasks.v.taskgroup.shares: unknown key ignored",
    ]);
  });

  it("a repeated property is named as such, not as an unknown key", () => {
    const p = parseWorkload('{"tasks": {"t": {"loop": 2, "run": 1, "loop": 3}}}', "r.json");
    expect(p.tasks[0]!.loop).toBe(2);
    expect(p.warnings).toEqual(['r.json: tasks.t.loop1: repeated key "loop" ignored (renamed loop1)']);
  });

  it("a repeated task name keeps both tasks, the second renamed, with a warning", () => {
    const p = parseWorkload('{"tasks": {"t": {"run": 1}, "t": {"run": 2}}}', "r.json");
    expect(p.tasks.map((t) => t.name)).toEqual(["t", "t1"]);
    expect(p.warnings).toEqual(['r.json: tasks.t1: repeated task name "t"; this one is named t1']);
  });

  it("so does a repeated phase name", () => {
    const p = parseWorkload('{"tasks": {"t": {"phases": {"p": {"run": 1}, "p": {"run": 2}}}}}', "r.json");
    expect(p.tasks[0]!.phases.map((ph) => ph.name)).toEqual(["p", "p1"]);
    expect(p.warnings).toEqual(['r.json: tasks.t.phases.p1: repeated phase name "p"; this one is named p1']);
  });

  it("events beside phases are ignored, as in rt-app", () => {
    expect(plan({ t: { run: 5, phases: { p: { run: 1 } } } }).warnings)
      .toEqual(['w.json: tasks.t.run: event beside "phases" ignored (rt-app ignores it too)']);
  });

  it("task keys inside a phase are ignored", () => {
    expect(plan({ t: { phases: { p: { instance: 3, fork_only: true, run: 1 } } } }).warnings).toEqual([
      "w.json: tasks.t.phases.p.instance: a task key, not a phase key; ignored",
      "w.json: tasks.t.phases.p.fork_only: a task key, not a phase key; ignored",
    ]);
  });

  it("warnings are plain data in the plan and do not change it", () => {
    const a = plan({ t: { run: 1, colour: "red" } });
    const b = plan({ t: { run: 1 } });
    expect({ ...a, warnings: [] }).toEqual(b);
  });
});
