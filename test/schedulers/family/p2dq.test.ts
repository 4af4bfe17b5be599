import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run, start } from "./run.js";

describe("p2dq", () => {
  it("keeps tasks in their LLC: 12 hogs and 4 sleepers on 2llc-8c migrate across LLCs under 20 times in 5 s, against over 1000 under simple", () => {
    const p = plan([hog("h", 0, { instances: 12 }), task("s", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 3000 }], { instances: 4 })]);
    const simple = run("simple", p, { topology: "2llc-8c", durationNs: 5 * S });
    const p2dq = run("p2dq", p, { topology: "2llc-8c", durationNs: 5 * S });
    expect(simple.totals.migrations.llc).toBeGreaterThan(1000);
    expect(p2dq.totals.migrations.llc).toBeLessThan(20);
    expect(p2dq.totals.utilization).toBe(1);
  });

  it("pick-two: 12 hogs started on LLC 0 leave LLC 1 idle for the first load period (250 ms); then its idle CPUs pull migratable hogs and stay busy, after a handful of cross-LLC moves", () => {
    // Each spec's instances start on CPUs 0, 1, 2, 3: three specs put all 12 hogs in LLC 0.
    const { m } = start("p2dq", plan([hog("a", 0, { instances: 4 }), hog("b", 0, { instances: 4 }), hog("c", 0, { instances: 4 })]), { topology: "2llc-8c", durationNs: 2 * S });
    m.runFor(250 * MS);
    const early = m.result(0);
    for (let c = 4; c < 8; c++) expect(early.cpus[c].busyNs).toBe(0);
    m.runFor(250 * MS);
    const mid = m.result(0).cpus.map((c) => c.busyNs);
    m.runFor(1500 * MS);
    const r = m.result(0);
    expect(r.scx.exit).toBeNull();
    for (let c = 0; c < 8; c++) expect(r.cpus[c].busyNs - mid[c], `CPU ${c} busy after 500 ms`).toBe(1500 * MS);
    expect(r.scx.events.pick2_pull).toBeGreaterThanOrEqual(4);
    expect(r.totals.migrations.llc).toBeLessThanOrEqual(8);
  });

  it("slice classes: two hogs on one CPU start in class 1 (2.5 ms slices) and, using whole slices, climb to class 2 (5 ms): runs of 2.5, 2.5, then 5 ms", () => {
    const r = run("p2dq", plan([hog("h", 0, { instances: 2 })]), { durationNs: 100 * MS, timeline: true });
    const tl = r.timeline!;
    const runs = tl.startNs.map((s, i) => tl.endNs[i] - s);
    expect(runs.slice(0, 2)).toEqual([2.5 * MS, 2.5 * MS]);
    for (const d of runs.slice(2)) expect(d).toBe(5 * MS);
  });
});
