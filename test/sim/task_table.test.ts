import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TaskTable, taskTemplate, type Task } from "../../sim/task.js";
import type { TaskSpec } from "../../sim/plan.js";

/** The numeric fields that live in a task's row of the table. */
const ROW_FIELDS = [
  "wakeAt", "runnableAt", "activatedAtNs", "slice", "dsqVtime", "dsq", "ddspDsq", "workLeft", "runtimeEnd",
  "refillNs", "cpuNs", "sumExecNs", "waitNs", "vruntime", "fairSliceStart", "fairLag", "startNs", "exitNs",
] as const satisfies readonly (keyof Task)[];

function tasks(n: number): Task[] {
  const table = new TaskTable({ workLeftNs: () => 0, scxQueued: () => false });
  return Array.from({ length: n }, (_, i) => table.create(i));
}

describe("TaskTable", () => {
  it("a new task starts with the 'none' values and its creation time", () => {
    const [t] = tasks(1);
    t.slice = 5; t.vruntime = 7.5;
    t.resetNumbers(1234);
    expect(t.runtimeEnd).toBe(Number.POSITIVE_INFINITY);
    expect([t.exitNs, t.wakeAt, t.ddspDsq]).toEqual([-1, -1, -1]);
    expect([t.startNs, t.runnableAt, t.activatedAtNs]).toEqual([1234, 1234, 1234]);
    expect([t.slice, t.vruntime, t.cpuNs, t.dsq]).toEqual([0, 0, 0, 0]);
  });

  it("each task reads back exactly what was last written to it, across chunk boundaries", () => {
    // 2,100 tasks span three chunks of rows; writes to one task must never show in another.
    const all = tasks(2100);
    fc.assert(fc.property(
      fc.array(fc.record({
        task: fc.integer({ min: 0, max: all.length - 1 }),
        field: fc.constantFrom(...ROW_FIELDS),
        value: fc.double({ noNaN: true }),
      }), { maxLength: 200 }),
      (writes) => {
        for (const t of all) t.resetNumbers(0);
        const want = new Map<string, number>();
        for (const w of writes) {
          (all[w.task] as unknown as Record<string, number>)[w.field] = w.value;
          want.set(`${w.task}.${w.field}`, w.value);
        }
        for (const t of [0, 1023, 1024, 2047, 2048, 2099].map((i) => all[i]).concat(writes.map((w) => all[w.task]))) {
          for (const f of ROW_FIELDS) {
            const expected = want.get(`${t.slot}.${f}`) ?? (f === "runtimeEnd" ? Infinity : f === "exitNs" || f === "wakeAt" || f === "ddspDsq" ? -1 : 0);
            expect(t[f]).toBe(expected);
          }
        }
      },
    ), { numRuns: 50 });
  });
});

describe("taskTemplate", () => {
  const spec = (over: Partial<TaskSpec>): TaskSpec => ({
    name: "t", instances: 1, delayUs: 0, loop: 1, phases: [], nice: 0, policy: "SCHED_OTHER", cpus: null, taskgroup: null,
    arrivals: null, forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null, ...over,
  });

  it("an affinity naming some of the machine's CPUs becomes a mask of those", () => {
    const d = taskTemplate(spec({ cpus: [1, 3, 9] }), 4, []);
    expect(Array.from(d.cpusAllowed!)).toEqual([0, 1, 0, 1]);
    expect(d.nrCpusAllowed).toBe(2);
  });

  it("an affinity naming all of the machine's CPUs, or none of them, is no restriction", () => {
    for (const cpus of [[0, 1, 2, 3], [0, 1, 2, 3, 7], [8, 9], [0, 0, 1, 1, 2, 3]]) {
      const d = taskTemplate(spec({ cpus }), 4, []);
      expect(d.cpusAllowed).toBeNull();
      expect(d.nrCpusAllowed).toBe(4);
    }
  });

  it("duplicates in an affinity count once", () => {
    expect(taskTemplate(spec({ cpus: [2, 2, 2] }), 4, []).nrCpusAllowed).toBe(1);
  });

  it("weights follow the policy and nice value", () => {
    expect(taskTemplate(spec({ nice: 0 }), 4, [])).toMatchObject({ policy: 0, fairWeight: 1024, weight: 100 });
    expect(taskTemplate(spec({ nice: -20 }), 4, [])).toMatchObject({ fairWeight: 88761, weight: 8668 });
    expect(taskTemplate(spec({ policy: "SCHED_IDLE", nice: -5 }), 4, [])).toMatchObject({ policy: 2, fairWeight: 3, weight: 1 });
    expect(taskTemplate(spec({ policy: "SCHED_EXT" }), 4, []).policy).toBe(1);
  });
});
