/**
 * p.workLeftNs (issue 16.5): the real remaining size of a task's job, an oracle for textbook
 * policies. Between events it is the size of the run event the task runs next (drawn ahead and
 * then run exactly).
 */
import { describe, expect, it } from "vitest";
import type { ScxTask } from "../../sim/ext/ops.js";
import { asDsq } from "../../sim/ext/consts.js";
import { plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";

const MS = 1_000_000;

describe("p.workLeftNs", () => {
  it("at each wakeup's enqueue it is the CPU time the job then uses (a drawn size, drawn ahead and run exactly)", () => {
    const m = machine(plan([task("w", [{ kind: "run", us: { dist: "exp", mean: 300 } }, { kind: "sleep", us: 1000 }])]), { cpus: 1 });
    const sizes: number[] = [], used: number[] = [];
    let startExec = 0;
    attach(m, (scx) => ({
      name: "oracle",
      init: () => scx.createDsq(asDsq(0), -1),
      enqueue: (p: ScxTask, f: number) => { sizes.push(p.workLeftNs); scx.dsqInsert(p, asDsq(0), 20 * MS, f); },
      dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
      running: (p: ScxTask) => { startExec = p.sumExecNs; },
      stopping: (p: ScxTask, runnable: boolean) => { if (!runnable) used.push(p.sumExecNs - startExec); },
    }));
    m.runFor(200 * MS);
    expect(used.length).toBeGreaterThan(50);
    expect(sizes.slice(0, used.length)).toEqual(used);
    expect(new Set(sizes).size).toBeGreaterThan(40); // drawn, not a constant
  });

  it("is +Infinity for an rt-app runtime event (bounded by time, not work)", () => {
    const m = machine(plan([task("rt", [{ kind: "runtime", us: 500 }, { kind: "sleep", us: 500 }])]), { cpus: 1 });
    const seen: number[] = [];
    attach(m, (scx) => ({
      name: "oracle",
      init: () => scx.createDsq(asDsq(0), -1),
      enqueue: (p: ScxTask, f: number) => { seen.push(p.workLeftNs); scx.dsqInsert(p, asDsq(0), 20 * MS, f); },
      dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    }));
    m.runFor(10 * MS);
    expect(seen.length).toBeGreaterThan(3);
    for (const v of seen) expect(v).toBe(Number.POSITIVE_INFINITY);
  });
});
