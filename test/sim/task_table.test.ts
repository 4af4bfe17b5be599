import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { TaskTable, taskTemplate, type Task } from "../../sim/task.js";
import type { TaskSpec } from "../../sim/plan.js";

/** A task's numeric fields (in its row of the table, its object, or packed in one field), by the kind of value each holds. */
const DOUBLES = [
  "wakeAt", "runnableAt", "activatedAtNs", "slice", "dsqVtime", "dsq", "ddspDsq", "workLeft", "runtimeEnd",
  "refillNs", "cpuNs", "sumExecNs", "waitNs", "vruntime", "fairSliceStart", "fairLag", "startNs", "exitNs",
  "nextWorkNs", "dsqStamp", "qseq", "fairStamp", "loopsLeft", "phaseIter",
] as const satisfies readonly (keyof Task)[];
const INT32S = [
  "wakeGen", "cpu", "waitingOn", "pid", "groupIdx", "specIdx", "recordIdx", "lastRanCpu", "migrations", "nvcsw", "nivcsw",
  "phase", "event", "relockMutex", "ddspFlags", "instance",
] as const satisfies readonly (keyof Task)[];
/** Enums, with the most each holds: Place, Block, and the four classes a task can be in. */
const ENUM_MAX = { place: 9, block: 7, cls: 3 } as const satisfies Partial<Record<keyof Task, number>>;
const ENUMS = Object.keys(ENUM_MAX) as (keyof typeof ENUM_MAX)[];
const FLAGS = ["openLoop", "inBurst", "scxEnabled", "yielded", "inRequest"] as const satisfies readonly (keyof Task)[];
type Field = (typeof DOUBLES)[number] | (typeof INT32S)[number] | (typeof ENUMS)[number] | (typeof FLAGS)[number];
const ALL: readonly Field[] = [...DOUBLES, ...INT32S, ...ENUMS, ...FLAGS];

/** What a fresh task holds in each field. */
const FRESH: Readonly<Record<Field, number | boolean>> = {
  ...Object.fromEntries(ALL.map((f) => [f, (FLAGS as readonly string[]).includes(f) ? false : 0])) as Record<Field, number | boolean>,
  runtimeEnd: Infinity, exitNs: -1, wakeAt: -1, ddspDsq: -1, nextWorkNs: -1,
  waitingOn: -1, recordIdx: -1, lastRanCpu: -1, relockMutex: -1, place: 6 /* Place.Free */,
};

function tasks(n: number): Task[] {
  const table = new TaskTable({ workLeftNs: () => 0, scxQueued: () => false });
  return Array.from({ length: n }, (_, i) => table.create(i));
}

const write = fc.oneof(
  fc.record({ field: fc.constantFrom(...DOUBLES), value: fc.double({ noNaN: true }) as fc.Arbitrary<number | boolean> }),
  fc.record({ field: fc.constantFrom(...INT32S), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) as fc.Arbitrary<number | boolean> }),
  fc.constantFrom(...ENUMS).chain((field) => fc.record({ field: fc.constant(field), value: fc.integer({ min: 0, max: ENUM_MAX[field] }) as fc.Arbitrary<number | boolean> })),
  fc.record({ field: fc.constantFrom(...FLAGS), value: fc.boolean() as fc.Arbitrary<number | boolean> }),
);

describe("TaskTable", () => {
  it("a new task starts with the 'none' values and its creation time", () => {
    const [t] = tasks(1);
    expect(Object.fromEntries(ALL.map((f) => [f, t[f]]))).toEqual(FRESH);
    t.slice = 5; t.vruntime = 7.5;
    t.resetNumbers(1234);
    expect(t.runtimeEnd).toBe(Number.POSITIVE_INFINITY);
    expect([t.exitNs, t.wakeAt, t.ddspDsq]).toEqual([-1, -1, -1]);
    expect([t.startNs, t.runnableAt, t.activatedAtNs]).toEqual([1234, 1234, 1234]);
    expect([t.slice, t.vruntime, t.cpuNs, t.dsq]).toEqual([0, 0, 0, 0]);
  });

  it("resetting the times keeps the program position, stamps, counters and flags", () => {
    const [t] = tasks(1);
    t.loopsLeft = 3e9; t.phaseIter = 7; t.qseq = 2 ** 40; t.nextWorkNs = 5; t.pid = 42; t.nvcsw = 9; t.place = 1; t.inBurst = true;
    t.resetNumbers(0);
    expect([t.loopsLeft, t.phaseIter, t.qseq, t.nextWorkNs, t.pid, t.nvcsw, t.place, t.inBurst]).toEqual([3e9, 7, 2 ** 40, 5, 42, 9, 1, true]);
  });

  it("each task reads back exactly what was last written to each field, across chunk boundaries", () => {
    // 2,100 tasks span three chunks of rows; a write to one field of one task must show nowhere else.
    const all = tasks(2100);
    const blank = (t: Task) => { for (const f of ALL) (t as unknown as Record<string, number | boolean>)[f] = FRESH[f]; };
    fc.assert(fc.property(
      fc.array(fc.record({ task: fc.integer({ min: 0, max: all.length - 1 }), w: write }), { maxLength: 200 }),
      (writes) => {
        for (const t of all) blank(t);
        const want = new Map<string, number | boolean>();
        for (const { task, w } of writes) {
          (all[task] as unknown as Record<string, number | boolean>)[w.field] = w.value;
          want.set(`${task}.${w.field}`, w.value);
        }
        for (const t of [0, 1023, 1024, 2047, 2048, 2099].map((i) => all[i]).concat(writes.map((w) => all[w.task]))) {
          for (const f of ALL) expect(t[f]).toBe(want.get(`${t.slot}.${f}`) ?? FRESH[f]);
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
