/**
 * Where the kernel's idle scans start. Every scan of kernel/sched/ext_idle.c
 * (pick_idle_cpu_in_node: the whole-core scan of the idle SMT mask, then the idle CPU mask) is
 * lib/cpumask.c's cpumask_any_and_distribute, which starts after the CPU the *calling* CPU's
 * last successful scan returned (the per-CPU distribute_cpu_mask_prev, 0 at boot, so a CPU's
 * first scan skips CPU 0), wraps, and moves that cursor only when it finds one.
 * cpumask_any_distribute (bpf_cpumask_any_distribute, scx_bpf_pick_any_cpu's fallback) reads
 * and moves the same cursor. The property at the end compares IdleTracker with a model written
 * from those two functions.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { asDsq } from "../../sim/ext/consts.js";
import { IdleTracker } from "../../sim/ext/idle_tracker.js";
import type { Scx } from "../../sim/ext/ops.js";
import { flatTopology, resolveTopology, type Topology } from "../../sim/topology.js";
import { plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";

/** A tracker on `topo` with exactly the CPUs of `idle` idle. */
function tracker(topo: Topology, idle: readonly number[]): IdleTracker {
  const t = new IdleTracker(topo);
  for (const c of idle) t.idle[c] = 1;
  return t;
}
const range = (n: number): number[] => [...Array(n).keys()];

describe("cpumask_any_and_distribute's cursor in the idle picks (lib/cpumask.c, ext_idle.c)", () => {
  const flat = flatTopology(4);

  it("a CPU's first scan starts after CPU 0 (distribute_cpu_mask_prev is 0 at boot)", () => {
    expect(tracker(flat, range(4)).pickAny(null, false, 2)).toBe(1);
  });

  it("scans from one CPU go round the machine: each starts after that CPU's last result", () => {
    const t = tracker(flat, range(4));
    const got: number[] = [];
    for (let i = 0; i < 6; i++) {
      const c = t.pickAny(null, false, 3);
      got.push(c);
      t.idle[c] = 1; // the CPU goes idle again before the next wakeup
    }
    expect(got).toEqual([1, 2, 3, 0, 1, 2]);
  });

  it("each calling CPU has its own cursor (a global one would hand CPU 1's scan CPU 2)", () => {
    const t = tracker(flat, range(4));
    expect(t.pickAny(null, false, 0)).toBe(1);
    t.idle[1] = 1;
    expect(t.pickAny(null, false, 1)).toBe(1);
    expect(t.pickAny(null, false, 0)).toBe(2);
  });

  it("a scan that finds nothing leaves the cursor where it was", () => {
    const t = tracker(flat, range(4));
    const none = new Uint8Array(4);
    expect(t.pickAny(none, false, 0)).toBe(-1);
    expect(t.pickAny(none, false, 0)).toBe(-1);
    expect(t.pickAny(null, false, 0)).toBe(1);
  });

  it("the whole-core scan and the single-CPU scan share the cursor (pick_idle_cpu_in_node)", () => {
    // 2x8-smt: CPU c's sibling is c ± 8. Core 6/14 is wholly idle, CPU 3's sibling is busy.
    const smt = resolveTopology("2x8-smt");
    const t = tracker(smt, [6, 14, 3]);
    expect(t.pickAny(null, true, 0)).toBe(6);
    // No whole core is left; the CPU scan starts after 6, so 14 comes before 3.
    expect(t.pickAny(null, false, 0)).toBe(14);
    expect(t.pickAny(null, false, 0)).toBe(3);
  });

  it("cpumask_any_distribute (bpf_cpumask_any_distribute) reads and moves the same cursor, claiming nothing", () => {
    const t = tracker(flat, range(4));
    expect(t.anyDistribute(new Uint8Array([1, 1, 1, 1]), 0)).toBe(1);
    expect(t.idle[1]).toBe(1);
    expect(t.pickAny(null, false, 0)).toBe(2);
    expect(t.anyDistribute(new Uint8Array([1, 0, 0, 0]), 0)).toBe(0);
    expect(t.anyDistribute(new Uint8Array(4), 0)).toBe(-1);
    expect(t.pickAny(null, false, 0)).toBe(1);
  });

  it("scx_select_cpu_dfl's LLC scan uses the calling CPU's cursor, not prev's", () => {
    // 2llc-8c: LLC 0 = 0-3, LLC 1 = 4-7. prev 0 is busy; 1, 2 and 3 are idle in its LLC.
    const two = resolveTopology("2llc-8c");
    const out = { cpu: -1, isIdle: false };
    const t = tracker(two, [1, 2, 3]);
    t.anyDistribute(new Uint8Array([0, 0, 1, 0, 0, 0, 0, 0]), 5); // CPU 5's cursor at 2
    t.selectDfl(null, 0, out, -1, false, 5);
    expect(out).toEqual({ cpu: 3, isIdle: true });
    t.selectDfl(null, 0, out, -1, false, 4); // CPU 4's cursor is still at 0
    expect(out).toEqual({ cpu: 1, isIdle: true });
  });

  it("scx_bpf_select_cpu_and's scans move the calling CPU's cursor, which a later pick from it continues", () => {
    const two = resolveTopology("2llc-8c");
    const t = tracker(two, [1, 5, 6]);
    const all = new Uint8Array(8).fill(1);
    // prev 0 busy, nothing idle in LLC 0 but 1: taken; then LLC 1 from prev 4 busy: 5.
    expect(t.selectAnd(all, 0, false, false, -1, false, 7)).toBe(1);
    expect(t.selectAnd(all, 4, false, false, -1, false, 7)).toBe(5);
    t.idle[1] = 1;
    expect(t.pickAny(null, false, 7)).toBe(6);
  });
});

describe("the facade: kfuncs use the cursor of the CPU they run on (smp_processor_id)", () => {
  it("in select_cpu and enqueue, bpf_cpumask_any_distribute continues from that CPU's last idle pick or draw", () => {
    const n = 4, MS = 1_000_000;
    const m = machine(plan([
      task("a", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }], { instances: 3 }),
      task("b", [{ kind: "run", us: 50 }, { kind: "resume", ref: "c" }, { kind: "sleep", us: 400 }]),
      task("c", [{ kind: "suspend", ref: "c" }, { kind: "run", us: 80 }]),
    ]), { cpus: n });
    const all = new Uint8Array(n).fill(1);
    const last = new Array<number>(n).fill(0);
    let draws = 0, picks = 0;
    /** Checks a draw from the running CPU against that CPU's last result, then records it. */
    const draw = (scx: Scx): void => {
      const here = scx.currentCpu(), c = scx.cpumaskAnyDistribute(all);
      expect(c).toBe((last[here] + 1) % n);
      last[here] = c;
      draws++;
    };
    attach(m, (scx) => ({
      name: "drawer",
      init: () => scx.createDsq(asDsq(0), -1),
      select_cpu: (p, prev) => {
        draw(scx);
        const here = scx.currentCpu(), c = scx.pickIdleCpu(p.cpusAllowed, 0);
        if (c < 0) return prev;
        last[here] = c;
        picks++;
        return c;
      },
      enqueue: (p, flags) => { draw(scx); scx.dsqInsert(p, asDsq(0), 5 * MS, flags); },
      dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    }));
    m.runFor(20 * MS);
    expect(draws).toBeGreaterThan(50);
    expect(picks).toBeGreaterThan(10);
  });
});

// ---- the property: IdleTracker against a model of lib/cpumask.c and ext_idle.c ----

/** The kernel's state as those two files keep it: idle bits and each CPU's distribute_cpu_mask_prev. */
class KernelModel {
  readonly prev: number[];
  constructor(private readonly topo: Topology, readonly idle: number[]) {
    this.prev = new Array<number>(topo.nrCpus).fill(0);
  }
  /** cpumask_any_and_distribute on CPU `here`: next set bit of a & b after prev, wrapping. */
  anyAnd(here: number, has: (c: number) => boolean): number {
    const n = this.topo.nrCpus;
    for (let i = 1; i <= n; i++) {
      const c = (this.prev[here] + i) % n;
      if (has(c)) { this.prev[here] = c; return c; }
    }
    return -1;
  }
  private wholeCoreIdle(c: number): boolean {
    const s = this.topo.sibling[c];
    return this.idle[c] === 1 && (s < 0 || this.idle[s] === 1);
  }
  /** scx_pick_idle_cpu without per-node masks: pick_idle_cpu_in_node over the global masks. */
  pickIdle(here: number, allowed: Uint8Array | null, coreOnly: boolean): number {
    const ok = (c: number) => allowed === null || allowed[c] === 1;
    if (this.topo.sibling.some((s) => s >= 0)) {
      const c = this.anyAnd(here, (x) => ok(x) && this.wholeCoreIdle(x));
      if (c >= 0) { this.idle[c] = 0; return c; }
      if (coreOnly) return -1;
    }
    const c = this.anyAnd(here, (x) => ok(x) && this.idle[x] === 1);
    if (c >= 0) this.idle[c] = 0;
    return c;
  }
}

type Op =
  | { kind: "pick"; here: number; mask: number[] | null; coreOnly: boolean }
  | { kind: "any"; here: number; mask: number[] }
  | { kind: "idle"; cpu: number; on: boolean };

const opArb = (n: number): fc.Arbitrary<Op> => fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("pick" as const), here: fc.nat(n - 1), mask: fc.option(fc.array(fc.nat(1), { minLength: n, maxLength: n }), { nil: null }), coreOnly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("any" as const), here: fc.nat(n - 1), mask: fc.array(fc.nat(1), { minLength: n, maxLength: n }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("idle" as const), cpu: fc.nat(n - 1), on: fc.boolean() }) },
);

const TOPOLOGIES = ["4", "2x8-smt", "2llc-8c", "2s-2llc-8c-smt"];
const topoOf = (name: string): Topology => (/^\d+$/.test(name) ? flatTopology(+name) : resolveTopology(name));

describe("IdleTracker's picks are the kernel's (fast-check)", () => {
  it("scx_bpf_pick_idle_cpu and cpumask_any_distribute give the model's CPU for any calls from any CPUs", () => {
    const caseArb = fc.constantFrom(...TOPOLOGIES).chain((name) => {
      const n = topoOf(name).nrCpus;
      return fc.record({ name: fc.constant(name), idle: fc.array(fc.nat(1), { minLength: n, maxLength: n }), ops: fc.array(opArb(n), { maxLength: 60 }) });
    });
    fc.assert(fc.property(caseArb, ({ name, idle, ops }) => {
      const topo = topoOf(name);
      const t = tracker(topo, idle.flatMap((b, c) => (b === 1 ? [c] : [])));
      const k = new KernelModel(topo, [...idle]);
      for (const op of ops) {
        if (op.kind === "idle") {
          t.idle[op.cpu] = op.on ? 1 : 0;
          k.idle[op.cpu] = op.on ? 1 : 0;
        } else if (op.kind === "any") {
          const mask = Uint8Array.from(op.mask);
          expect(t.anyDistribute(mask, op.here)).toBe(k.anyAnd(op.here, (c) => mask[c] === 1));
        } else {
          const mask = op.mask === null ? null : Uint8Array.from(op.mask);
          expect(t.pickAny(mask, op.coreOnly, op.here)).toBe(k.pickIdle(op.here, mask, op.coreOnly));
        }
        expect(Array.from(t.idle)).toEqual(k.idle);
      }
    }), { numRuns: 300 });
  });

  it("picks from one CPU spread: n wakeups onto a machine that is idle again each time land on n different CPUs", () => {
    fc.assert(fc.property(fc.constantFrom(...TOPOLOGIES), fc.nat(63), fc.nat(63), (name, hereSeed, warm) => {
      const topo = topoOf(name), n = topo.nrCpus, here = hereSeed % n;
      const t = tracker(topo, range(n));
      // Wherever the cursor stands after earlier picks, the next n visit every CPU once.
      for (let i = 0; i < warm % n; i++) t.idle[t.pickAny(null, false, here)] = 1;
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const c = t.pickAny(null, false, here);
        seen.add(c);
        t.idle.fill(1);
      }
      expect(seen.size).toBe(n);
    }), { numRuns: 200 });
  });
});
