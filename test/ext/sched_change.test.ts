/**
 * Run-time attribute changes through the kernel's paths (sim/sched_change.ts): set_user_nice,
 * __set_cpus_allowed_ptr, __sched_setscheduler and sched_move_task, with the sched_ext callbacks
 * ext.c makes around them (dequeue with SCX_DEQ_SCHED_CHANGE, set_weight, set_cpumask,
 * cgroup_prep_move / cgroup_move / cgroup_cancel_move, cgroup_set_weight), and rt-app's
 * per-phase properties applied when each phase starts. Ideal machine.
 */
import { describe, expect, it } from "vitest";
import { hog, plan } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { SCX_DEQ_SAVE, SCX_DEQ_SCHED_CHANGE, SCX_ENQ_RESTORE, asDsq } from "../../sim/ext/consts.js";
import type { CpuId, Scx, ScxTask, SchedExtOps } from "../../sim/ext/ops.js";
import { EBUSY, EINVAL, ENOENT, ESRCH } from "../../sim/bpf/errno.js";

const MS = 1_000_000;
const USER_DSQ = asDsq(7);

/** A scheduler that logs every callback it gets, holding tasks in a user DSQ (so in BPF custody). */
function logger(log: string[], over: Partial<SchedExtOps> = {}) {
  return (scx: Scx): SchedExtOps => ({
    name: "logger",
    init: () => scx.createDsq(USER_DSQ, -1),
    enqueue: (p: ScxTask, f: number) => { log.push(`enqueue ${p.comm} ${f}`); scx.dsqInsert(p, USER_DSQ, 5 * MS, f); },
    dispatch: () => { scx.dsqMoveToLocal(USER_DSQ); },
    dequeue: (p: ScxTask, f: number) => { log.push(`dequeue ${p.comm} ${f}`); },
    runnable: (p: ScxTask, f: number) => { log.push(`runnable ${p.comm} ${f}`); },
    running: (p: ScxTask) => { log.push(`running ${p.comm}`); },
    stopping: (p: ScxTask, r: boolean) => { log.push(`stopping ${p.comm} ${r}`); },
    quiescent: (p: ScxTask, f: number) => { log.push(`quiescent ${p.comm} ${f}`); },
    set_weight: (p: ScxTask, w: number) => { log.push(`set_weight ${p.comm} ${w}`); },
    set_cpumask: (p: ScxTask, m: Uint8Array | null) => { log.push(`set_cpumask ${p.comm} ${m === null ? "all" : [...m].join("")}`); },
    ...over,
  });
}

const CHANGE = SCX_DEQ_SAVE | SCX_DEQ_SCHED_CHANGE;
const pid = (m: ReturnType<typeof machine>, comm: string) => m.kernel.tasks.find((t) => t.comm === comm)!.pid;
/** CPU time of every task so far, running ones charged up to now. */
function cpuNs(m: ReturnType<typeof machine>): number[] {
  const k = m.kernel;
  for (let c = 0; c < k.topo.nrCpus; c++) if (k.curr[c] >= 0) k.updateCurr(c, k.tasks[k.curr[c]]);
  return k.tasks.map((t) => t.cpuNs);
}

describe("set_user_nice / reweight_task_scx", () => {
  it("a queued ext task in BPF custody: dequeue(SCHED_CHANGE), quiescent, set_weight, runnable(RESTORE), enqueue(RESTORE)", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a"), hog("b")]));
    attach(m, logger(log));
    m.runFor(1 * MS);
    const waiting = m.kernel.tasks.find((t) => t.place !== 1)!;
    log.length = 0;
    expect(m.setNice(waiting.pid, 5)).toBe(0);
    const c = waiting.comm;
    expect(log).toEqual([
      `dequeue ${c} ${CHANGE}`, `quiescent ${c} ${CHANGE}`, `set_weight ${c} 33`,
      `runnable ${c} ${SCX_ENQ_RESTORE}`, `enqueue ${c} ${SCX_ENQ_RESTORE}`,
    ]);
    expect(waiting.view.weight).toBe(33);
    expect(m.invariants().lost).toBe(0);
  });

  it("the running ext task: stopping(false), quiescent, set_weight, runnable(RESTORE), running; no dequeue or enqueue (ENQUEUE_RESTORE on current goes local)", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a")]));
    attach(m, logger(log));
    m.runFor(1 * MS);
    log.length = 0;
    expect(m.setNice(pid(m, "a"), -5)).toBe(0);
    expect(log).toEqual([`stopping a false`, `quiescent a ${CHANGE}`, "set_weight a 305", `runnable a ${SCX_ENQ_RESTORE}`, "running a"]);
  });

  it("the same nice again returns early with no callback, as set_user_nice does", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a", 3)]));
    attach(m, logger(log));
    m.runFor(1 * MS);
    log.length = 0;
    expect(m.setNice(pid(m, "a"), 3)).toBe(0);
    expect(log).toEqual([]);
    expect(m.setNice(12345, 0)).toBe(-ESRCH);
  });

  it("under fair, a lower nice gets a larger share from then on", () => {
    const m = machine(plan([hog("a"), hog("b")]));
    m.runFor(100 * MS);
    const before = cpuNs(m);
    m.setNice(pid(m, "a"), -5);
    m.runFor(1000 * MS);
    const [a, b] = cpuNs(m).map((c, i) => c - before[i]);
    // weights 3121 : 1024 share the CPU about 3 : 1
    expect(a / b).toBeGreaterThan(2.5);
    expect(a / b).toBeLessThan(3.5);
  });
});

describe("__set_cpus_allowed_ptr / set_cpus_allowed_scx", () => {
  it("ops.set_cpumask gets the new mask; a running task whose CPU is gone moves to an allowed one", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a")]), { cpus: 2 });
    attach(m, logger(log, { select_cpu: (_p: ScxTask, prev: CpuId) => prev }));
    m.runFor(1 * MS);
    const a = m.kernel.tasks[0];
    const from = a.cpu;
    log.length = 0;
    expect(m.setAffinity(a.pid, [1 - from])).toBe(0);
    expect(log).toContain(`set_cpumask a ${from === 0 ? "01" : "10"}`);
    // the migration: stopping(true) then ops.enqueue from the allowed CPU (move_queued_task)
    expect(log.slice(-3)).toEqual(["stopping a true", "enqueue a 0", "running a"]);
    m.runFor(10 * MS);
    expect(a.cpu).toBe(1 - from);
    expect(m.setAffinity(a.pid, [5])).toBe(-EINVAL);
    expect(m.invariants().lost).toBe(0);
  });

  it("under fair, a pinned hog moves and the two share nothing but their own CPU", () => {
    const m = machine(plan([hog("a", 0, { cpus: [0] }), hog("b", 0, { cpus: [0] })]), { cpus: 2 });
    m.runFor(100 * MS);
    m.setAffinity(pid(m, "b"), [1]);
    const before = cpuNs(m);
    m.runFor(100 * MS);
    expect(cpuNs(m).map((c, i) => c - before[i])).toEqual([100 * MS, 100 * MS]);
  });
});

describe("__sched_setscheduler", () => {
  it("an ext task made SCHED_FIFO leaves ext (ops.disable) and takes the CPU from the ext tasks", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a"), hog("b")]));
    attach(m, logger(log, { disable: (p: ScxTask) => { log.push(`disable ${p.comm}`); } }));
    m.runFor(10 * MS);
    log.length = 0;
    expect(m.setScheduler(pid(m, "a"), { policy: "SCHED_FIFO", rtPriority: 10 })).toBe(0);
    expect(log).toContain("disable a");
    const before = cpuNs(m);
    m.runFor(100 * MS);
    const [a, b] = cpuNs(m).map((c, i) => c - before[i]);
    expect([a, b]).toEqual([100 * MS, 0]);
    expect(m.invariants().lost).toBe(0);
  });

  it("sched_dl_overflow: SCHED_DEADLINE beyond 95 % of the machine is -EBUSY; bad parameters -EINVAL", () => {
    const m = machine(plan([hog("a"), hog("b")]));
    m.runFor(1 * MS);
    expect(m.setScheduler(pid(m, "a"), { policy: "SCHED_DEADLINE", runtimeNs: 5 * MS, periodNs: 10 * MS })).toBe(0);
    expect(m.setScheduler(pid(m, "b"), { policy: "SCHED_DEADLINE", runtimeNs: 5 * MS, periodNs: 10 * MS })).toBe(-EBUSY);
    expect(m.setScheduler(pid(m, "b"), { policy: "SCHED_DEADLINE", runtimeNs: 20 * MS, periodNs: 10 * MS })).toBe(-EINVAL);
    expect(m.setScheduler(pid(m, "b"), { policy: "SCHED_RR", rtPriority: 0 })).toBe(-EINVAL);
    // a leaves the class: its bandwidth is free again
    expect(m.setScheduler(pid(m, "a"), { policy: "SCHED_OTHER" })).toBe(0);
    expect(m.setScheduler(pid(m, "b"), { policy: "SCHED_DEADLINE", runtimeNs: 5 * MS, periodNs: 10 * MS })).toBe(0);
  });

  it("while a BPF scheduler is loaded the ext server's 5 % is reserved too: 86 % of the CPU is refused, 85 % admitted", () => {
    const m = machine(plan([hog("a")]));
    attach(m, logger([]));
    m.runFor(1 * MS);
    expect(m.setScheduler(pid(m, "a"), { policy: "SCHED_DEADLINE", runtimeNs: 86 * MS, periodNs: 100 * MS })).toBe(-EBUSY);
    expect(m.setScheduler(pid(m, "a"), { policy: "SCHED_DEADLINE", runtimeNs: 85 * MS, periodNs: 100 * MS })).toBe(0);
  });
});

describe("sched_move_task and the cgroup callbacks", () => {
  const cgroups = [{ path: "/x", weight: 100 }, { path: "/y", weight: 100 }];
  const cg = () => plan([hog("a", 0, { taskgroup: "/x" }), hog("b", 0, { taskgroup: "/x" })], { cgroups });
  /** The logger, with cgroup_prep_move and cgroup_move logged too. */
  const moveLogger = (log: string[]) => logger(log, {
    cgroup_prep_move: (p: ScxTask, f: string, t: string) => { log.push(`prep ${p.comm} ${f} ${t}`); return 0; },
    cgroup_move: (p: ScxTask, f: string, t: string) => { log.push(`move ${p.comm} ${f} ${t}`); },
  });

  it("cgroup_prep_move for each, then cgroup_move inside the sched_change (after quiescent, before runnable)", () => {
    const log: string[] = [];
    const m = machine(cg());
    attach(m, moveLogger(log));
    m.runFor(1 * MS);
    log.length = 0;
    expect(m.moveToCgroup([pid(m, "a"), pid(m, "b")], "/y")).toBe(0);
    expect(log.filter((l) => /^(prep|move)/.test(l))).toEqual(["prep a /x /y", "prep b /x /y", "move a /x /y", "move b /x /y"]);
    const i = log.indexOf("move a /x /y");
    expect(log[i - 1]).toMatch(/^quiescent a/);
    expect(log[i + 1]).toMatch(/^runnable a/);
    expect(m.kernel.tasks.map((t) => t.cgroup)).toEqual(["/y", "/y"]);
    expect(m.moveToCgroup([pid(m, "a")], "/nope")).toBe(-ENOENT);
  });

  it("an RT task the scheduler prepared gets cgroup_prep_move and cgroup_move too (scx_cgroup_can_attach and scx_cgroup_move_task do not look at the class)", () => {
    const log: string[] = [];
    const m = machine(plan([hog("a", 0, { taskgroup: "/x" }), hog("rt", 0, { taskgroup: "/x", policy: "SCHED_FIFO" })], { cgroups }), { cpus: 2 });
    attach(m, moveLogger(log));
    m.runFor(1 * MS);
    log.length = 0;
    expect(m.moveToCgroup([pid(m, "a"), pid(m, "rt")], "/y")).toBe(0);
    expect(log.filter((l) => /^(prep|move)/.test(l))).toEqual(["prep a /x /y", "prep rt /x /y", "move a /x /y", "move rt /x /y"]);
    expect(m.invariants().lost).toBe(0);
  });

  it("a refusal in cgroup_prep_move fails the move and cancels the ones already prepared (scx_cgroup_can_attach)", () => {
    const log: string[] = [];
    const m = machine(cg());
    attach(m, logger(log, {
      cgroup_prep_move: (p: ScxTask) => (p.comm === "b" ? -EBUSY : 0),
      cgroup_move: (p: ScxTask) => { log.push(`move ${p.comm}`); },
      cgroup_cancel_move: (p: ScxTask, f: string, t: string) => { log.push(`cancel ${p.comm} ${f} ${t}`); },
    }));
    m.runFor(1 * MS);
    log.length = 0;
    expect(m.moveToCgroup([pid(m, "a"), pid(m, "b")], "/y")).toBe(-EBUSY);
    expect(log.filter((l) => /^(cancel|move)/.test(l))).toEqual(["cancel a /x /y"]);
    expect(m.kernel.tasks.map((t) => t.cgroup)).toEqual(["/x", "/x"]);
  });

  it("cpu.weight writes reach ops.cgroup_set_weight and scx.cgroupWeight", () => {
    const log: string[] = [];
    const m = machine(cg());
    let api: Scx | null = null;
    attach(m, (scx) => { api = scx; return logger(log, { cgroup_set_weight: (c: string, w: number) => { log.push(`weight ${c} ${w}`); } })(scx); });
    expect(m.setCgroupWeight("/x", 300)).toBe(0);
    expect(m.setCgroupWeight("/x", 0)).toBe(-EINVAL);
    expect(log).toContain("weight /x 300");
    expect(api!.cgroupWeight("/x")).toBe(300);
  });
});

describe("rt-app per-phase properties (PhaseSpec.set) take effect when the phase starts", () => {
  it("cpus per phase (example8's shape): each phase runs on its own CPU", () => {
    const p = parseWorkloadObject({ tasks: { t: { loop: 1, phases: { a: { cpus: [0], run: 10_000 }, b: { cpus: [1], run: 10_000 }, c: { cpus: [2], run: 10_000 } } } } }, "w.json");
    const m = machine(p, { cpus: 3, timeline: true });
    m.runFor(50 * MS);
    const tl = m.result().timeline!;
    expect(tl.cpu).toEqual([0, 1, 2]);
    expect(m.kernel.tasks[0].exitNs).toBe(30 * MS);
  });

  it("nice per phase under fair: a phase at nice 10 next to a nice 0 hog gets about a tenth", () => {
    const p = parseWorkloadObject({ tasks: {
      t: { loop: 1, phases: { a: { nice: 0, runtime: 100_000 }, b: { nice: 10, runtime: 1_000_000 } } },
      h: { loop: -1, run: 1_000_000 },
    } }, "w.json");
    const m = machine(p);
    m.runFor(100 * MS);
    const mid = m.kernel.tasks[0].cpuNs;
    m.runFor(1000 * MS);
    const share = (m.kernel.tasks[0].cpuNs - mid) / (1000 * MS);
    // weights 110 : 1024
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.13);
  });

  it("a policy per phase: SCHED_FIFO in the second phase shuts out a fair hog", () => {
    const p = parseWorkloadObject({ tasks: {
      t: { loop: 1, phases: { a: { runtime: 100_000 }, b: { policy: "SCHED_FIFO", priority: 10, run: 100_000 } } },
      h: { loop: -1, run: 1_000_000 },
    } }, "w.json");
    const m = machine(p);
    // phase a's 100 ms of wall time end when t next gets the CPU, a fair slice after 100 ms at most
    m.runFor(110 * MS);
    const h = cpuNs(m)[1];
    m.runFor(85 * MS);
    expect(cpuNs(m)[1]).toBe(h);
    const exit = m.kernel.tasks[0].exitNs;
    expect(exit).toBe(-1);
    m.runFor(20 * MS);
    expect(m.kernel.tasks[0].exitNs).toBeGreaterThan(200 * MS);
    expect(m.kernel.tasks[0].exitNs).toBeLessThan(210 * MS);
  });

  it("the first phase's settings are the task's start and re-apply at each loop", () => {
    const log: string[] = [];
    const p = parseWorkloadObject({ tasks: { t: { loop: 3, phases: { a: { nice: 0, run: 1000 }, b: { nice: 5, run: 1000 } } } } }, "w.json");
    const m = machine(p);
    attach(m, logger(log));
    m.runFor(20 * MS);
    expect(log.filter((l) => l.startsWith("set_weight"))).toEqual(["set_weight t 33", "set_weight t 100", "set_weight t 33", "set_weight t 100", "set_weight t 33"]);
  });
});


describe("scx_flatcg under run-time cgroup changes", () => {
  async function flatcg(weightA: number, write: number | null) {
    const { schedulerSpec } = await import("../../schedulers/source/spec.js");
    const { createScheduler, prepareScheduler } = await import("../../schedulers/index.js");
    const hogs = ["a", "a2", "a3", "b", "b2", "b3"].map((n) => hog(n, 0, { taskgroup: `/${n[0]}` }));
    const m = machine(plan(hogs, { cgroups: [{ path: "/a", weight: weightA }, { path: "/b", weight: 100 }] }), { cpus: 2 });
    const spec = schedulerSpec("flatcg");
    await prepareScheduler(spec);
    attach(m, (scx) => createScheduler(spec, scx));
    if (write !== null) expect(m.setCgroupWeight("/a", write)).toBe(0);
    m.runFor(1000 * MS);
    return m;
  }

  it("a cpu.weight write (fcg_cgroup_set_weight) before the tasks run gives the run of that weight in the workload", async () => {
    const written = cpuNs(await flatcg(100, 300)), stat = cpuNs(await flatcg(300, null)), plain = cpuNs(await flatcg(100, null));
    expect(written).toEqual(stat);
    expect(written).not.toEqual(plain);
  });

  it("a task moved between cgroups (fcg_cgroup_move) keeps running and nothing is lost", async () => {
    const m = await flatcg(100, null);
    expect(m.moveToCgroup([pid(m, "b")], "/a")).toBe(0);
    const before = cpuNs(m);
    m.runFor(300 * MS);
    expect(cpuNs(m)[3]).toBeGreaterThan(before[3]);
    expect(m.invariants().lost).toBe(0);
  });
});
