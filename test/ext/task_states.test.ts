/**
 * A task's sched_ext states as kernel/sched/ext.c keeps them (SCX_TASK_NONE → READY → ENABLED):
 * scx_enable prepares every existing task (ops.init_task) before it switches any into the class,
 * and switching_to_scx is ops.enable then ops.set_cpumask; a forked task gets init_task and
 * enable only (scx_fork, scx_post_fork); switched_from_scx is ops.disable alone, and
 * ops.exit_task comes once, when the task dies (sched_ext_dead) or the scheduler goes away
 * (scx_disable's scx_exit_task over every task).
 */
import { describe, expect, it } from "vitest";
import { hog, plan, poisson, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import type { Scx, ScxTask, SchedExtOps } from "../../sim/ext/ops.js";
import { SCX_OPS_SWITCH_PARTIAL } from "../../sim/ext/consts.js";

const MS = 1_000_000;

/** A global-FIFO scheduler that logs the task-state callbacks (the loader's own task excluded). */
function logger(log: string[], flags = 0) {
  const note = (what: string, p: ScxTask) => { if (p.comm !== "loader") log.push(`${what} ${p.comm}`); };
  return (_scx: Scx): SchedExtOps => ({
    name: "states",
    flags,
    init_task: (p: ScxTask, a) => { note(a.fork ? "init_task(fork)" : "init_task", p); return 0; },
    enable: (p: ScxTask) => note("enable", p),
    set_cpumask: (p: ScxTask) => note("set_cpumask", p),
    disable: (p: ScxTask) => note("disable", p),
    exit_task: (p: ScxTask) => note("exit_task", p),
  });
}

const pidOf = (m: ReturnType<typeof machine>, comm: string) => m.kernel.tasks.find((t) => t.comm === comm)!.pid;

describe("task states (ext.c scx_enable, switching_to_scx, switched_from_scx, scx_exit_task)", () => {
  it("scx_enable: every existing task gets ops.init_task before any is switched; each switch is enable then set_cpumask", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a"), hog("b"), hog("c")]), { cpus: 2 });
    attach(m, logger(log));
    expect(log).toEqual([
      "init_task a", "init_task b", "init_task c",
      "enable a", "set_cpumask a", "enable b", "set_cpumask b", "enable c", "set_cpumask c",
    ]);
  });

  it("a task forked under the scheduler: init_task(fork) and enable, no set_cpumask (scx_post_fork)", () => {
    const log: string[] = [];
    const m = machine(plan([poisson("req", 2000, 100)]), { cpus: 2 });
    attach(m, logger(log));
    m.runFor(20 * MS);
    const forked = log.filter((l) => l.endsWith(" req-0") || l.endsWith(" req-1"));
    expect(forked.slice(0, 2)).toEqual(["init_task(fork) req-0", "enable req-0"]);
    expect(log.some((l) => l.startsWith("set_cpumask"))).toBe(false);
    // each finished request: disable then exit_task, once
    expect(forked.filter((l) => l === "exit_task req-0")).toHaveLength(1);
    expect(forked.indexOf("disable req-0")).toBe(forked.indexOf("exit_task req-0") - 1);
  });

  it("sched_setscheduler out of ext and back: disable alone, then enable and set_cpumask; no second init_task", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 2 });
    attach(m, logger(log));
    m.runFor(5 * MS);
    log.length = 0;
    expect(m.setScheduler(pidOf(m, "a"), { policy: "SCHED_FIFO", rtPriority: 10 })).toBe(0);
    expect(log).toEqual(["disable a"]);
    m.runFor(5 * MS);
    expect(m.setScheduler(pidOf(m, "a"), { policy: "SCHED_OTHER" })).toBe(0);
    expect(log).toEqual(["disable a", "enable a", "set_cpumask a"]);
    m.runFor(5 * MS);
    expect(m.invariants().lost).toBe(0);
  });

  it("a task that left ext and dies gets ops.exit_task once, without a second disable", () => {
    const log: string[] = [];
    const m = machine(plan([task("a", [{ kind: "run", us: 20_000 }], { loop: 1 }), hog("b")]), { cpus: 2 });
    attach(m, logger(log));
    m.runFor(1 * MS);
    expect(m.setScheduler(pidOf(m, "a"), { policy: "SCHED_FIFO", rtPriority: 10 })).toBe(0);
    m.runFor(50 * MS);
    expect(log.filter((l) => l.endsWith(" a"))).toEqual(["init_task a", "enable a", "set_cpumask a", "disable a", "exit_task a"]);
  });

  it("the scheduler going away calls exit_task for a task it prepared that now runs under RT", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 2 });
    const run = attach(m, logger(log));
    m.runFor(1 * MS);
    expect(m.setScheduler(pidOf(m, "a"), { policy: "SCHED_FIFO", rtPriority: 10 })).toBe(0);
    log.length = 0;
    run.loader!.exit(0);
    m.runFor(1 * MS);
    expect(log.filter((l) => l.endsWith(" a"))).toEqual(["exit_task a"]);
    expect(log.filter((l) => l.endsWith(" b"))).toEqual(["disable b", "exit_task b"]);
    expect(m.invariants().lost).toBe(0);
  });

  it("every task is prepared, whatever its policy: an RT task gets init_task at attach and exit_task at death, never enable (scx_fork prepares all; scx_post_fork enables only the ext class)", () => {
    const log: string[] = [];
    const m = machine(plan([task("rt", [{ kind: "run", us: 5_000 }], { loop: 1, policy: "SCHED_FIFO" }), hog("b")]), { cpus: 2 });
    attach(m, logger(log));
    m.runFor(20 * MS);
    expect(log.filter((l) => l.endsWith(" rt"))).toEqual(["init_task rt", "exit_task rt"]);
  });

  it("SCX_OPS_SWITCH_PARTIAL: a SCHED_OTHER task is prepared but stays in fair; made SCHED_EXT it gets enable and set_cpumask only", () => {
    const log: string[] = [];
    const m = machine(plan([hog("other"), hog("ext", 0, { policy: "SCHED_EXT" })]), { cpus: 2 });
    attach(m, logger(log, SCX_OPS_SWITCH_PARTIAL));
    expect(log).toEqual(["init_task other", "init_task ext", "enable ext", "set_cpumask ext"]);
    m.runFor(5 * MS);
    log.length = 0;
    expect(m.setScheduler(pidOf(m, "other"), { policy: "SCHED_EXT" })).toBe(0);
    expect(log).toEqual(["enable other", "set_cpumask other"]);
    m.runFor(5 * MS);
    expect(m.invariants().lost).toBe(0);
  });
});
