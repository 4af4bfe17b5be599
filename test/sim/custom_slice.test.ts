/**
 * rt-app's dl-runtime on SCHED_OTHER is sched_attr.sched_runtime, which the fair class takes as
 * the task's own slice (Linux >= 6.12, __setscheduler_params; clamped to 0.1..100 ms). Here the
 * slice is how long the task runs before the class looks for another task.
 */
import { describe, expect, it } from "vitest";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { machine } from "../helpers/machine.js";

const MS = 1_000_000;

function switches(extra: Record<string, unknown>): number {
  const hog = { loop: -1, run: 1_000_000, ...extra };
  const m = machine(parseWorkloadObject({ tasks: { a: hog, b: hog } }, "w.json"), { cpus: 1 });
  m.runFor(300 * MS);
  return m.kernel.tasks.reduce((n, t) => n + t.nivcsw, 0);
}

describe("a fair task's custom slice (sched_runtime)", () => {
  // Two hogs on one CPU: the first switch comes after one slice; from then on a slice ends with
  // both at equal vruntime, where the running task stays, so each runs two slices in a row:
  // 1 + floor((300 ms - slice) / (2 x slice)) switches.
  it("two hogs with a 3 ms slice switch a quarter as often as with the 0.75 ms base slice of one CPU", () => {
    expect(switches({})).toBe(200);
    expect(switches({ "dl-runtime": 3000 })).toBe(50);
  });

  it("is clamped to 0.1 ms at least and 100 ms at most", () => {
    expect(switches({ "dl-runtime": 10 })).toBe(1500);
    expect(switches({ "dl-runtime": 500_000 })).toBe(2);
  });

  it("global.duration 0 means, as in rt-app, until the tasks end", () => {
    expect(parseWorkloadObject({ global: { duration: 0 }, tasks: { a: { loop: 1, run: 10 } } }, "w.json").durationS).toBeNull();
  });
});
