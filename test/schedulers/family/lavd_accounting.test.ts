/**
 * lavd's run-time and service accounting and the stat timer's slice shrinking, each checked
 * against the upstream function it follows (sched-ext/scx scheds/rust/scx_lavd at 7a58a3a1a).
 * Tracing the port against the compiled object on `mixed` found these: the object preempted
 * hogs at the stat timer, started tasks' averages at the system slice, skipped a new task's
 * first run in its wall run time, counted criticality with log2_u64 and judged greed against
 * the average service per scheduling.
 */
import { describe, expect, it } from "vitest";
import { MS } from "./run.js";
import { SCX_KICK_PREEMPT } from "../../../sim/ext/consts.js";
import { log2u64 } from "../../../schedulers/lavd.js";
import { lavdRig, lavdTask } from "./lavd_rig.js";

type Internals = { cpuRunningClk: Float64Array; greedyPenalty(p: unknown, t: unknown): number; tryPreempt(p: unknown, t: unknown, preferred: number, dom: number): void; cpuLatCri: Float64Array; cpuStopAt: Float64Array };

describe("lavd accounting and slice shrinking follow upstream (sched-ext/scx scheds/rust/scx_lavd)", () => {
  it("sys_stat.bpf.c collect_sys_stat → preempt.bpf.c shrink_boosted_slice_remote: while slices may not be boosted, the 10 ms stat timer leaves each CPU's task what remains of one system slice since it started and preempts one already past it (SCX_KICK_PREEMPT), an idle CPU too; otherwise only a CPU with tasks on its local DSQ is shrunk", () => {
    const busy = lavdRig("4");
    // The system slice is 5 ms. CPU 0's task started 1 ms ago, CPU 1's 10 ms ago, CPU 2's 3 ms
    // ago with 2 ms left; CPU 3 is idle (its last task started at 0).
    (busy.l as unknown as Internals).cpuRunningClk.set([19 * MS, 10 * MS, 17 * MS, 0]);
    busy.running[0] = { slice: 20 * MS }; busy.running[1] = { slice: 20 * MS }; busy.running[2] = { slice: 2 * MS }; busy.running[3] = null;
    // Over 95 % busy: no boosting.
    busy.l.avgUtil = 0.99;
    busy.setNow(20 * MS);
    busy.statTimer();
    expect(busy.running.map((t) => t?.slice)).toEqual([4 * MS, 20 * MS, 2 * MS, undefined]);
    const preempts = (k: [number, number][]) => k.filter(([, f]) => (f & SCX_KICK_PREEMPT) !== 0);
    expect(preempts(busy.kicks)).toEqual([[1, SCX_KICK_PREEMPT], [3, SCX_KICK_PREEMPT]]);

    const calm = lavdRig("4");
    (calm.l as unknown as Internals).cpuRunningClk.set([0, 10 * MS, 10 * MS, 10 * MS]);
    calm.localQueued[2] = 1;
    calm.setNow(20 * MS);
    calm.statTimer();
    expect(preempts(calm.kicks)).toEqual([[2, SCX_KICK_PREEMPT]]);
  });

  it("main.bpf.c lavd_init_task and account_task_runtime: a new task's averages start at the system slice; its first run, measured from a sum_exec_runtime of 0 (which upstream takes as unset), adds no wall run time but does add invariant run time", () => {
    const r = lavdRig("2"), q = lavdTask(7);
    r.setNow(MS);
    r.l.running(q);
    r.setNow(3 * MS);
    q.sumExecNs = 2 * MS;
    r.l.stopping(q);
    // calc_avg from 5 ms: 7/8 old + 1/8 new, or half and half with a new value of 0.
    expect([r.ctx(q).avgRuntime, r.ctx(q).avgRuntimeInvr]).toEqual([2.5 * MS, 5 * MS - 625_000 + 250_000]);
    r.setNow(4 * MS);
    r.l.running(q);
    r.setNow(5 * MS);
    q.sumExecNs = 3 * MS;
    r.l.stopping(q);
    // Both runs since the wakeup count now: 1 ms of wall time, 3 ms invariant.
    expect(r.ctx(q).avgRuntime).toBe(2_500_000 - 312_500 + 125_000);
    expect(r.ctx(q).avgRuntimeInvr).toBe(4_625_000 - 578_125 + 375_000);
  });

  it("scx common.bpf.h log2_u64, as lat_cri.bpf.c calc_lat_cri uses it: the bit length (⌊log2⌋ + 1, and 1 for 0), so a fresh task's criticality is (1 + 18)² = 361; main.bpf.c cur_logical_clk starts at one compete window (300 ms >> 16)", () => {
    expect([0, 1, 2, 3, 4, 1023, 1024, 2 ** 32 - 1, 2 ** 32, 2 ** 33 + 5].map(log2u64)).toEqual([1, 1, 2, 2, 3, 10, 11, 32, 33, 34]);
    const r = lavdRig("2"), q = lavdTask(3);
    // wait and wake factors 1; run-time factor (1 s − 5 ms) / 0.5 ms + 1 = 1991; weight factor 101.
    expect(r.l.latCri(q, r.ctx(q) as never)).toBe(361);
    expect(r.l.logicalClock).toBe(Math.floor(300 * MS / 65536));
  });

  it("lat_cri.bpf.c calc_greedy_penalty with sys_stat.bpf.c avg_svc_time_iwgt: a task's total service (invariant run time / weight) is set against the recent average service per scheduling, so a task that has had more in all is greedy and does not preempt; main.bpf.c lavd_enable starts a task at the most service a stopped task had (cur_svc_time_iwgt)", () => {
    const r = lavdRig("2"), x = r.l as unknown as Internals, a = lavdTask(1);
    r.l.running(a);
    r.setNow(4 * MS);
    a.sumExecNs = 4 * MS;
    r.l.stopping(a);
    expect(r.ctx(a).svcTime).toBe(4 * MS / 100);
    r.setNow(10 * MS);
    r.statTimer();
    // One scheduling with 40 000 of service: the average goes half way from 0 (__calc_avg below 8).
    expect(r.l.avgSvc).toBe(20_000);
    const b = lavdTask(2);
    r.l.init_task(b);
    r.l.enable(b);
    expect(r.ctx(b).svcTime).toBe(40_000);
    expect(x.greedyPenalty(b, r.ctx(b))).toBe(1024 + 512);
    expect(r.ctx(b).greedy).toBe(true);
    // Greedy: no victim is asked, though every CPU runs less critical work that stops later.
    x.cpuLatCri.fill(0);
    x.cpuStopAt.fill(Infinity);
    x.tryPreempt(b, r.ctx(b), 0, 0);
    expect(r.running.map((t) => t?.slice)).toEqual([0, 0]);
    const c = lavdTask(3);
    r.ctx(c).svcTime = 10_000;
    x.greedyPenalty(c, r.ctx(c));
    expect(r.ctx(c).greedy).toBe(false);
  });
});
