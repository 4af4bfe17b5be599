/**
 * What a compiled scheduler sees of the kernel around ops.dispatch: p->scx.flags carries
 * SCX_TASK_QUEUED for a prev that is still runnable (enqueue_task_scx sets it; scx_nest and
 * scx_bpfland test it before keeping prev), and a BPF timer runs on the CPU that started it, so
 * bpf_get_smp_processor_id() there is that CPU (scx_nest's compact_primary_core demotes it).
 * Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler } from "../../sim/ebpf/scx/index.js";
import { hog, plan } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

describe.runIf(clangTestsEnabled())("ops.dispatch's prev and BPF timers in a compiled object", () => {
  it("two hogs on two CPUs (nothing else queued, so each expiry calls dispatch with prev, kept with a refilled 20 ms slice): every prev passed to dispatch is runnable and marked SCX_TASK_QUEUED; the timer runs on its CPU", () => {
    const bytes = compileBpf("eng_prev.bpf.c");
    const m = machine(plan([hog("a"), hog("b")]), { cpus: 2, durationNs: 100 * MS });
    attach(m, (scx) => instantiateBpfScheduler(bytes, "eng_prev.bpf.o", {}, scx).ops);
    m.runFor(50 * MS);
    const r = m.result();
    expect(r.scx.exit).toBeNull();
    const e = r.scx.events;
    expect(e.nr_prev).toBeGreaterThanOrEqual(4);
    expect(e.nr_prev_queued).toBe(e.nr_prev);
    expect(e.timer_runs).toBe(1);
    expect(e.timer_started_on).toBe(1);
    expect(e.timer_ran_on).toBe(1);
  });
});
