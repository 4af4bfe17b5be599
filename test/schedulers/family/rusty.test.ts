import { describe, expect, it } from "vitest";
import { hog, plan, poisson, task } from "../../helpers/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { MS, S, run, start } from "./run.js";
import type { Scx, SchedExtOps } from "../../../sim/ext/ops.js";
import { latencyScale, options } from "../../../schedulers/rusty.js";
import { findScheduler } from "../../../schedulers/index.js";
import { resolveOptions } from "../../../schedulers/options.js";
import { anyTask, fakeScx } from "../lib/fake_scx.js";
import { asCpu } from "../../../sim/ext/consts.js";

describe("rusty", () => {
  it("keeps tasks in their LLC domain: 12 hogs and 4 sleepers on 2llc-8c migrate across LLCs under 20 times in 5 s, against over 1000 under simple", () => {
    const p = plan([hog("h", 0, { instances: 12 }), task("s", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 3000 }], { instances: 4 })]);
    const simple = run("simple", p, { topology: "2llc-8c", durationNs: 5 * S });
    const rusty = run("rusty", p, { topology: "2llc-8c", durationNs: 5 * S });
    expect(simple.totals.migrations.llc).toBeGreaterThan(1000);
    expect(rusty.totals.migrations.llc).toBeLessThan(20);
    expect(rusty.totals.utilization).toBe(1);
  });

  it("with stealing off, the load balancer (every 2 s) moves hogs into the idle domain: LLC 0 is 20 % busy before it and over 85 % busy in the next second", () => {
    // Tasks are dealt to domains in turn (CPU 0's cursor starts past domain 0): the 8 hogs land in domain 1, the 8 light tasks (10 % each) in domain 0.
    const specs = [];
    for (let i = 0; i < 8; i++) specs.push(hog(`h${i}`), task(`l${i}`, [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }]));
    const { m } = start("rusty", plan(specs), { topology: "2llc-8c", durationNs: 3 * S, options: { greedy_threshold: 0 } });
    const llc0Busy = (r: RunResult) => r.cpus.slice(0, 4).reduce((a, c) => a + c.busyNs, 0);
    m.runFor(2 * S);
    const before = llc0Busy(m.result(0));
    m.runFor(1 * S);
    const r = m.result(0);
    expect(r.scx.exit).toBeNull();
    expect(Math.abs(before / (4 * 2 * S) - 0.2)).toBeLessThan(0.01);
    expect((llc0Busy(r) - before) / (4 * S)).toBeGreaterThan(0.85);
    expect(r.scx.events.lb_moved).toBeGreaterThanOrEqual(3);
  });
});

/** Records every insert: the task, the slice, the deadline (NaN for FIFO inserts) and the task's vruntime just before. */
function recordInserts(log: { pid: number; slice: number; deadline: number; vruntime: number }[]) {
  return (scx: Scx): Scx => {
    const w = Object.create(scx) as Scx;
    w.dsqInsert = (p, dsq, slice, flags) => {
      log.push({ pid: p.pid, slice, deadline: NaN, vruntime: p.dsqVtime });
      scx.dsqInsert(p, dsq, slice, flags);
    };
    w.dsqInsertVtime = (p, dsq, slice, vtime, flags) => {
      log.push({ pid: p.pid, slice, deadline: vtime, vruntime: p.dsqVtime });
      scx.dsqInsertVtime(p, dsq, slice, vtime, flags);
    };
    return w;
  };
}

describe("rusty follows upstream (sched-ext/scx scheds/rust/scx_rusty)", () => {
  it("main.bpf.c place_task_dl + stopping_update_vtime: the inserted deadline becomes the vruntime, so each enqueue charges the request length again and a hog's deadlines climb several times faster than its CPU time", () => {
    const log: { pid: number; slice: number; deadline: number; vruntime: number }[] = [];
    const r = run("rusty", plan([hog("h", 0, { instances: 2 })]), { topology: "1", durationNs: S, wrapScx: recordInserts(log) });
    for (const t of r.tasks) {
      const mine = log.filter((e) => e.pid === t.pid && !Number.isNaN(e.deadline));
      expect(mine.length).toBeGreaterThan(10);
      // Each next vruntime starts from the last deadline.
      for (let i = 1; i < mine.length; i++) expect(mine[i].vruntime).toBeGreaterThanOrEqual(mine[i - 1].deadline);
      expect(mine[mine.length - 1].deadline - mine[0].deadline).toBeGreaterThan(5 * t.cpuNs);
    }
  });

  it("main.bpf.c rusty_runnable/stopping_update_vtime: the request length averages the runtime since the last wakeup, so a 1 ms sleeper's stays near 1 ms × 100/18 while a hog's grows past 100 ms", () => {
    const log: { pid: number; slice: number; deadline: number; vruntime: number }[] = [];
    const p = plan([task("s", [{ kind: "run", us: 1000 }, { kind: "sleep", us: 3000 }]), hog("h")]);
    const r = run("rusty", p, { topology: "1", durationNs: S, wrapScx: recordInserts(log) });
    const pid = (g: string) => r.tasks.find((t) => t.group === g)!.pid;
    const offsets = (g: string) => log.filter((e) => e.pid === pid(g) && !Number.isNaN(e.deadline)).slice(-5).map((e) => e.deadline - e.vruntime);
    for (const o of offsets("s")) expect(o).toBeLessThan(7 * MS);
    for (const o of offsets("h")) expect(o).toBeGreaterThan(100 * MS);
  });

  it("main.bpf.c rusty_runnable/rusty_quiescent: a task's waker frequency counts the wakeups it makes (the current task in runnable), so the ends of a ping-pong get a request length well under a timer sleeper's of the same runtime", () => {
    const log: { pid: number; slice: number; deadline: number; vruntime: number }[] = [];
    const p = plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 100 }, { kind: "resume", ref: "ping" }]),
      task("ping", [{ kind: "run", us: 100 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { delayUs: 50 }),
      task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 100 }]),
      hog("h"),
    ]);
    const r = run("rusty", p, { topology: "1", durationNs: S, wrapScx: recordInserts(log) });
    const offsets = (g: string) => {
      const pid = r.tasks.find((t) => t.group === g)!.pid;
      return log.filter((e) => e.pid === pid && !Number.isNaN(e.deadline)).slice(-20).map((e) => e.deadline - e.vruntime);
    };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(offsets("ping").length).toBe(20);
    expect(mean(offsets("ping"))).toBeLessThan(mean(offsets("s")) / 4);
  });

  it("main.bpf.c try_sync_wakeup: a SCX_WAKE_SYNC wakeup goes to prev when idle in the waker's domain, else to the waker's CPU", () => {
    const p = plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 50 }, { kind: "resume", ref: "ping" }], { wakeSync: true }),
      task("ping", [{ kind: "run", us: 50 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { wakeSync: true, delayUs: 50 }),
    ]);
    const sync = run("rusty", p, { topology: "2llc-8c", durationNs: 100 * MS });
    expect((sync.scx.events.sync_prev_idle ?? 0) + (sync.scx.events.wake_sync ?? 0)).toBeGreaterThan(100);
    const plain = run("rusty", plan(p.tasks.map((t) => ({ ...t, wakeSync: false }))), { topology: "2llc-8c", durationNs: 100 * MS });
    expect((plain.scx.events.sync_prev_idle ?? 0) + (plain.scx.events.wake_sync ?? 0)).toBe(0);
  });

  it("main.bpf.c task_compute_dl: lat_scale is the weight of latency priority log2(freq × w/100 + 1) − log2(avg_run/2 × 100/w + 1), read from the low end of the nice table", () => {
    expect(latencyScale(0, 5 * MS, 100)).toBe(18); // priority 0: what every task gets without waker frequencies
    expect(latencyScale(2 ** 20, 0, 100)).toBe(1586); // priority 20
    expect(latencyScale(2 ** 20, 2 * 1023, 100)).toBe(172); // 20 − log2(1024) = 10
    expect(latencyScale(2 ** 50, 0, 100)).toBe(10_000); // priority 38 is 88761, capped at LB_MAX_WEIGHT
  });

  it("tuner.rs Tuner::step + main.bpf.c refresh_tune_params (called from rusty_select_cpu only): short slices at average utilisation ≥ 0.99999 once a wakeup takes them in (5 hogs and a 0.1 ms napper on 4 CPUs), never with hogs alone (no select_cpu), and not at 0.9995 (3 hogs and the napper)", () => {
    const slices = (specs: ReturnType<typeof hog>[]) => {
      const log: { pid: number; slice: number; deadline: number; vruntime: number }[] = [];
      run("rusty", plan(specs), { topology: "4", durationNs: S, wrapScx: recordInserts(log), options: { greedy_threshold: 0 } });
      return new Set(log.map((e) => e.slice));
    };
    const napper = task("n", [{ kind: "run", us: 50_000 }, { kind: "sleep", us: 100 }]);
    expect(slices([hog("h", 0, { instances: 5 }), napper])).toContain(1 * MS);
    expect([...slices([hog("h", 0, { instances: 5 })])]).toEqual([20 * MS]);
    const relaxed = slices([hog("h", 0, { instances: 3 }), napper]);
    expect(relaxed.size).toBeGreaterThan(0);
    expect([...relaxed]).toEqual([20 * MS]);
  });

  it("main.bpf.c rusty_runnable: in a sleep's timer wakeup bpf_get_current_task_btf() is the task the interrupt found running, so a hog sharing one CPU with a 1 ms sleeper gains a waker frequency, and one on another CPU does not", () => {
    const hogFreq = (cpusOfHog: number[], topology: string) => {
      let most = 0;
      const p = plan([task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }], { cpus: [0] }), hog("h", 0, { cpus: cpusOfHog })]);
      run("rusty", p, { topology, durationNs: S / 2, wrapOps: (ops) => {
        const ctxOf = (q: unknown) => (ops as unknown as { tctx: { get(p: unknown): { wakerFreq: number } } }).tctx.get(q);
        const stopping = ops.stopping!.bind(ops);
        ops.stopping = (q, rn) => { stopping(q, rn); if (q.pid === 2) most = Math.max(most, ctxOf(q).wakerFreq); };
      } });
      return most;
    };
    // update_freq counts per 100 ms; the hog is interrupted once per sleeper period (≥ 1 ms).
    expect(hogFreq([0], "1")).toBeGreaterThan(10);
    expect(hogFreq([1], "2")).toBe(0);
  });

  it("main.bpf.c rusty_init_task: last_woke_at and last_blocked_at start at the task's creation (Poisson arrivals), so its first waker interval is measured from there", () => {
    const seen: number[][] = [];
    let scxOf: Scx | null = null;
    run("rusty", plan([poisson("req", 1000, 200)]), {
      durationNs: 50 * MS,
      wrapScx: (scx) => (scxOf = scx),
      wrapOps: (ops) => {
        const init = ops.init_task!.bind(ops);
        ops.init_task = (p, args) => {
          const r = init(p, args);
          const t = (ops as unknown as { tctx: { get(p: unknown): { lastWokeAt: number; lastBlockedAt: number } } }).tctx.get(p);
          seen.push([scxOf!.now(), t.lastWokeAt, t.lastBlockedAt]);
          return r;
        };
      },
    });
    expect(seen.filter(([now]) => now > 0).length).toBeGreaterThan(10);
    for (const [now, woke, blocked] of seen) expect([woke, blocked]).toEqual([now, now]);
  });

  it("main.bpf.c rusty_select_cpu: the direct-greedy picks are tried only while some domain is direct-greedy (one saturated domain never picks from an empty mask)", () => {
    let emptyPicks = 0, picks = 0;
    const wrap = (scx: Scx): Scx => {
      const w = Object.create(scx) as Scx;
      w.pickIdleCpu = (mask, flags) => { picks++; if (mask !== null && mask.every((b) => b === 0)) emptyPicks++; return scx.pickIdleCpu(mask, flags); };
      return w;
    };
    const r = run("rusty", plan([hog("h", 0, { instances: 4 }), task("w", [{ kind: "run", us: 200 }, { kind: "sleep", us: 300 }], { instances: 2 })]), { topology: "4", durationNs: S, wrapScx: wrap });
    expect(picks).toBeGreaterThan(100);
    expect(emptyPicks).toBe(0);
    expect(r.scx.events.direct_greedy ?? 0).toBe(0);
  });

  it("main.bpf.c rusty_set_cpumask: all_cpus is set only by ops.set_cpumask (an affinity change or a switch into sched_ext), so tasks forked under the scheduler never kick idle CPUs to steal (kick-greedy) though the tuner enables it for every domain, while tasks switched in at attach may", () => {
    type Rusty = { kickGreedy: Uint8Array; set_cpumask(p: unknown, m: Uint8Array | null): void; tctx: { get(p: unknown): { allCpus: boolean } } };
    const watch = (seen: unknown[]) => (o: SchedExtOps & object): void => {
      const init = o.init_task!.bind(o);
      o.init_task = (p, args) => { seen.push(p); return init(p, args); };
    };
    let forkedOps: Rusty | null = null;
    const forked: unknown[] = [];
    const r = run("rusty", plan([poisson("req", 3000, 300)]), {
      topology: "4", durationNs: S,
      wrapOps: (o) => { forkedOps = o as unknown as Rusty; watch(forked)(o); },
    });
    expect(Array.from(forkedOps!.kickGreedy)).toEqual([1]);
    expect(r.scx.events.kick_greedy ?? 0).toBe(0);
    const p = forked.find((t) => (t as { comm: string }).comm.startsWith("req"))!;
    expect(forkedOps!.tctx.get(p).allCpus).toBe(false);
    forkedOps!.set_cpumask(p, null);
    expect(forkedOps!.tctx.get(p).allCpus).toBe(true);
    forkedOps!.set_cpumask(p, Uint8Array.from([1, 1, 0, 1]));
    expect(forkedOps!.tctx.get(p).allCpus).toBe(false);

    let switchedOps: Rusty | null = null;
    const switched: unknown[] = [];
    run("rusty", plan([hog("h", 0, { instances: 2 }), task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }], { instances: 3 })]), {
      topology: "4", durationNs: S,
      wrapOps: (o) => { switchedOps = o as unknown as Rusty; watch(switched)(o); },
    });
    expect(switched).toHaveLength(5);
    expect(switched.every((t) => switchedOps!.tctx.get(t).allCpus)).toBe(true);
  });

  it("main.bpf.c task_pick_domain / rusty_init / rusty_set_cpumask: each CPU deals domains from its own cursor, which starts at the CPU's number and is read before it moves on; a task present at attach is dealt one at init_task and another when set_cpumask switches it in", () => {
    const r = run("rusty", plan([hog("a"), hog("b", 0, { delayUs: 1000 })]), { topology: "2llc-8c", durationNs: 10 * MS });
    const busy = (lo: number, hi: number) => r.cpus.filter((c) => c.cpu >= lo && c.cpu <= hi && c.busyNs > 0).length;
    // CPU 0's cursor: init_task a → 1, init_task b → 0, set_cpumask a → 1, set_cpumask b → 0
    expect(busy(4, 7)).toBe(1);
    expect(busy(0, 3)).toBe(1);
    // alone: init_task a → domain 1, then set_cpumask a → domain 0
    const first = run("rusty", plan([hog("a")]), { topology: "2llc-8c", durationNs: 10 * MS });
    expect(first.cpus.filter((c) => c.busyNs > 0).map((c) => c.cpu >= 4)).toEqual([false]);
  });

  it("main.bpf.c rusty_select_cpu: a task woken outside its domain with no idle CPU there goes to bpf_cpumask_any_distribute of its domain's CPUs, the kernel's cursor of the running CPU (the next after its last answer, the first skipping CPU 0)", () => {
    const f = fakeScx("2llc-8c");
    let here = 5;
    Object.assign(f.scx, { currentCpu: () => here, stat: () => undefined });
    const q = findScheduler("rusty").create(f.scx, {}) as unknown as SchedExtOps;
    // Domain 0 is LLC 0 (CPUs 0-3); prev 5 is in LLC 1; nothing is idle.
    const wake = (): number => q.select_cpu!(anyTask(5), asCpu(5), 0);
    expect([wake(), wake(), wake(), wake(), wake()]).toEqual([1, 2, 3, 0, 1]);
    here = 6;
    expect(wake()).toBe(1);
  });

  it("main.rs Opts and rusty_ops: option defaults are upstream's (-u 20000, -o 1000, -g 1, -D 90, -K 100, -i 2.0, -I 0.1) and the watchdog is 10 s", () => {
    expect(resolveOptions("rusty", options, {})).toEqual({
      slice_us: 20_000, slice_us_overutil: 1000, greedy_threshold: 1, greedy_threshold_x_numa: 0, direct_greedy_under: 90,
      kick_greedy_under: 100, direct_greedy_numa: false, interval_us: 2_000_000, tune_interval_us: 100_000,
    });
    expect(findScheduler("rusty").create(fakeScx("1").scx, {}).timeout_ms).toBe(10_000);
  });
});
