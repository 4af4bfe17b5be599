import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run } from "./run.js";
import type { SchedExtOps, Scx } from "../../../sim/ext/ops.js";
import { SCX_ENQ_LAST, SCX_OPS_ENQ_EXITING, SCX_OPS_ENQ_LAST, asCpu } from "../../../sim/ext/consts.js";
import { BpflandScheduler, options } from "../../../schedulers/bpfland.js";
import { resolveOptions } from "../../../schedulers/options.js";
import { fakeScx } from "../lib/fake_scx.js";
import { loadWorkload } from "../../../workloads/load.js";

describe("bpfland", () => {
  it("an interactive task (run 0.3 ms, sleep 4 ms) next to 4 hogs on 2 CPUs wakes within slice_max (1 ms) at p99, where simple's p99 exceeds 10 ms", () => {
    const p = plan([task("i", [{ kind: "run", us: 300 }, { kind: "sleep", us: 4000 }]), hog("h", 0, { instances: 4 })]);
    const simple = run("simple", p, { topology: "2", durationNs: 5 * S });
    const bpfland = run("bpfland", p, { topology: "2", durationNs: 5 * S });
    expect(simple.groups.i.wakeupLatencyNs.p99).toBeGreaterThan(10 * MS);
    expect(bpfland.groups.i.wakeupLatencyNs.p99).toBeLessThan(1 * MS);
    expect(bpfland.groups.i.wakeupLatencyNs.count).toBeGreaterThan(1000);
    // The hogs still get the rest of the machine.
    expect(bpfland.groups.h.cpuNs + bpfland.groups.i.cpuNs).toBe(2 * 5 * S);
  });
});

describe("bpfland follows upstream (sched-ext/scx scheds/rust/scx_bpfland)", () => {
  it("main.bpf.c task_dl + bpfland_stopping: the inserted deadline becomes the vruntime and stopping adds runtime on top, so a never-sleeping hog's deadlines climb far faster than its CPU time", () => {
    const inserts = new Map<number, number[]>();
    const wrapScx = (scx: Scx): Scx => {
      const w = Object.create(scx) as Scx;
      w.dsqInsertVtime = (p, dsq, slice, vtime, flags) => {
        const l = inserts.get(p.pid) ?? [];
        l.push(vtime);
        inserts.set(p.pid, l);
        scx.dsqInsertVtime(p, dsq, slice, vtime, flags);
      };
      return w;
    };
    const r = run("bpfland", plan([hog("h", 0, { instances: 2 })]), { topology: "1", durationNs: S, wrapScx });
    for (const t of r.tasks) {
      const l = inserts.get(t.pid)!;
      expect(l.length).toBeGreaterThan(100);
      // Each run adds its runtime (≤ 1 ms) plus the awake time (up to slice_lag, 40 ms) at the next insert.
      expect(l[l.length - 1] - l[0]).toBeGreaterThan(10 * t.cpuNs);
    }
  });

  it("main.bpf.c pick_idle_cpu: a task woken by a task on a faster CPU (hybrid capacities) moves toward the waker's CPU; with equal capacities it never does", () => {
    const p = plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 200 }, { kind: "resume", ref: "ping" }], { cpus: [0, 2, 3] }),
      task("ping", [{ kind: "run", us: 200 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { delayUs: 50, cpus: [0] }),
    ]);
    // CPU 0 fast in LLC 0; CPUs 2 and 3 slow in LLC 1 (a big and little machine).
    const cpus = [0, 1, 2, 3].map((c) => ({ core: c, llc: c < 2 ? 0 : 1, node: 0, capacity: c < 2 ? 1024 : 512 }));
    const hybrid = run("bpfland", p, { topology: { cpus }, durationNs: 200 * MS });
    expect(hybrid.scx.events.waker_cpu_bias ?? 0).toBeGreaterThan(10);
    const flat = run("bpfland", p, { topology: "4", durationNs: 200 * MS });
    expect(flat.scx.events.waker_cpu_bias ?? 0).toBe(0);
  });

  it("main.rs -w (no_wake_sync): SCX_WAKE_SYNC is dropped before the default selection, so a pipe's reader is never pulled to the writer's CPU", () => {
    const ends = (sync: boolean) => plan([
      task("pong", [{ kind: "suspend", ref: "pong" }, { kind: "run", us: 50 }, { kind: "resume", ref: "ping" }], { wakeSync: sync }),
      task("ping", [{ kind: "run", us: 50 }, { kind: "resume", ref: "pong" }, { kind: "suspend", ref: "ping" }], { wakeSync: sync, delayUs: 50 }),
    ]);
    const on = run("bpfland", ends(true), { topology: "2llc-8c", durationNs: 100 * MS, timeline: true });
    const off = run("bpfland", ends(true), { topology: "2llc-8c", durationNs: 100 * MS, timeline: true, options: { no_wake_sync: true } });
    const none = run("bpfland", ends(false), { topology: "2llc-8c", durationNs: 100 * MS, timeline: true });
    const cpusUsed = (r: typeof on) => new Set(r.timeline!.cpu).size;
    expect(cpusUsed(off)).toBe(cpusUsed(none));
    expect(JSON.stringify(off.timeline!.cpu)).toBe(JSON.stringify(none.timeline!.cpu));
    expect(on.scx.events.direct).toBeGreaterThan(100);
  });

  it("main.bpf.c is_smt_contended: the sibling is busy AND some CPU of the node is idle", () => {
    const f = fakeScx("2x8-smt");
    const b = new BpflandScheduler(f.scx, resolveOptions("bpfland", options, {}));
    f.idle.fill(0);
    expect(b.smtContended(asCpu(0))).toBe(false); // sibling busy, nothing idle: nowhere better to go
    f.idle[3] = 1;
    expect(b.smtContended(asCpu(0))).toBe(true);
    f.idle[8] = 1; // the sibling of 0 idle
    expect(b.smtContended(asCpu(0))).toBe(false);
    const flat = new BpflandScheduler(fakeScx("8").scx, resolveOptions("bpfland", options, {}));
    expect(flat.smtContended(asCpu(0))).toBe(false);
  });

  it("main.rs ops flags SCX_OPS_ENQ_LAST: a lone task whose slice runs out on a contended SMT core (keep_running false) goes back through ops.enqueue(SCX_ENQ_LAST) and on to a whole idle core, where without the flag the kernel keeps it running (SCX_EV_DISPATCH_KEEP_LAST)", () => {
    // a starts alone on CPU 0 and may also use CPU 1; from 5 ms b holds CPU 8, the sibling of 0
    // (2x8-smt: siblings c and c + 8), while CPU 1's core stays idle.
    const p = plan([hog("a", 0, { cpus: [0, 1] }), hog("b", 0, { cpus: [8], delayUs: 5000 })]);
    const enqLast = (flags: number | undefined) => {
      let n = 0;
      const r = run("bpfland", p, {
        topology: "2x8-smt", durationNs: 50 * MS, overheads: true,
        wrapOps: (ops) => {
          if (flags !== undefined) (ops as { flags: number }).flags = flags;
          const enq = ops.enqueue!.bind(ops);
          ops.enqueue = (t, f) => { if ((f & SCX_ENQ_LAST) !== 0) n++; enq(t, f); };
        },
      });
      return { n, keepLast: r.scx.events.SCX_EV_DISPATCH_KEEP_LAST ?? 0, onCpu1: r.cpus[1]!.busyNs };
    };
    const upstream = enqLast(undefined);
    expect(new BpflandScheduler(fakeScx("1").scx, resolveOptions("bpfland", options, {})).flags).toBe(SCX_OPS_ENQ_LAST | SCX_OPS_ENQ_EXITING);
    const without = enqLast(0);
    expect(without.n).toBe(0);
    expect(without.keepLast).toBeGreaterThan(0);
    expect(upstream.keepLast).toBe(0);
    expect(upstream.n).toBeGreaterThan(0);
    expect(upstream.onCpu1).toBeGreaterThan(40 * MS);
  });

  it("main.bpf.c bpfland_enqueue → pick_idle_cpu(p, prev_cpu, -1, 0, true): a task enqueued without select_cpu (a slice expiry) asks the kernel's scx_bpf_select_cpu_and from its previous CPU, with no wake flags, over all its CPUs; the kernel's order (prev, its LLC, node, the rest) is checked in test/ext/select_cpu_and.test.ts", () => {
    const calls: { prevOk: boolean; flagsOk: boolean; maskOk: boolean }[] = [];
    let inEnqueue = false;
    const wrapScx = (scx: Scx): Scx => {
      const w = Object.create(scx) as Scx;
      w.selectCpuAnd = (p, prev, wakeFlags, allowed, flags) => {
        if (inEnqueue) calls.push({ prevOk: prev === scx.taskCpu(p), flagsOk: wakeFlags === 0 && flags === 0, maskOk: allowed.every((b) => b === 1) });
        return scx.selectCpuAnd(p, prev, wakeFlags, allowed, flags);
      };
      return w;
    };
    const wrapOps = (ops: SchedExtOps): void => {
      const enq = ops.enqueue!.bind(ops);
      ops.enqueue = (p, f) => { inEnqueue = true; enq(p, f); inEnqueue = false; };
    };
    // More 3 ms bursts than CPUs: 1 ms slices expire with others waiting, so tasks are enqueued without select_cpu.
    const p = plan([task("s", [{ kind: "run", us: 3000 }, { kind: "sleep", us: 2000 }], { instances: 12 })]);
    run("bpfland", p, { topology: "2llc-8c", durationNs: S / 2, wrapScx, wrapOps });
    expect(calls.length).toBeGreaterThan(100);
    expect(calls.filter((c) => !c.prevOk || !c.flagsOk || !c.maskOk)).toEqual([]);
  });

  it("main.rs Opts: option defaults and flags are upstream's (-s 1000, -L 0, -l 40000, -p off, -S off, -w off) and the watchdog is STARVATION_MS (5 s)", () => {
    const o = resolveOptions("bpfland", options, {});
    expect(o).toEqual({ slice_max_us: 1000, slice_min_us: 0, slice_lag_us: 40_000, local_pcpu: false, sticky_tasks: false, no_wake_sync: false });
    expect(options.slice_min_us.doc).toContain("-L");
    expect(options.no_wake_sync.doc).toContain("-w");
    expect(options.sticky_tasks.doc).toContain("-S");
    expect(new BpflandScheduler(fakeScx("1").scx, o).timeout_ms).toBe(5000);
  });

  it("main.rs -L 0 (no minimum slice) on an overloaded server: slices end at the tick (task_tick_scx), so it serves its load instead of collapsing into microsecond switches", () => {
    // 10k req/s of 500 µs mean on 4 CPUs: more work than the CPUs have, long queues, slices of
    // slice_max / queue length. Under exact expiry this served 188 req/s; tick-bound, a CPU
    // switches at most once per tick (HZ 250) from a spent slice.
    const durS = 0.5;
    const r = run("bpfland", loadWorkload("server", { rate: 10_000 }), { topology: "4", durationNs: durS * S, overheads: true });
    expect(r.totals.completed).toBeGreaterThan(0.9 * 10_000 * durS);
    expect(r.totals.contextSwitches.involuntary).toBeLessThanOrEqual(250 * 4 * durS);
  });

  it("main.bpf.c bpfland_enqueue with -S: a task averaging under 10 µs a run stays on its CPU's local DSQ", () => {
    const p = plan([task("s", [{ kind: "run", us: 5 }, { kind: "sleep", us: 50 }], { instances: 4 }), hog("h", 0, { instances: 4 })]);
    const sticky = run("bpfland", p, { topology: "4", durationNs: S / 5, options: { sticky_tasks: true } });
    const plain = run("bpfland", p, { topology: "4", durationNs: S / 5 });
    const migr = (r: typeof plain) => r.tasks.filter((t) => t.group === "s").reduce((a, t) => a + t.migrations, 0);
    expect(migr(sticky)).toBeLessThan(migr(plain));
  });
});
