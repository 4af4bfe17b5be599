/**
 * bpf_cpumask_any_distribute / bpf_cpumask_any_and_distribute as the kernel's
 * cpumask_any_distribute (lib/cpumask.c): the next CPU of the mask after the one this CPU last
 * returned, wrapping, remembered per CPU from 0 (so the first answer skips CPU 0), moved only by
 * a hit. scx_rusty and scx_p2dq place tasks with them; scxlab returned the mask's first CPU.
 * Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler, type BpfSchedulerInstance } from "../../sim/ebpf/scx/index.js";
import { hog, plan } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

describe.runIf(clangTestsEnabled())("cpumask distribute kfuncs", () => {
  it("rotate through the mask per CPU, skip CPU 0 at first, and leave the memory alone on a miss", () => {
    const bytes = compileBpf("eng_distribute.bpf.c");
    const m = machine(plan([hog("h", 0, { instances: 6 })]), { cpus: 4, durationNs: 20 * MS });
    let inst: BpfSchedulerInstance | undefined;
    attach(m, (scx) => (inst = instantiateBpfScheduler(bytes, "eng_distribute.bpf.o", {}, scx)).ops);
    m.runToEnd();
    expect(m.result(0).scx.exit).toBeNull();
    const e = m.result(0).scx.events;
    const obj = inst!.object, bss = obj.maps.find((x) => x.name.endsWith(".bss"))!;
    const out = (k: number): number => Number(inst!.memory.readU64(obj.mapValueAddr(bss.index, 0) + 8 * k));
    // {1,3}: 1, 3, 1; {1,3} and {0,3}: 3; and {0}: none (past the mask), memory still 3; {1,3}: 1
    expect([out(0), out(1), out(2), out(3)]).toEqual([1, 3, 1, 3]);
    expect(out(4)).toBeGreaterThanOrEqual(4);
    expect(out(5)).toBe(1);
    // Another CPU's memory starts at 0: {0,1,3} answers 1 there.
    expect(e.other_cpu).toBeGreaterThan(0);
    expect(e.other_cpu_first).toBe(1);
  });
});
