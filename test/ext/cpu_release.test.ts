/**
 * ops.cpu_release / ops.cpu_acquire (ext.c switch_class and balance_one): a higher class
 * taking a CPU that sched_ext held, and the CPU coming back; scx_qmap's reaction (re-enqueue
 * the local DSQ). Ideal machine.
 */
import { describe, expect, it } from "vitest";
import { attach, machine } from "../helpers/machine.js";
import { hog, plan, task } from "../helpers/plan.js";
import { SCX_CPU_PREEMPT_RT, type CpuReleaseArgs, type Scx, type ScxTask, type SchedExtOps } from "../../sim/ext/ops.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL } from "../../sim/ext/consts.js";
import { createScheduler, prepareScheduler } from "../../schedulers/index.js";
import { schedulerSpec } from "../../schedulers/source/spec.js";

const MS = 1_000_000;

/** An RT task that wakes every 10 ms and runs 2 ms, pinned to CPU 0. */
const rtTick = task("rt", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 8000 }], { policy: "SCHED_FIFO", rtPriority: 50, cpus: [0] });

describe("switch_class / balance_one", () => {
  it("cpu_release(reason RT, the RT task) when it takes a CPU from an ext task; cpu_acquire when ext gets it back; once each", () => {
    const log: string[] = [];
    const m = machine(plan([hog("h", 0, { cpus: [0] }), rtTick]), { cpus: 1 });
    attach(m, (scx: Scx): SchedExtOps => ({
      name: "rel",
      enqueue: (p: ScxTask, f: number) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 20 * MS, f),
      cpu_release: (cpu: number, a: CpuReleaseArgs) => { log.push(`release ${cpu} ${a.reason} ${a.task.comm}`); },
      cpu_acquire: (cpu: number) => { log.push(`acquire ${cpu}`); },
    }));
    m.runFor(25 * MS);
    // the RT task runs 0-2, 10-12 and 20-22 ms (h started first at 0): each time it takes the
    // CPU from h, then gives it back
    const cycle = [`release 0 ${SCX_CPU_PREEMPT_RT} rt`, "acquire 0"];
    expect(log).toEqual([...cycle, ...cycle, ...cycle]);
  });

  it("without either callback nothing is called and the ext task waits at the head of its local DSQ", () => {
    const m = machine(plan([hog("h", 0, { cpus: [0] }), rtTick]), { cpus: 1 });
    attach(m, (scx: Scx): SchedExtOps => ({ name: "plain", enqueue: (p: ScxTask, f: number) => scx.dsqInsert(p, SCX_DSQ_LOCAL, 20 * MS, f) }));
    m.runFor(100 * MS);
    const [h, rt] = m.kernel.tasks;
    m.kernel.updateCurr(0, m.kernel.tasks[m.kernel.curr[0]]);
    expect(rt.cpuNs).toBe(20 * MS);
    expect(h.cpuNs).toBe(80 * MS);
  });
});

describe("scx_qmap's cpu_release", () => {
  it("re-enqueues the local DSQ of a CPU an RT task takes, so a waiting ext task runs on the other CPU", async () => {
    // CPU 0 runs an RT hog from 5 ms; an ext task inserted on CPU 0's local DSQ before then must move.
    const m = machine(plan([
      task("rt", [{ kind: "run", us: 1_000_000 }], { policy: "SCHED_FIFO", rtPriority: 10, cpus: [0], delayUs: 5000 }),
      hog("a"), hog("b"), hog("c"),
    ]), { cpus: 2 });
    const spec = schedulerSpec("qmap");
    await prepareScheduler(spec);
    attach(m, (scx) => createScheduler(spec, scx));
    m.runFor(200 * MS);
    const r = m.result();
    expect(r.scx.events["reenqueued"] ?? 0).toBeGreaterThan(0);
    // the ext tasks share CPU 1 only, and none is stuck behind the RT hog
    expect(m.invariants().lost).toBe(0);
    for (const g of ["a", "b", "c"]) expect(r.groups[g].cpuNs).toBeGreaterThan(40 * MS);
  });
});

describe("cpu_release across a disable", () => {
  it("a scheduler ejected while its task runs: the CPU goes to fair without a call into the gone scheduler", () => {
    const log: string[] = [];
    const m = machine(plan([hog("h", 0, { cpus: [0] }), rtTick]), { cpus: 1 });
    const run = attach(m, (scx: Scx): SchedExtOps => ({
      name: "rel",
      enqueue: (p: ScxTask, f: number) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 20 * MS, f),
      cpu_release: (cpu: number) => { log.push(`release ${cpu}`); },
    }));
    m.runFor(5 * MS);
    m.scx.sysrq();
    m.runFor(30 * MS);
    expect(run.m.scx.state).toBe("disabled");
    expect(log).toEqual(["release 0"]);
    expect(m.invariants().lost).toBe(0);
  });
});

describe("the ext server (dl_server for sched_ext, Linux 6.19)", () => {
  it("an RT hog leaves an ext hog 50 ms per second; the CPU is released and re-acquired once per second", () => {
    const log: string[] = [];
    const m = machine(plan([hog("x"), task("rt", [{ kind: "run", us: 10_000_000 }], { policy: "SCHED_RR", rtPriority: 1 })]), { cpus: 1 });
    attach(m, (scx: Scx): SchedExtOps => ({
      name: "srv",
      enqueue: (p: ScxTask, f: number) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 5 * MS, f),
      cpu_release: () => { log.push("release"); },
      cpu_acquire: () => { log.push("acquire"); },
    }));
    m.runFor(2000 * MS);
    const k = m.kernel;
    k.updateCurr(0, k.tasks[k.curr[0]]);
    expect(k.tasks.map((t) => t.cpuNs)).toEqual([100 * MS, 1900 * MS]);
    // released at 0 (the RT task starts second), acquired at 950 ms, released at 1000, ...
    expect(log).toEqual(["release", "acquire", "release", "acquire", "release"]);
  });
});
