/**
 * The costs of issue 15.9, each after the kernel path it stands for: waking an idle CPU pays
 * the exit latency of the idle state it reached (cpuidle_enter_state's exit_latency) plus the
 * reschedule IPI of a remote wakeup (ttwu_queue_wakelist / smp_send_reschedule), none for a
 * CPU in a polling state (set_nr_if_polling) or woken by its own timer; a DSQ operation takes
 * the DSQ's lock (raw_spin_lock(&dsq->lock) in dispatch_enqueue / consume_dispatch_q), so a
 * shared DSQ fought over by many CPUs costs more than a per-CPU one; a BPF timer expiry costs
 * CPU time (bpf_timer_cb in hrtimer softirq); scx_bpf_cpuperf_set steers a CPU's speed as
 * schedutil does with cpuperf_target. Every figure is zero on the ideal machine.
 */
import { describe, expect, it } from "vitest";
import { Machine } from "../../sim/machine.js";
import { flatTopology } from "../../sim/topology.js";
import { DEFAULT_COSTS, IDEAL_COSTS, type CostModel } from "../../sim/costs.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import { SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, asCpu, asDsq } from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { hog, plan, task } from "../helpers/plan.js";
import { createScheduler, schedulerSpec } from "../../schedulers/index.js";
import { costProfile } from "../helpers/profiles.js";

const US = 1_000, MS = 1_000_000, S = 1_000_000_000;

/** A machine with exactly `costs` over the ideal machine (no switch, callback or tick-bound costs unless given). */
function costed(p: WorkloadPlan, cpus: number, costs: Partial<CostModel>): Machine {
  const topology = flatTopology(cpus);
  return new Machine({
    topology, plan: p, seed: 1, overheads: true, costs: { ...IDEAL_COSTS, ...costs }, tickBoundSlices: false,
    job: { scheduler: "test", options: {}, workload: p.name, params: {}, topology: topology.name, cpus, seed: 1, durationNs: S, overheads: true },
  });
}

const LADDER: Partial<CostModel> = {
  idleStates: [
    { name: "POLL", residencyNs: 0, exitNs: 0, polls: true },
    { name: "C1", residencyNs: 2 * US, exitNs: 1 * US, polls: false },
    { name: "C6", residencyNs: 600 * US, exitNs: 100 * US, polls: false },
  ],
  ipiNs: 5 * US,
};

/** Wakeup latencies of group `g`: smallest, largest, how many and their sum, ns. */
function wakeups(m: Machine, g: string): { min: number; max: number; count: number; sum: number } {
  const w = m.result(0).groups[g].wakeupLatencyNs;
  return { min: w.min, max: w.max, count: w.count, sum: w.mean * w.count };
}

describe("idle exit and the wakeup IPI (cpuidle exit_latency, smp_send_reschedule)", () => {
  it("a sleeper woken by its own timer on its idle CPU pays the exit latency of the deepest state it reached, and no IPI", () => {
    // 1 ms of work, 10 ms asleep: idle 10 ms ≥ C6's 600 µs residency, so each wakeup after the
    // first costs C6's exit, 100 µs; the timer fired on that CPU, so no IPI.
    const m = costed(plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 10_000 }])]), 1, LADDER);
    m.runFor(200 * MS);
    const w = wakeups(m, "s");
    expect(w.count).toBeGreaterThan(10);
    expect(w.max).toBe(100 * US);
  });

  it("a short sleep stays in a shallow state: 50 µs idle reaches C1 only (1 µs exit)", () => {
    const m = costed(plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 50 }])]), 1, LADDER);
    m.runFor(50 * MS);
    expect(wakeups(m, "s").max).toBe(1 * US);
  });

  it("a wakeup from another CPU adds the IPI to the exit latency (C6: 100 + 5 µs)", () => {
    // ping on CPU 0 resumes pong on idle CPU 1 every ~10 ms; pong has been idle that long.
    const p = plan([
      task("ping", [{ kind: "run", us: 1000 }, { kind: "resume", ref: "pong" }, { kind: "sleep", us: 10_000 }], { cpus: [0] }),
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 100 }], { cpus: [1] }),
    ]);
    const m = costed(p, 2, LADDER);
    m.runFor(200 * MS);
    const w = wakeups(m, "pong");
    expect(w.count).toBeGreaterThan(10);
    // Its start at 0 found CPU 1 idle for 0 ns (polling): free. Every resume after it: 105 µs.
    expect(w.min).toBe(0);
    expect(w.max).toBe(105 * US);
    expect(w.sum).toBeCloseTo((w.count - 1) * 105 * US, 0);
  });

  it("a CPU still polling (idle less than C1's residency) needs neither IPI nor exit exit: only the first resume pays", () => {
    // ping resumes pong every 100 µs. The first resume finds CPU 1 idle 100 µs (C1: 1 + 5 µs);
    // pong then runs 93 µs (to 199 µs) and idles 1 µs, later 7 µs, under C1's 10 µs residency:
    // still polling, so every later resume is free.
    const p = plan([
      task("ping", [{ kind: "run", us: 100 }, { kind: "resume", ref: "pong" }], { cpus: [0] }),
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 93 }], { cpus: [1] }),
    ]);
    const ladder = { ...LADDER, idleStates: [LADDER.idleStates![0], { ...LADDER.idleStates![1], residencyNs: 10 * US }, LADDER.idleStates![2]] };
    const m = costed(p, 2, ladder);
    m.runFor(10 * MS);
    const w = wakeups(m, "pong");
    expect(w.count).toBeGreaterThan(50);
    expect(w.max).toBe(6 * US);
    expect(w.sum).toBe(6 * US);
  });

  it("the CPU runs nothing while it exits idle: the sleeper's cycle is 11.1 ms instead of 11 ms", () => {
    const p = plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 10_000 }])]);
    const blocks = (m: Machine) => { m.runFor(553 * MS); return m.kernel.rec.voluntary; };
    // Ideal: the k-th run ends at 11k + 1 ms, the 51st (k = 50) at 551 ms. With a 100 µs exit
    // before every run but the first, it ends at 11.1k + 0.9 ms: k = 50 at 555.9 ms, too late.
    expect(blocks(costed(p, 1, {}))).toBe(51);
    expect(blocks(costed(p, 1, LADDER))).toBe(50);
  });
});

/** Every wakeup goes to `dsq`, every CPU takes from it. */
function shared(scx: Scx, dsq: number): SchedExtOps {
  return {
    name: "shared_dsq",
    init: () => (dsq === SCX_DSQ_GLOBAL ? 0 : scx.createDsq(asDsq(dsq), -1)),
    enqueue: (p, f) => scx.dsqInsert(p, asDsq(dsq), 1 * MS, f),
    dispatch: () => { if (dsq !== SCX_DSQ_GLOBAL) scx.dsqMoveToLocal(asDsq(dsq)); },
  };
}

/** Each CPU's tasks go to its own local DSQ. */
function perCpu(scx: Scx): SchedExtOps {
  return {
    name: "local_dsq",
    enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_LOCAL, 1 * MS, f),
  };
}

function overheadOf(m: Machine): number {
  return m.kernel.overheadNs.reduce((a, b) => a + b, 0);
}

describe("DSQ lock contention (dispatch_enqueue and consume_dispatch_q take dsq->lock)", () => {
  const locks: Partial<CostModel> = { dsqLockNs: 100, dsqBounceNs: [0, 50, 80, 200, 400] };
  // Four pinned sleepers per CPU, each waking every 200 µs: many queue operations per ms.
  const work = plan(Array.from({ length: 16 }, (_, i) => task(`t${i}`, [{ kind: "run", us: 50 }, { kind: "sleep", us: 200 }], { cpus: [i % 4] })));

  function run(make: (scx: Scx) => SchedExtOps, costs: Partial<CostModel>): Machine {
    const m = costed(work, 4, costs);
    m.attach(make(m.scxApi), "loader");
    m.runFor(100 * MS);
    return m;
  }

  it("a shared user DSQ costs more per operation than per-CPU local DSQs: its lock moves between CPUs and is waited for", () => {
    const sharedM = run((scx) => shared(scx, 0), locks), localM = run(perCpu, locks);
    const perOp = (m: Machine) => overheadOf(m) / (m.kernel.rec.voluntary + m.kernel.rec.involuntary);
    expect(perOp(sharedM)).toBeGreaterThan(perOp(localM));
  });

  it("the global DSQ is as shared as a user DSQ: four CPUs on SCX_DSQ_GLOBAL pay bounces the per-CPU design does not", () => {
    const g = run((scx) => shared(scx, SCX_DSQ_GLOBAL), locks), l = run(perCpu, locks);
    expect(overheadOf(g) / g.kernel.rec.voluntary).toBeGreaterThan(overheadOf(l) / l.kernel.rec.voluntary);
  });

  it("on one CPU a DSQ's lock never bounces: each operation costs exactly dsqLockNs", () => {
    const one = plan([task("a", [{ kind: "run", us: 50 }, { kind: "sleep", us: 200 }])]);
    const m = costed(one, 1, locks);
    m.attach(shared(m.scxApi, 0), "loader");
    m.runFor(10 * MS);
    // Each wakeup: the insert into DSQ 0, the move's removal from it and insert into the local
    // DSQ, the pick's removal from there: four operations of 100 ns.
    const cycles = m.kernel.rec.voluntary;
    expect(overheadOf(m)).toBeGreaterThanOrEqual((cycles - 1) * 4 * 100);
    expect(overheadOf(m)).toBeLessThanOrEqual((cycles + 1) * 4 * 100);
  });

  it("free on the ideal machine", () => {
    expect(overheadOf(run((scx) => shared(scx, 0), {}))).toBe(0);
  });
});

describe("BPF timers are not free (bpf_timer_cb runs in the hrtimer interrupt of the CPU that started it)", () => {
  it("each expiry charges timerNs to the CPU that armed the timer", () => {
    const m = costed(plan([hog("h", 0, { cpus: [1] })]), 2, { timerNs: 3 * US, contextSwitchNs: 0 });
    let fired = 0;
    m.attach((() => {
      const scx = m.scxApi;
      let timer = -1;
      return {
        name: "timed",
        init: () => { timer = scx.timerCreate(() => { fired++; scx.timerStart(timer, MS); }); scx.timerStart(timer, MS); return 0; },
        enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 2 * MS, f),
      } satisfies SchedExtOps;
    })(), "loader");
    m.runFor(20 * MS);
    expect(fired).toBe(20);
    // Started outside any callback the timer lives on CPU 0 (ctx CPU 0); its cost waits there
    // for CPU 0's next switch, which never comes (nothing else runs on CPU 0), so CPU 1 pays none.
    expect(m.kernel.overheadNs[1]).toBe(0);
    expect(m.kernel.pendingNs[0]).toBe(20 * 3 * US);
  });
});

describe("scx_bpf_cpuperf_set and the frequency model (schedutil over cpuperf_target)", () => {
  const freq: Partial<CostModel> = { perfLatencyNs: 500 * US, perfMin: 256 };

  function perfRun(level: number | null, costs: Partial<CostModel>): { m: Machine; scx: Scx } {
    const m = costed(plan([hog("h")]), 1, costs);
    const scx = m.scxApi;
    m.attach({
      name: "perf",
      init: () => { if (level !== null) scx.cpuperfSet(asCpu(0), level); return 0; },
      enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 10 * MS, f),
    }, "loader");
    return { m, scx };
  }

  it("a CPU left alone runs at SCX_CPUPERF_ONE (cpuperf_target starts at full at enable)", () => {
    const { m, scx } = perfRun(null, freq);
    m.runFor(10 * MS);
    expect(scx.cpuperfCur(asCpu(0))).toBe(1024);
    expect(scx.cpuperfCap(asCpu(0))).toBe(1024);
  });

  it("asking for 512 gives 640 (25 % headroom) after the transition latency, and work goes 0.625× as fast", () => {
    const { m, scx } = perfRun(512, freq);
    expect(scx.cpuperfCur(asCpu(0))).toBe(1024);
    m.runFor(400 * US);
    expect(scx.cpuperfCur(asCpu(0))).toBe(1024);
    m.runFor(200 * US);
    expect(scx.cpuperfCur(asCpu(0))).toBe(640);
    // The hog's 1 s of work: 500 µs at full speed, the rest at 0.625.
    const t = m.kernel.tasks.find((x) => x.comm.startsWith("h"))!;
    const before = m.kernel.workLeftNs(t);
    m.runFor(10 * MS);
    expect(before - m.kernel.workLeftNs(t)).toBeCloseTo(10 * MS * 0.625, -1);
  });

  it("the level never drops below the machine's floor (perfMin)", () => {
    const { m, scx } = perfRun(0, freq);
    m.runFor(MS);
    expect(scx.cpuperfCur(asCpu(0))).toBe(256);
  });

  it("a target above SCX_CPUPERF_ONE is a scheduler error (scx_error: invalid cpuperf target)", () => {
    const { m } = perfRun(2048, freq);
    m.runFor(MS);
    expect(m.kernel.ext.lastExit?.kind).toBe("SCX_EXIT_ERROR");
    expect(m.kernel.ext.lastExit?.msg).toMatch(/invalid cpuperf target 2048/);
  });

  it("the ideal machine keeps every CPU at full speed whatever is asked", () => {
    const { m, scx } = perfRun(100, {});
    m.runFor(MS);
    expect(scx.cpuperfCur(asCpu(0))).toBe(1024);
  });

  it("the levels go back to full when the scheduler is disabled (fair runs at full speed)", () => {
    const { m, scx } = perfRun(512, freq);
    m.runFor(MS);
    expect(scx.cpuperfCur(asCpu(0))).toBe(640);
    scx.exit(0, "done");
    m.runFor(10 * MS);
    expect(m.kernel.ext.enabled).toBe(false);
    expect(m.kernel.perf.level[0]).toBe(1024);
  });
});

describe("schedutil for the fair class (sugov_get_util over a PELT-like utilisation)", () => {
  const freq: Partial<CostModel> = { perfLatencyNs: 0, perfMin: 256 };

  it("a CPU hog keeps its CPU at full speed; an idle CPU drops to the floor", () => {
    const m = costed(plan([hog("h", 0, { cpus: [0] })]), 2, freq);
    m.runFor(500 * MS);
    expect(m.kernel.perf.level[0]).toBe(1024);
    expect(m.kernel.perf.level[1]).toBe(256);
  });

  it("a task busy 10 % of the time lets its CPU slow to the floor, and its work takes longer there", () => {
    const p = plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]);
    const slow = costed(p, 1, freq), full = costed(p, 1, {});
    slow.runFor(S);
    full.runFor(S);
    expect(slow.kernel.perf.level[0]).toBe(256);
    // The same 1 ms of work per cycle takes up to 4 ms at a quarter of full speed.
    expect(slow.kernel.busyNs[0]).toBeGreaterThan(2 * full.kernel.busyNs[0]);
  });

  it("attaching a scheduler puts every CPU back at full speed (cpuperf_target = SCX_CPUPERF_ONE at enable), and fair's governor stops", () => {
    const m = costed(plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]), 1, freq);
    m.runFor(500 * MS);
    expect(m.kernel.perf.level[0]).toBe(256);
    m.attach({ name: "plain", enqueue: (p, f) => m.scxApi.dsqInsert(p, SCX_DSQ_GLOBAL, MS, f) }, "loader");
    m.runFor(500 * MS);
    expect(m.kernel.perf.level[0]).toBe(1024);
  });

  it("off unless the machine scales frequency: the ideal table keeps full speed", () => {
    const m = costed(plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]), 1, {});
    m.runFor(500 * MS);
    expect(m.kernel.perf.level[0]).toBe(1024);
  });

  it("off in the default table too (the performance governor benchmarks run under): a light load keeps full speed", () => {
    const m = costed(plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]), 1, DEFAULT_COSTS);
    m.runFor(500 * MS);
    expect(m.kernel.perf.level[0]).toBe(1024);
  });

  it("on with the skx-schedutil profile (a distribution kernel's schedutil): a light load drops its CPU towards perfMin", () => {
    const schedutil = costProfile("skx-schedutil");
    const m = costed(plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }])]), 1, schedutil);
    m.runFor(500 * MS);
    expect(schedutil.perfMin).toBeLessThan(1024);
    expect(m.kernel.perf.level[0]).toBeLessThan(512);
    expect(m.kernel.perf.level[0]).toBeGreaterThanOrEqual(schedutil.perfMin);
  });
});

describe("lavd's frequency policy (update_cpuperf_target in lavd_running)", () => {
  const freq: Partial<CostModel> = { perfLatencyNs: 0, perfMin: 64 };
  const light = plan([task("light", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }], { cpus: [0] })]);

  function lavdOn(p: WorkloadPlan, options: Record<string, string>): Machine {
    const m = costed(p, 2, freq);
    m.attach(createScheduler(schedulerSpec("lavd", options), m.scxApi), "scx_lavd");
    m.runFor(S);
    return m;
  }

  it("a CPU about 10 % busy asks for about its utilisation (plus schedutil's headroom), well below full speed", () => {
    const m = lavdOn(light, {});
    expect(m.kernel.perf.target[0]).toBeGreaterThan(0);
    expect(m.kernel.perf.level[0]).toBeLessThan(512);
  });

  it("a CPU shared by two hogs is past 85 % busy: full speed once one of them starts running again", () => {
    // (A lone hog never passes through ops.running again, so its CPU keeps the level set when it started.)
    const m = lavdOn(plan([hog("h1", 0, { cpus: [0] }), hog("h2", 0, { cpus: [0] })]), {});
    expect(m.kernel.perf.level[0]).toBe(1024);
  });

  it("a lone hog keeps the level its CPU had when it started: upstream sets cpuperf only in lavd_running, not in lavd_tick nor when consume_prev refills the slice", () => {
    const m = costed(plan([hog("h", 0, { cpus: [0] })]), 2, freq);
    m.attach(createScheduler(schedulerSpec("lavd", {}), m.scxApi), "scx_lavd");
    m.runFor(10 * MS);
    const first = m.kernel.perf.level[0];
    m.runFor(S);
    expect(m.kernel.perf.level[0]).toBe(first);
    expect(first).toBeLessThan(1024); // its CPU was idle (utilisation 0) when the hog first ran
  });

  it("no_freq_scaling keeps full speed (scx_lavd --no-freq-scaling)", () => {
    const m = lavdOn(light, { no_freq_scaling: "true" });
    expect(m.kernel.perf.level[0]).toBe(1024);
  });
});
