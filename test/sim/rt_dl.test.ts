/**
 * The RT and deadline classes above fair (kernel/sched/rt.c, deadline.c) and the fair/ext
 * server that keeps them from starving fair (dl_server, Linux >= 6.12). Ideal machine, so every
 * share is exact.
 */
import { describe, expect, it } from "vitest";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { machine } from "../helpers/machine.js";

const MS = 1_000_000;

function run(tasks: Record<string, unknown>, ms: number, cpus = 1) {
  const m = machine(parseWorkloadObject({ tasks }, "rt.json"), { cpus, durationNs: ms * MS, overheads: false });
  m.runFor(ms * MS);
  return m;
}
const hog = (extra: Record<string, unknown> = {}) => ({ loop: -1, run: 1_000_000, ...extra });

describe("RT class (rt.c)", () => {
  it("pick_task_rt: a SCHED_FIFO hog takes the CPU from fair hogs, which get only the dl_server's 50 ms per second", () => {
    const g = run({ rt: hog({ policy: "SCHED_FIFO", priority: 10 }), fair: hog() }, 2000).result().groups;
    expect(g.rt.cpuNs).toBe(2 * 950 * MS);
    expect(g.fair.cpuNs).toBe(2 * 50 * MS);
  });

  it("wakeup_preempt_rt: the higher priority runs; FIFO at one priority runs to completion in order", () => {
    const g = run({
      lo: { policy: "SCHED_FIFO", priority: 5, loop: 1, run: 30_000 },
      hi: { policy: "SCHED_FIFO", priority: 50, loop: 1, delay: 10_000, run: 5_000 },
    }, 100).result().tasks;
    const lo = g.find((t) => t.group === "lo")!, hi = g.find((t) => t.group === "hi")!;
    expect(hi.exitNs).toBe(15 * MS);
    expect(lo.exitNs).toBe(35 * MS);
  });

  it("task_tick_rt: SCHED_RR tasks of one priority share a CPU in 100 ms quanta; FIFO would not", () => {
    const rr = run({ a: hog({ policy: "SCHED_RR", priority: 20 }), b: hog({ policy: "SCHED_RR", priority: 20 }) }, 400).result();
    expect(rr.groups.a.cpuNs).toBe(200 * MS);
    expect(rr.groups.b.cpuNs).toBe(200 * MS);
    const fifo = run({ a: hog({ policy: "SCHED_FIFO", priority: 20 }), b: hog({ policy: "SCHED_FIFO", priority: 20 }) }, 400).result();
    expect(fifo.groups.a.cpuNs + fifo.groups.b.cpuNs).toBe(400 * MS);
    expect(Math.min(fifo.groups.a.cpuNs, fifo.groups.b.cpuNs)).toBe(0);
  });

  it("select_task_rq_rt / pull_rt_task: two RT hogs on two CPUs run in parallel, fair waits", () => {
    const g = run({ a: hog({ policy: "SCHED_FIFO", priority: 1 }), b: hog({ policy: "SCHED_FIFO", priority: 1 }), f: hog() }, 500, 2).result().groups;
    expect(g.a.cpuNs).toBe(500 * MS);
    expect(g.b.cpuNs).toBe(500 * MS);
    expect(g.f.cpuNs).toBe(0);
  });
});

describe("deadline class (deadline.c)", () => {
  it("CBS: a SCHED_DEADLINE hog gets its runtime per period and no more (throttled by update_curr_dl)", () => {
    const g = run({ dl: hog({ policy: "SCHED_DEADLINE", "dl-runtime": 3000, "dl-period": 10_000 }), f: hog() }, 100).result().groups;
    expect(g.dl.cpuNs).toBe(30 * MS);
    expect(g.f.cpuNs).toBe(70 * MS);
  });

  it("EDF: the deadline task runs before an RT hog", () => {
    const g = run({ dl: hog({ policy: "SCHED_DEADLINE", "dl-runtime": 2000, "dl-period": 10_000 }), rt: hog({ policy: "SCHED_FIFO", priority: 99 }) }, 100).result().groups;
    expect(g.dl.cpuNs).toBe(20 * MS);
    expect(g.rt.cpuNs).toBe(80 * MS);
  });

  it("sched_dl_overflow counts the fair server's 5 %: 92 % of one CPU is refused, 90 % admitted", () => {
    const log = (ms: number) => run({ a: hog({ policy: "SCHED_DEADLINE", "dl-runtime": ms * 1000, "dl-period": 100_000 }) }, 10).result().scx.log;
    expect(log(92).some((l) => /-EBUSY/.test(l.msg))).toBe(true);
    expect(log(90).some((l) => /-EBUSY/.test(l.msg))).toBe(false);
  });

  it("sched_dl_overflow: admission beyond 95 % of the CPUs fails with -EBUSY; the task stays SCHED_OTHER", () => {
    const m = run({
      a: hog({ policy: "SCHED_DEADLINE", "dl-runtime": 6000, "dl-period": 10_000 }),
      b: hog({ policy: "SCHED_DEADLINE", "dl-runtime": 4000, "dl-period": 10_000 }),
    }, 100);
    const r = m.result();
    expect(r.scx.log.some((l) => /-EBUSY/.test(l.msg))).toBe(true);
    expect(r.groups.a.cpuNs).toBe(60 * MS);
    expect(r.groups.b.cpuNs).toBe(40 * MS);
  });
});

describe("the fair/ext server (dl_server)", () => {
  it("an ext hog under an RT hog gets the last 50 ms of each second, then the RT task is back at once", () => {
    // SCHED_EXT with no scheduler attached runs in fair: the same server covers both classes here.
    const g = run({ rt: hog({ policy: "SCHED_FIFO", priority: 1 }), x: hog({ policy: "SCHED_EXT" }) }, 3000).result().groups;
    expect(g.rt.cpuNs).toBe(3 * 950 * MS);
    expect(g.x.cpuNs).toBe(3 * 50 * MS);
  });

  it("fair tasks that get their 50 ms anyway (a sleeper) do not trigger the server: RT keeps the rest", () => {
    const g = run({
      rt: { policy: "SCHED_FIFO", priority: 1, loop: -1, run: 900_000, sleep: 100_000 },
      f: hog(),
    }, 2000).result().groups;
    expect(g.rt.cpuNs).toBe(2 * 900 * MS);
    expect(g.f.cpuNs).toBe(2 * 100 * MS);
  });
});
