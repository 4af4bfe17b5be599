/**
 * ops.cpu_release / ops.cpu_acquire reach a compiled scheduler (ext.c switch_class and
 * balance_one): the program reads struct scx_cpu_release_args (reason, the RT task) as the
 * kernel lays it out. Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler } from "../../sim/ebpf/scx/index.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { SCX_CPU_PREEMPT_RT } from "../../sim/ext/ops.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

describe.runIf(clangTestsEnabled())("cpu_release and cpu_acquire in a compiled object", () => {
  it("an RT task taking the CPU every 10 ms: one release (reason RT, its pid) and one acquire each time", () => {
    const bytes = compileBpf("eng_release.bpf.c");
    const rt = task("rt", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 8000 }], { policy: "SCHED_FIFO", rtPriority: 50 });
    const m = machine(plan([hog("h"), rt]), { cpus: 1, durationNs: 100 * MS });
    attach(m, (scx) => instantiateBpfScheduler(bytes, "eng_release.bpf.o", {}, scx).ops);
    m.runFor(25 * MS);
    const r = m.result();
    expect(r.scx.exit).toBeNull();
    // the object's .bss integers are the run's scheduler events, by name
    const e = r.scx.events;
    expect([e.nr_release, e.nr_acquire]).toEqual([3, 3]);
    expect([e.last_reason, e.last_pid, e.last_cpu]).toEqual([SCX_CPU_PREEMPT_RT, m.kernel.tasks[1].pid, 0]);
  });
});
