/**
 * A lone task whose slice runs out stays on its CPU when the scheduler's ops.dispatch refills
 * it, as kernel/sched/ext.c does: balance_one() calls ops.dispatch(cpu, prev) with prev still
 * SCX_TASK_QUEUED; a slice set there makes it keep prev (SCX_RQ_BAL_KEEP), pick_task_scx()
 * returns prev, put_prev_set_next_task() does nothing for next == prev, and __schedule() counts
 * no switch. Without the refill, SCX_OPS_ENQ_LAST sends prev through ops.enqueue with
 * SCX_ENQ_LAST (put_prev_task_scx) and it is switched out; the SCX_KICK_IDLE the program then
 * gives its own CPU cannot be skipped while that CPU is in balance (can_skip_idle_kick) and
 * brings it back once idle (kick_one_cpu_if_idle), so the task runs again. The flag tested is what
 * upstream scx_bpfland's keep_running() (scheds/rust/scx_bpfland/src/bpf/main.bpf.c, and
 * is_task_queued() in flash, beerland, cosmos; tickless's dispatch) reads: p->scx.flags &
 * SCX_TASK_QUEUED, set by enqueue_task_scx() before ops.runnable and cleared by
 * dequeue_task_scx() after ops.quiescent. ops.dispatch also gets a prev that blocked or exited
 * (balance_one's prev_on_scx), with the bit clear, and `__state == TASK_DEAD` for the exited
 * one: the mirror's fields and the task view's p.queued / p.dead come from one place
 * (sim/ext/task_flags.ts). Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler } from "../../sim/ebpf/scx/index.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

function run(over: { refill_prev: boolean; sleeper: boolean }) {
  const bytes = compileBpf("eng_keep.bpf.c");
  const tasks = [hog("h")];
  if (over.sleeper) tasks.push(task("s", [{ kind: "run", us: 500 }, { kind: "sleep", us: 5000 }]));
  const m = machine(plan(tasks), { cpus: over.sleeper ? 2 : 1, durationNs: 100 * MS });
  attach(m, (scx) => instantiateBpfScheduler(bytes, "eng_keep.bpf.o", { refill_prev: over.refill_prev }, scx).ops);
  m.runFor(100 * MS);
  const r = m.result();
  expect(r.scx.exit).toBeNull();
  return { e: r.scx.events, hog: r.tasks.find((t) => t.group === "h")!, r };
}

describe.runIf(clangTestsEnabled())("ext.c balance_one keeps a lone prev whose slice ops.dispatch refilled", () => {
  it("refilled in ops.dispatch (scx_bpfland_dispatch's keep_running): the hog is never switched out, nor re-enqueued", () => {
    const { e, hog } = run({ refill_prev: true, sleeper: false });
    // 1 ms slices over 100 ms: about one refill per slice, each seeing prev queued
    expect(e.nr_refills).toBeGreaterThanOrEqual(90);
    expect(e.prev_clear).toBe(0);
    expect(hog.switches).toBe(0);
    expect(e.nr_enq_last).toBe(0);
  });

  it("not refilled: with SCX_OPS_ENQ_LAST every expiry goes through ops.enqueue(SCX_ENQ_LAST) and counts one switch", () => {
    const { e, hog } = run({ refill_prev: false, sleeper: false });
    expect(e.nr_enq_last).toBeGreaterThanOrEqual(90);
    expect(hog.switches).toBe(e.nr_enq_last);
  });

  it("SCX_TASK_QUEUED is clear in select_cpu and set in runnable, enqueue, running, stopping, quiescent and a still-runnable dispatch prev", () => {
    const { e } = run({ refill_prev: true, sleeper: true });
    expect(e.select_set).toBe(0);
    expect(e.select_clear).toBeGreaterThan(10);
    for (const cb of ["runnable", "enqueue", "running", "stopping", "quiescent"]) {
      expect({ cb, clear: e[`${cb}_clear`] }).toEqual({ cb, clear: 0 });
      expect(e[`${cb}_set`]).toBeGreaterThan(0);
    }
    expect(e.prev_set).toBeGreaterThan(0);
  });

  it("balance_one hands ops.dispatch a prev that blocked (SCX_TASK_QUEUED clear) or exited (__state TASK_DEAD), as p.queued and p.dead say", () => {
    const bytes = compileBpf("eng_keep.bpf.c");
    const m = machine(plan([task("s", [{ kind: "run", us: 500 }, { kind: "sleep", us: 5000 }]), task("x", [{ kind: "run", us: 300 }], { loop: 1, delayUs: 2000 })]), { cpus: 1, durationNs: 50 * MS });
    const seen: string[] = [];
    attach(m, (scx) => {
      const ops = instantiateBpfScheduler(bytes, "eng_keep.bpf.o", {}, scx).ops;
      const dispatch = ops.dispatch!;
      return { ...ops, dispatch: (cpu, prev) => { if (prev !== null) seen.push(`${prev.comm}:${prev.queued ? "q" : "-"}${prev.dead ? "d" : "-"}`); dispatch(cpu, prev); } };
    });
    m.runFor(50 * MS);
    const e = m.result().scx.events;
    // The sleeper blocks 10 times in 50 ms (5.5 ms a loop); the short task exits once.
    expect(e.prev_clear).toBe(seen.filter((s) => s.includes(":-")).length);
    expect(e.prev_clear).toBeGreaterThanOrEqual(10);
    expect(e.prev_dead).toBe(1);
    expect(seen.filter((s) => s.endsWith("d"))).toEqual(["x:-d"]);
  });
});

describe.runIf(clangTestsEnabled())("the engine's translations are shared between runs, their state is not", () => {
  it("two instances of one object (one translation, engine.ts factoryFor) keep their own globals; the second run repeats the first", () => {
    const bytes = compileBpf("eng_keep.bpf.c");
    const make = () => {
      const m = machine(plan([hog("h")]), { cpus: 1, durationNs: 50 * MS });
      let counters: () => Record<string, number> = () => ({});
      attach(m, (scx) => {
        const inst = instantiateBpfScheduler(bytes, "eng_keep.bpf.o", {}, scx);
        counters = () => m.result().scx.events;
        return inst.ops;
      });
      return { m, counters: () => counters() };
    };
    const a = make(), b = make();
    a.m.runFor(50 * MS);
    expect(a.counters().nr_refills).toBeGreaterThan(0);
    expect(b.counters().nr_refills ?? 0).toBe(0);
    b.m.runFor(50 * MS);
    expect(b.counters()).toEqual(a.counters());
  });
});
