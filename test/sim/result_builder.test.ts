/**
 * One builder for whole runs and windows: the whole run is the stretch from the measurement
 * start to the end, and windows cut anywhere add up to it.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { SimpleScheduler } from "../../schedulers/simple.js";
import { measurementStart, snapshot } from "../../sim/snapshot.js";
import { windowMetrics, windowTasks } from "../../sim/result_builder.js";
import type { Machine } from "../../sim/machine.js";

const END = 2e8;

function run(ext: boolean): Machine {
  const m = machine(plan([hog("h", 0), hog("n", 5), poisson("p", 2000, 200)]), { cpus: 2, durationNs: END });
  if (ext) attach(m, (scx) => new SimpleScheduler(scx, { fifo: false, slice_us: 3000 }));
  return m;
}

const snap = (m: Machine) => snapshot(m.kernel, m.scxApi.stats);

describe("RunResult builder over two snapshots", () => {
  it("the whole run's totals, CPUs and groups are the window from the measurement start to the end", () => {
    const m = run(true);
    m.runToEnd();
    const end = snap(m);
    const w = windowMetrics(measurementStart(m.kernel), end);
    const r = m.result();
    expect(w.totals).toEqual(r.totals);
    expect(w.cpus).toEqual(r.cpus);
    expect(w.lengthNs).toBe(r.measuredNs);
    for (const [name, g] of Object.entries(w.groups)) expect(r.groups[name]).toMatchObject(g);
  });

  it("taking snapshots changes nothing, and two windows cut at any instant add up to the whole run", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: END - 1 }), fc.boolean(), (cut, ext) => {
      const plain = run(ext);
      plain.runToEnd();
      const want = plain.result();
      const m = run(ext);
      const s0 = measurementStart(m.kernel);
      m.runFor(cut);
      const mid = snap(m);
      m.runToEnd();
      const end = snap(m);
      const got = m.result();
      expect(got).toEqual(want);
      const a = windowMetrics(s0, mid), b = windowMetrics(mid, end);
      const t = got.totals;
      expect(a.totals.completed + b.totals.completed).toBe(t.completed);
      expect(a.totals.requests + b.totals.requests).toBe(t.requests);
      expect(a.totals.wakeupLatencyNs.count + b.totals.wakeupLatencyNs.count).toBe(t.wakeupLatencyNs.count);
      expect(a.totals.contextSwitches.voluntary + b.totals.contextSwitches.voluntary).toBe(t.contextSwitches.voluntary);
      expect(a.totals.contextSwitches.involuntary + b.totals.contextSwitches.involuntary).toBe(t.contextSwitches.involuntary);
      expect(a.totals.migrations.total + b.totals.migrations.total).toBe(t.migrations.total);
      got.cpus.forEach((c, i) => expect(a.cpus[i]!.busyNs + b.cpus[i]!.busyNs).toBe(c.busyNs));
      expect(a.lengthNs + b.lengthNs).toBe(got.measuredNs);
    }), { numRuns: 8 });
  });

  it("a window lists the tasks present in it, capped, and says when it left some out", () => {
    const m = machine(plan([hog("a", 0), hog("b", 5), hog("c", 0, { delayUs: 150_000 })]), { cpus: 2, durationNs: END });
    m.runFor(END / 4);
    const early = snap(m);
    m.runFor(END / 4);
    const mid = snap(m);
    expect(windowTasks(early, mid, 10).tasks.map((t) => t.name)).toEqual(["a", "b"]); // c starts at 150 ms
    m.runToEnd();
    const end = snap(m);
    const all = windowTasks(mid, end, 10);
    expect(all.tasks.map((t) => t.name)).toEqual(["a", "b", "c"]);
    expect(all.truncated).toBe(false);
    const busy = end.busyNs.reduce((x, y) => x + y, 0) - mid.busyNs.reduce((x, y) => x + y, 0);
    expect(all.tasks.reduce((x, t) => x + t.cpuNs, 0)).toBe(busy);
    const capped = windowTasks(mid, end, 2);
    expect(capped.tasks).toEqual(all.tasks.slice(0, 2));
    expect(capped.truncated).toBe(true);
  });
});

describe("groups keyed by task name", () => {
  it("a task named __proto__ is a group of the result like any other (not the object's prototype)", () => {
    const m = machine(plan([hog("__proto__"), hog("b")]), { cpus: 2 });
    m.runFor(10_000_000);
    const r = m.result();
    expect(Object.keys(r.groups)).toEqual(["__proto__", "b"]);
    expect(r.groups["__proto__"]!.cpuNs).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(JSON.stringify(r)).groups)).toEqual(["__proto__", "b"]);
  });
});
