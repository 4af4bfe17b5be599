import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  deqFlagsHi, deqFlagsLo, dsqFromKernel, enqFlagsFromKernel, enqFlagsHi, enqFlagsLo, sliceFromKernel, sliceHi, sliceLo,
  vtimeFromKernel, vtimeHi, vtimeLo,
} from "../../sim/ebpf/scx/abi.js";
import {
  SCX_DEQ_SCHED_CHANGE, SCX_DEQ_SLEEP, SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_ENQ_CPU_SELECTED,
  SCX_ENQ_HEAD, SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_ENQ_WAKEUP, SCX_SLICE_INF,
} from "../../sim/ext/consts.js";

const halves = (v: bigint): [number, number] => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
const B63 = 1n << 63n;

describe("kernel numbers at the BPF boundary", () => {
  it("DSQ ids: the kernel's built-ins (bit 63) map to sim/ext's, user ids pass through", () => {
    expect(dsqFromKernel(...halves(B63 | 1n))).toBe(SCX_DSQ_GLOBAL);
    expect(dsqFromKernel(...halves(B63 | 2n))).toBe(SCX_DSQ_LOCAL);
    expect(dsqFromKernel(...halves(B63 | (1n << 62n) | 7n))).toBe(SCX_DSQ_LOCAL_ON + 7);
    expect(dsqFromKernel(...halves(B63))).toBe(SCX_DSQ_INVALID);
    expect(dsqFromKernel(...halves(B63 | 3n))).toBe(SCX_DSQ_INVALID);
    expect(dsqFromKernel(...halves(1234567890123n))).toBe(1234567890123);
    expect(dsqFromKernel(...halves(1n << 52n))).toBe(SCX_DSQ_INVALID);
  });

  it("enqueue flags: the kernel's bits 32, 40 and 41 become sim/ext's scaled ones and back", () => {
    const k = (v: bigint): number => enqFlagsFromKernel(...halves(v));
    expect(k(1n | (1n << 4n) | (1n << 10n))).toBe(SCX_ENQ_WAKEUP | SCX_ENQ_HEAD | SCX_ENQ_CPU_SELECTED);
    expect(k(1n << 32n)).toBe(SCX_ENQ_PREEMPT);
    expect(k(1n << 40n)).toBe(SCX_ENQ_REENQ);
    expect(k(1n << 41n)).toBe(SCX_ENQ_LAST);
    const all = [SCX_ENQ_WAKEUP, SCX_ENQ_HEAD, SCX_ENQ_CPU_SELECTED, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_ENQ_LAST];
    fc.assert(fc.property(fc.subarray(all), (bits) => {
      const f = bits.reduce((a, b) => a | b, 0);
      expect(enqFlagsFromKernel(enqFlagsLo(f), enqFlagsHi(f))).toBe(f);
    }));
  });

  it("dequeue flags: SLEEP stays bit 0, SCHED_CHANGE goes to the kernel's bit 33", () => {
    const f = SCX_DEQ_SLEEP | SCX_DEQ_SCHED_CHANGE;
    expect([deqFlagsLo(f), deqFlagsHi(f)]).toEqual([1, 2]);
  });

  it("slices: ~0 is SCX_SLICE_INF, others exact; vtimes round-trip as signed 64-bit", () => {
    expect(sliceFromKernel(-1, -1)).toBe(SCX_SLICE_INF);
    expect([sliceLo(SCX_SLICE_INF), sliceHi(SCX_SLICE_INF)]).toEqual([-1, -1]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (ns) => {
      expect(sliceFromKernel(sliceLo(ns), sliceHi(ns))).toBe(ns);
    }));
    fc.assert(fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (v) => {
      expect(vtimeFromKernel(vtimeLo(v), vtimeHi(v))).toBe(v);
      expect(BigInt.asIntN(64, (BigInt(vtimeHi(v)) << 32n) | BigInt(vtimeLo(v) >>> 0))).toBe(BigInt(v));
    }));
  });
});
