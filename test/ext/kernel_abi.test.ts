/**
 * The one table of sched_ext constants at the kernel boundary (sim/ext/kernel_abi.ts, issue
 * 15.7) against the kernel's definitions (Linux 6.19 include/linux/sched/ext.h enum
 * scx_dsq_id_flags, kernel/sched/ext_internal.h enums scx_enq_flags, scx_deq_flags,
 * scx_kick_flags, scx_wake_flags, scx_ops_flags, scx_exit_kind) and the TS API's values.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as consts from "../../sim/ext/consts.js";
import {
  DEQ_FLAGS, ENQ_FLAGS, SCX_ABI, SCX_KERNEL, dsqIdFromKernel, dsqIdToKernel, exitKindCode, exitKindOf, kernelValue,
} from "../../sim/ext/kernel_abi.js";
import { KERNEL_ENUMS, kernelEnumValue } from "../../sim/ebpf/obj/kernel_btf.js";
import * as root from "../../index.js";
import type { ExitKind } from "../../sim/result.js";

const {
  SCX_DEQ_SAVE, SCX_DEQ_SCHED_CHANGE, SCX_DEQ_SLEEP, SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_DSQ_USER_MAX,
  SCX_ENQ_CPU_SELECTED, SCX_ENQ_HEAD, SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_ENQ_RESTORE, SCX_ENQ_WAKEUP,
  asCpu, asDsq, localOn,
} = consts;
const B63 = 1n << 63n, B62 = 1n << 62n;

describe("sched_ext constants at the kernel boundary (issue 15.7)", () => {
  it("enum scx_dsq_id_flags: built-in ids carry bit 63, LOCAL_ON bit 62 | cpu; user ids are themselves", () => {
    expect(SCX_KERNEL.SCX_DSQ_LOCAL).toBe(B63 | 2n);
    expect(SCX_KERNEL.SCX_DSQ_GLOBAL).toBe(B63 | 1n);
    expect(dsqIdToKernel(SCX_DSQ_LOCAL)).toBe(B63 | 2n);
    expect(dsqIdToKernel(SCX_DSQ_GLOBAL)).toBe(B63 | 1n);
    expect(dsqIdToKernel(localOn(asCpu(5)))).toBe(B63 | B62 | 5n);
    expect(dsqIdToKernel(SCX_DSQ_INVALID)).toBe(B63);
    expect(dsqIdToKernel(asDsq(-1))).toBe(B63);
    expect(dsqIdToKernel(asDsq(0.5))).toBe(B63);
    expect(dsqIdFromKernel(B63 | 3n)).toBe(SCX_DSQ_INVALID);
    expect(dsqIdFromKernel(1n << 52n)).toBe(SCX_DSQ_INVALID);
    // The kernel takes the CPU from the low 32 bits of a LOCAL_ON id whatever else is set.
    expect(dsqIdFromKernel(B63 | B62 | (1n << 40n) | 3n)).toBe(SCX_DSQ_LOCAL_ON + 3);
    const ids = fc.oneof(
      fc.integer({ min: 0, max: SCX_DSQ_USER_MAX - 1 }).map(asDsq),
      fc.integer({ min: 0, max: 0xffff }).map((cpu) => localOn(asCpu(cpu))),
      fc.constantFrom(SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_DSQ_INVALID),
    );
    fc.assert(fc.property(ids, (id) => { expect(dsqIdFromKernel(dsqIdToKernel(id))).toBe(id); }));
  });

  it("enum scx_enq_flags: PREEMPT is bit 32, REENQ 40, LAST 41 for the kernel; the low bits are the same in both", () => {
    expect(ENQ_FLAGS.toKernel(SCX_ENQ_PREEMPT)).toBe(1n << 32n);
    expect(ENQ_FLAGS.toKernel(SCX_ENQ_REENQ)).toBe(1n << 40n);
    expect(ENQ_FLAGS.toKernel(SCX_ENQ_LAST)).toBe(1n << 41n);
    expect(ENQ_FLAGS.toKernel(SCX_ENQ_WAKEUP | SCX_ENQ_HEAD | SCX_ENQ_CPU_SELECTED)).toBe(1n | 16n | 1024n);
    // The core's ENQUEUE_RESTORE rides along at its own bit, as in the kernel.
    expect(ENQ_FLAGS.toKernel(SCX_ENQ_RESTORE)).toBe(2n);
    expect(ENQ_FLAGS.fromKernel(SCX_KERNEL.SCX_ENQ_CLEAR_OPSS!)).toBe(0);
    const all = [SCX_ENQ_WAKEUP, SCX_ENQ_RESTORE, SCX_ENQ_HEAD, SCX_ENQ_CPU_SELECTED, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_ENQ_LAST];
    fc.assert(fc.property(fc.subarray(all), (bits) => {
      const f = bits.reduce((a, b) => a | b, 0);
      expect(ENQ_FLAGS.fromKernel(ENQ_FLAGS.toKernel(f))).toBe(f);
    }));
  });

  it("enum scx_deq_flags: SLEEP bit 0, SCHED_CHANGE bit 33; the core's DEQUEUE_SAVE passes", () => {
    expect(DEQ_FLAGS.toKernel(SCX_DEQ_SLEEP | SCX_DEQ_SAVE | SCX_DEQ_SCHED_CHANGE)).toBe(1n | 2n | (1n << 33n));
    expect(DEQ_FLAGS.fromKernel(1n | (1n << 33n))).toBe(SCX_DEQ_SLEEP | SCX_DEQ_SCHED_CHANGE);
  });

  it("every constant the TS API shares with the kernel is in the table with the TS value; below bit 20 the values are the kernel's", () => {
    const exported = consts as unknown as Record<string, unknown>;
    let shared = 0;
    for (const en of SCX_ABI) for (const v of en.values) {
      if (v.ts === null) continue;
      if (v.name in exported) { expect(exported[v.name], v.name).toBe(v.ts); shared++; }
      if (Number.isFinite(v.ts) && v.ts < 1 << 20 && en.name !== "scx_dsq_id_flags" && v.name !== "SCX_DEQ_SCHED_CHANGE") {
        expect(BigInt(v.ts), v.name).toBe(v.kernel);
      }
    }
    expect(shared).toBeGreaterThanOrEqual(25);
    for (const name of Object.keys(exported)) {
      if (!/^SCX_(DSQ|ENQ|DEQ|KICK|WAKE|PICK|OPS)_/.test(name) || typeof exported[name] !== "number") continue;
      // consts.ts's own bounds and helpers that the kernel has no enum value for.
      if (["SCX_DSQ_USER_MAX", "SCX_OPS_ALL_FLAGS", "SCX_ENQ_RESTORE", "SCX_DEQ_SAVE"].includes(name)) continue;
      expect(name in SCX_KERNEL, `${name} missing from the table`).toBe(true);
    }
  });

  it("enum scx_exit_kind: the codes ops.exit and UEI report, and back", () => {
    expect(exitKindCode("SCX_EXIT_UNREG")).toBe(64);
    expect(exitKindCode("SCX_EXIT_ERROR_STALL")).toBe(1026);
    const kinds: ExitKind[] = ["SCX_EXIT_NONE", "SCX_EXIT_DONE", "SCX_EXIT_UNREG", "SCX_EXIT_UNREG_BPF", "SCX_EXIT_UNREG_KERN",
      "SCX_EXIT_SYSRQ", "SCX_EXIT_ERROR", "SCX_EXIT_ERROR_BPF", "SCX_EXIT_ERROR_STALL"];
    for (const k of kinds) expect(exitKindOf(exitKindCode(k))).toBe(k);
    expect(exitKindOf(2)).toBeNull();
    expect(exitKindOf(1.5)).toBeNull();
  });

  it("the kernel type model's enums (CO-RE targets) are the table's, minus constants newer than 6.19's BTF", () => {
    expect(kernelEnumValue("SCX_DSQ_LOCAL_ON")).toBe(kernelValue("SCX_DSQ_LOCAL_ON"));
    expect(kernelEnumValue("SCX_ENQ_PREEMPT")).toBe(1n << 32n);
    expect(KERNEL_ENUMS.flatMap((e) => e.values).some((v) => v.name === "SCX_DEQ_SCHED_CHANGE")).toBe(false);
    expect(() => kernelValue("SCX_NO_SUCH")).toThrow(/no sched_ext constant SCX_NO_SUCH/);
  });

  it("scripts get the kernel's numbers and the conversions from the package root", () => {
    expect(root.SCX_KERNEL.SCX_DSQ_LOCAL).toBe(B63 | 2n);
    expect(root.dsqIdToKernel(root.localOn(asCpu(2)))).toBe(B63 | B62 | 2n);
    expect(root.exitKindCode("SCX_EXIT_ERROR")).toBe(1024);
  });
});
