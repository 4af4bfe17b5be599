import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { machine } from "../../helpers/machine.js";
import { MS, run } from "./run.js";

describe("cfs-like", () => {
  it("shares one CPU between nice 0 and nice 5 hogs like fair, 1024:335 within 3 % (sched_ext weights 100:33)", () => {
    const r = run("cfs-like", plan([hog("a", 0), hog("b", 5)]), { durationNs: 10_000 * MS });
    const ratio = r.groups.a.cpuNs / r.groups.b.cpuNs;
    expect(Math.abs(ratio / (1024 / 335) - 1)).toBeLessThan(0.03);
    // And like the fair class itself on the same workload.
    const m = machine(plan([hog("a", 0), hog("b", 5)]), { durationNs: 10_000 * MS });
    m.runToEnd();
    const f = m.result(0);
    expect(Math.abs(ratio / (f.groups.a.cpuNs / f.groups.b.cpuNs) - 1)).toBeLessThan(0.03);
  });

  it("four equal hogs on two CPUs get half a CPU each (within 2 %)", () => {
    const r = run("cfs-like", plan(["a", "b", "c", "d"].map((n) => hog(n))), { cpus: 2, durationNs: 2000 * MS });
    for (const g of ["a", "b", "c", "d"]) expect(Math.abs(r.groups[g].cpuNs / (1000 * MS) - 1)).toBeLessThan(0.02);
  });

  it("an idle CPU steals from the longest other queue, and a queue two tasks longer is pulled from: CPU 1 stays busy after its only job exits", () => {
    // All five tasks start with CPU 0 as their previous CPU: a → CPU 0, the 10 ms job → CPU 1 (idle),
    // b, c, d queue on CPU 0. When the job exits, CPU 1 steals; then pulls keep the queues even.
    const job = task("job", [{ kind: "run", us: 10_000 }], { loop: 1 });
    const r = run("cfs-like", plan([hog("a"), job, hog("b"), hog("c"), hog("d")]), { cpus: 2, durationNs: 2000 * MS });
    expect(r.cpus[1].busyNs).toBeGreaterThan(0.99 * 2000 * MS);
    expect(r.totals.migrations.total).toBeGreaterThan(0);
    // After the job, four hogs on two CPUs: each close to (2000 − 10)/2 ms.
    for (const g of ["a", "b", "c", "d"]) expect(Math.abs(r.groups[g].cpuNs / (995 * MS) - 1)).toBeLessThan(0.05);
  });

  it("a waking task with less vtime preempts the running hog: every wakeup but the first runs at once", () => {
    // At t=0 all three have vtime 0, so inter queues behind h1 and h2 for two 3 ms slices; after
    // that it always wakes more than wakeup_gran behind the running hog and preempts it.
    const inter = task("inter", [{ kind: "run", us: 200 }, { kind: "sleep", us: 10_000 }]);
    const r = run("cfs-like", plan([hog("h1"), hog("h2"), inter]), { durationNs: 2000 * MS });
    const w = r.groups.inter.wakeupLatencyNs;
    expect(w.count).toBeGreaterThan(190);
    expect(w.max).toBe(6 * MS);
    expect(Math.round(w.mean * w.count)).toBe(6 * MS);
  });
});
