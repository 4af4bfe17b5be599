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

  it("an idle CPU steals from the most loaded CPU, and pulls by weighted load keep the loads even: CPU 1 stays busy after its only job exits", () => {
    // All five tasks start with CPU 0 as their previous CPU: a → CPU 0, the 10 ms job → CPU 1 (idle),
    // b, c, d queue on CPU 0. When the job exits, CPU 1 steals (loads 300 | 100); at its next
    // slice end it pulls once more (a 100 task is lighter than the gap of 200): 200 | 200.
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

  it("balances weighted load, not task counts: hogs of weight 305:100:100 on 2 CPUs get 100 %, 50 %, 50 % (counts would leave a 100 with the 305)", () => {
    // heavy → CPU 0, x → CPU 1, y queues on CPU 0: loads 405 | 100. y (100 < the gap of 305) is
    // pulled to CPU 1 at its first slice end: 305 | 200. Then nothing moves: CPU 0 has nothing
    // queued, and CPU 1 is the less loaded one.
    const r = run("cfs-like", plan([hog("heavy", -5), hog("x"), hog("y")]), { cpus: 2, durationNs: 2000 * MS });
    expect(r.groups.heavy.cpuNs).toBeGreaterThanOrEqual(2000 * MS - 2 * 3 * MS);
    for (const g of ["x", "y"]) expect(Math.abs(r.groups[g].cpuNs - 1000 * MS)).toBeLessThanOrEqual(2 * 3 * MS);
    expect(r.scx.events.pull).toBe(1);
  });

  it("moves a task only while the load gap shrinks: three equal hogs on 2 CPUs stay 2 | 1 (a 100 task does not fit a gap of 100), no ping-pong", () => {
    const r = run("cfs-like", plan([hog("a"), hog("b"), hog("c")]), { cpus: 2, durationNs: 2000 * MS });
    const got = ["a", "b", "c"].map((g) => r.groups[g].cpuNs / MS).sort((u, v) => u - v);
    for (const [i, want] of [1000, 1000, 2000].entries()) expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(6);
    expect(r.totals.migrations.total).toBeLessThanOrEqual(1);
  });

  it("pulls only tasks that may run on the pulling CPU: a, b pinned to CPU 0, c (nice 5) to CPU 1, d free get 1/2, 1/2, 33/133, 100/133", () => {
    const p = plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [0] }), hog("c", 5, { cpus: [1] }), hog("d", 0)]);
    const r = run("cfs-like", p, { cpus: 2, durationNs: 2000 * MS });
    const want = { a: 1000 * MS, b: 1000 * MS, c: (2000 * MS * 33) / 133, d: (2000 * MS * 100) / 133 };
    for (const [g, ns] of Object.entries(want)) expect(Math.abs(r.groups[g].cpuNs - ns)).toBeLessThanOrEqual(3 * 3 * MS);
  });

  it("a task re-queued behind one pinned to its CPU kicks an idle CPU, which steals it: both CPUs stay busy", () => {
    // s (pinned to CPU 0) exits at 1 ms; CPU 0 finds only q (pinned to CPU 1) queued and idles.
    // At 3 ms f gives CPU 1 to q and is re-queued: that kicks CPU 0, which steals f. Before, f and
    // q shared CPU 1 while CPU 0 stayed idle.
    const s = task("s", [{ kind: "run", us: 1000 }], { loop: 1, cpus: [0] });
    const r = run("cfs-like", plan([s, hog("f"), hog("q", 0, { cpus: [1] })]), { cpus: 2, durationNs: 1000 * MS });
    expect(r.cpus[0].busyNs).toBeGreaterThanOrEqual(1000 * MS - 2 * MS - 1);
    expect(r.groups.f.cpuNs).toBeGreaterThanOrEqual(1000 * MS - 3 * MS - 1);
    expect(r.scx.events.steal).toBeGreaterThanOrEqual(1);
  });
});
