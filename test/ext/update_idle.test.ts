/**
 * ops.update_idle is called on the transitions between a task and the idle task, as
 * kernel/sched/ext_idle.c's __scx_update_idle does with do_notify (set_next_task_idle:
 * idle = true; put_prev_task_idle: idle = false): when the last task blocks and the CPU idles,
 * and when it leaves idle; not when a task blocks and another one runs at once.
 */
import { describe, expect, it } from "vitest";
import { asDsq } from "../../sim/ext/consts.js";
import { plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { load } from "./util.js";

const MS = 1_000_000;

function notified(tasks: ReturnType<typeof task>[]): { idle: boolean; at: number }[] {
  const m = machine(plan(tasks), { cpus: 1 });
  const log: { idle: boolean; at: number }[] = [];
  load(m, (scx) => ({
    name: "idle_log",
    init: () => scx.createDsq(asDsq(0), -1),
    enqueue: (p, f) => scx.dsqInsert(p, asDsq(0), 5 * MS, f),
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    update_idle: (_cpu, idle) => { log.push({ idle, at: scx.now() }); },
  }));
  m.runFor(10 * MS);
  return log;
}

describe("ops.update_idle (__scx_update_idle)", () => {
  it("a sleeper alone: idle = true each time it blocks, false each time it wakes, alternating", () => {
    const log = notified([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 1000 }])]);
    // Busy 0-1 ms, idle 1-2 ms, ... within 10 ms: the CPU idles at 1, 3, 5, 7, 9 ms.
    expect(log.filter((e) => e.idle).map((e) => e.at)).toEqual([1, 3, 5, 7, 9].map((x) => x * MS));
    for (let i = 1; i < log.length; i++) expect(log[i].idle).not.toBe(log[i - 1].idle);
  });

  it("two tasks taking turns on one CPU never leave it idle: no notification after the first start", () => {
    const turn = [{ kind: "run" as const, us: 1000 }, { kind: "sleep" as const, us: 1000 }];
    const log = notified([task("a", turn), task("b", turn, { delayUs: 1000 })]);
    expect(log.every((e) => e.at === 0)).toBe(true);
  });
});
