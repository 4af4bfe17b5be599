/**
 * The flatcg port does the arithmetic of tools/sched_ext/scx_flatcg.bpf.c: u32/u64 integers
 * that truncate and wrap. References here are the C expressions evaluated on BigInt.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { FlatcgScheduler, cgroupRefund, childHweight, vtimeCharge } from "../../../schedulers/flatcg.js";
import type { Scx, ScxTask } from "../../../sim/ext/ops.js";
import { SCX_SLICE_DFL } from "../../../sim/ext/consts.js";

const U64 = 1n << 64n;

describe("flatcg arithmetic as scx_flatcg.bpf.c", () => {
  it("cgrp_refresh_hweight: div_round_up(parent hweight * weight, child_weight_sum) on u32/u64", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65536 }), fc.integer({ min: 1, max: 10000 }), fc.integer({ min: 1, max: 10_000_000 }), (ph, w, sum) => {
      const dividend = BigInt(ph) * BigInt(w) % (1n << 32n);
      expect(BigInt(childHweight(ph, w, sum))).toBe((dividend + BigInt(sum) - 1n) / BigInt(sum));
    }));
    // B and C of R{A(100){B(100),C(100)},D(200)}: A = ceil(65536*100/300), B = ceil(A*100/200)
    expect(childHweight(childHweight(65536, 100, 300), 100, 200)).toBe(10923);
  });

  it("fcg_stopping: (SCX_SLICE_DFL - slice) * 100 / weight truncates", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: SCX_SLICE_DFL }), fc.integer({ min: 1, max: 10000 }), (slice, w) => {
      expect(BigInt(vtimeCharge(slice, w))).toBe((BigInt(SCX_SLICE_DFL - slice) * 100n) / BigInt(w));
    }));
  });

  it("fcg_dispatch's refund (cur_at + slice - now) * HWEIGHT_ONE / hweight wraps as u64 when the slice overran", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 1e8 }), fc.integer({ min: 0, max: 2e8 }), fc.integer({ min: 0, max: 65536 }), (at, slice, ran, hw) => {
      const x = ((BigInt(at + slice - (at + ran)) % U64) + U64) % U64;
      expect(cgroupRefund(at, slice, at + ran, hw)).toBe((x * 65536n % U64) / BigInt(hw || 1));
    }));
    // one nanosecond late on a full-weight cgroup: a charge of 2^48 - 1 ns, not a 1 ns refund
    expect(cgroupRefund(0, 20_000_000, 20_000_001, 65536)).toBe((1n << 48n) - 1n);
  });
});

/** The facade calls fcg_cgroup_init, fcg_running and fcg_cgroup_move make, nothing else. */
function stubScx(): Scx {
  const store = new Map<ScxTask, unknown>();
  const scx = {
    nrCpus: () => 2,
    createDsq: () => 0,
    cgroupParent: (c: string) => (c === "/" ? "" : "/"),
    stat: () => {},
    error: (m: string) => { throw new Error(m); },
    taskStorage: <T>(init: (p: ScxTask) => T) => ({
      get: (p: ScxTask) => { if (!store.has(p)) store.set(p, init(p)); return store.get(p) as T; },
    }),
  };
  return scx as unknown as Scx;
}

function task(cgroup: string, dsqVtime: number): ScxTask {
  return { cgroup, dsqVtime, weight: 100, slice: SCX_SLICE_DFL, sumExecNs: 0 } as unknown as ScxTask;
}

describe("fcg_cgroup_move", () => {
  it("carries a task's lead over the old cgroup's vtime clock; a task behind the clock starts at the new one's (time_delta >= 0)", () => {
    const f = new FlatcgScheduler(stubScx(), { cgrp_slice_us: 20_000, fifo_sched: false });
    for (const c of ["/", "/x", "/y"]) expect(f.cgroup_init(c, 100)).toBe(0);
    f.running(task("/x", 5_000_000)); // /x's clock: 5 ms
    f.running(task("/y", 1_000_000)); // /y's clock: 1 ms
    const ahead = task("/x", 7_000_000), behind = task("/x", 4_000_000);
    f.cgroup_move(ahead, "/x", "/y");
    f.cgroup_move(behind, "/x", "/y");
    expect(ahead.dsqVtime).toBe(3_000_000);
    expect(behind.dsqVtime).toBe(1_000_000);
  });
});
