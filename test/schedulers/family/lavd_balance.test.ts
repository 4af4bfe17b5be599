/**
 * lavd's cross-domain balancing, each against the upstream function it follows (sched-ext/scx
 * scheds/rust/scx_lavd: src/bpf/balance.bpf.c, main.bpf.c, idle.bpf.c, src/main.rs; the scx
 * lib's lib/ravg.bpf.c).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Scx, ScxTask, DsqId } from "../../../sim/ext/ops.js";
import { asCpu } from "../../../sim/ext/consts.js";
import { LavdBalance, circularOrder, newTaskLoad } from "../../../schedulers/lavd_balance.js";
import { newRavg, ravgAccumulate, ravgRead } from "../../../schedulers/lib/ravg.js";
import { fakeScx } from "../lib/fake_scx.js";

const HALF = 128_000_000, ONE = 2 ** 20;

/** A balancer over `topology` whose DSQs hold the given queues (head first) and whose draws are `draws`. */
function rig(topology: string, o: { mig_delta_pct?: number; lb_low_util_pct?: number } = {}, draws: number[] = []) {
  const f = fakeScx(topology);
  const queues = new Map<number, ScxTask[]>();
  const moved: number[] = [];
  let randoms = 0;
  const scx = Object.assign(Object.create(f.scx) as Scx, {
    dsqPeek: (d: DsqId) => queues.get(d)?.[0] ?? null,
    dsqMoveToLocal: (d: DsqId) => { const q = queues.get(d); if (!q || q.length === 0) return false; moved.push(q.shift()!.pid); return true; },
    randomU32: () => { randoms++; return draws.shift() ?? 0; },
  });
  const load = new Map<number, number>();
  const b = new LavdBalance(scx, { mig_delta_pct: o.mig_delta_pct ?? 0, lb_low_util_pct: o.lb_low_util_pct ?? 25 }, (d) => d as DsqId, (p) => load.get(p.pid) ?? 0);
  const all = new Uint8Array(scx.nrCpus()).fill(1);
  /** One stat interval where every CPU of domain d averages util[d] (1/1024), wall and invariant. */
  const plan = (util: number[], active = all) => {
    for (let c = asCpu(0); c < scx.nrCpus(); c++) b.addCpu(c, util[scx.cpuLlc(c)], util[scx.cpuLlc(c)], util[scx.cpuLlc(c)]);
    b.plan(active);
  };
  const queue = (dom: number, pid: number, util: number) => {
    const q = queues.get(dom) ?? [];
    q.push({ pid } as ScxTask);
    queues.set(dom, q);
    load.set(pid, util);
    const l = newTaskLoad();
    l.utilEst = util;
    b.account(l, dom);
  };
  return { b, plan, queue, moved, randoms: () => randoms };
}

describe("lavd cross-domain balancing follows upstream (sched-ext/scx scheds/rust/scx_lavd)", () => {
  it("scx lib/ravg.bpf.c ravg_accumulate/ravg_read: busy for one whole half-life from idle reads 1/2, for two 3/4; halfway through a period the old average counts 3/4 and the new half", () => {
    const r = newRavg();
    ravgAccumulate(r, 1024, 0, HALF);
    expect(ravgRead(r, HALF, HALF) / ONE).toBe(512);
    expect(ravgRead(r, 2 * HALF, HALF) / ONE).toBe(768);
    ravgAccumulate(r, 0, 2 * HALF, HALF);
    // Idle for half a period after 3/4: 3/4 × (1 − 1/4) + 0.
    expect(ravgRead(r, 2.5 * HALF, HALF) / ONE).toBe(576);
  });

  it("main.bpf.c lavd_running/lavd_quiescent: a task's util_est is its duty cycle, read as it sleeps (1 ms of every 4 → about 1/4 after a few half-lives)", () => {
    const b = rig("4").b, l = newTaskLoad();
    for (let t = 0; t < 1_000_000_000; t += 4_000_000) {
      b.running(l, t);
      b.sleeping(l, t + 1_000_000);
    }
    expect(l.utilEst).toBeGreaterThan(240);
    expect(l.utilEst).toBeLessThan(272);
  });

  it("main.rs circular_sort: a domain's neighbours at one distance are ordered around the ring from it (domain 0 of 4: 1, 3, 2)", () => {
    expect(circularOrder(0, [1, 2, 3])).toEqual([1, 3, 2]);
    expect(circularOrder(2, [0, 1, 3])).toEqual([1, 3, 0]);
    // 2s-2llc-8c-smt: the same node's domain first, then the other node's, each class in ring order.
    expect(rig("2s-2llc-8c-smt").b.neighbours).toEqual([[[1], [2, 3]], [[0], [2, 3]], [[3], [0, 1]], [[2], [0, 1]]]);
  });

  it("balance.bpf.c plan_x_cpdom_migration/classify_cpdom: load is average invariant utilisation plus queued load; a domain at or below its fair share less 1/8 (some but not all domains have queued load) steals with half its deficit, one at or above fair + 1/8 with queued load is stolen from with half its excess", () => {
    const { b, plan, queue } = rig("2llc-8c");
    queue(0, 1, 300);
    plan([1000, 200]);
    // Loads 4300 and 800; fair share 2550 each, margin 2550 / 8 = 318.
    expect(Array.from(b.load)).toEqual([4300, 800]);
    expect([b.stealee[0], b.stealer[1], b.stealer[0], b.stealee[1]]).toEqual([1, 1, 0, 0]);
    expect(b.nrStealee).toBe(1);
  });

  it("balance.bpf.c plan_x_cpdom_migration: nothing is planned while every domain's CPUs average under lb_low_util_pct (25 %), and roles set in a round without stealees stay (reset_and_skip_lb clears only after a round that had one)", () => {
    const { b, plan, queue } = rig("2llc-8c");
    plan([200, 200]);
    expect(Array.from(b.stealer)).toEqual([0, 0]);
    // Equal loads, no queued load: both are at fair share, margin 1/4: no stealee, no stealer.
    plan([600, 600]);
    expect(b.nrStealee).toBe(0);
    // One domain well below: it becomes a stealer, but with no stealee the round is skipped and its role kept.
    plan([900, 300]);
    expect([b.stealer[1], b.nrStealee]).toEqual([1, 0]);
    plan([200, 100]);
    expect(b.stealer[1]).toBe(1);
    queue(0, 1, 100);
    plan([1000, 300]);
    expect(b.nrStealee).toBe(1);
    plan([100, 100]);
    expect([Array.from(b.stealer), Array.from(b.stealee), b.nrStealee]).toEqual([[0, 0], [0, 0], 0]);
  });

  it("balance.bpf.c try_to_steal_task: a stealer's CPU takes the head of a stealee neighbour's DSQ, debiting both budgets by its util_est; the roles drop when a budget runs out", () => {
    const { b, plan, queue, moved } = rig("2llc-8c");
    for (let i = 0; i < 8; i++) queue(0, 10 + i, 200);
    plan([1000, 200]);
    // Loads 5600 and 800, fair 3200: budgets (5600 − 3200) / 2 = 1200 and (3200 − 800) / 2 = 1200,
    // gone after six tasks of 200.
    let steals = 0;
    while (b.trySteal(1)) steals++;
    expect(steals).toBe(6);
    expect(moved).toEqual([10, 11, 12, 13, 14, 15]);
    expect([b.stealee[0], b.stealer[1]]).toEqual([0, 0]);
    expect(b.trySteal(0)).toBe(false);
  });

  it("balance.bpf.c try_to_steal_task: neighbours nearest first; a farther distance class is tried only when bpf_get_prandom_u32() % 2 is 0 (LAVD_CPDOM_MIG_PROB_FT)", () => {
    // Domain 0's classes on 2s-2llc-8c-smt: [1] then [2, 3]. Only domain 3 has work to give.
    const setup = (draw: number) => {
      const r = rig("2s-2llc-8c-smt", {}, [draw]);
      r.queue(3, 7, 500);
      r.plan([100, 600, 600, 1000]);
      return r;
    };
    const no = setup(1);
    expect([no.b.stealer[0], no.b.stealee[3]]).toEqual([1, 1]);
    expect(no.b.trySteal(0)).toBe(false);
    expect(no.randoms()).toBe(1);
    const yes = setup(0);
    expect(yes.b.trySteal(0)).toBe(true);
    expect(yes.moved).toEqual([7]);
  });

  it("balance.bpf.c consume_task → force_to_steal_task: with its own DSQs empty a CPU takes from any neighbour whatever the roles, unless mig_delta_pct is set", () => {
    const r = rig("2llc-8c");
    r.queue(1, 3, 10);
    expect(r.b.forceSteal(0)).toBe(true);
    const off = rig("2llc-8c", { mig_delta_pct: 10 });
    off.queue(1, 3, 10);
    expect(off.b.forceSteal(0)).toBe(false);
  });

  it("idle.bpf.c migrate_to_neighbor: only a stealee domain gives a waking task away, to the first stealer neighbour where a CPU is claimed", () => {
    const { b, plan, queue } = rig("2s-2llc-8c-smt");
    const tried: number[] = [];
    const pick = (d: number) => { tried.push(d); return asCpu(d === 3 ? 12 : -1); };
    expect(b.migrateToNeighbor(0, pick)).toBe(-1);
    queue(0, 1, 800);
    plan([1000, 100, 900, 100]);
    expect(b.migrateToNeighbor(0, pick)).toBe(12);
    expect(tried).toEqual([1, 3]);
  });

  it("property (main.bpf.c account_queued_load/unaccount_queued_load): whatever the order of queueing, running and leaving, a domain's queued load is the sum of the snapshots of the tasks still queued there, and never negative", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(3), fc.integer({ min: 0, max: 1024 })), { maxLength: 60 }), (ops) => {
      const b = rig("2s-2llc-8c-smt").b;
      const loads = Array.from({ length: 6 }, () => newTaskLoad());
      let now = 0;
      for (const [task, op, v] of ops) {
        const l = loads[task];
        now += 1000;
        if (op === 0) { l.utilEst = v; b.account(l, v % 4); }
        else if (op === 1) b.running(l, now);
        else if (op === 2) b.unaccount(l);
        else b.sleeping(l, now);
      }
      for (let d = 0; d < 4; d++) {
        const want = loads.filter((l) => l.queuedDom === d).reduce((s, l) => s + l.snapshot, 0);
        expect(b.qload[d]).toBe(want);
        expect(b.qload[d]).toBeGreaterThanOrEqual(0);
      }
    }));
  });
});
