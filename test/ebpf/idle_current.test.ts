/**
 * `current` as a compiled scheduler sees it in a wakeup from a sleep's timer: on an idle CPU
 * the interrupt finds that CPU's idle task (pid 0), which no task storage knows, not the wakee
 * (scx_rusty's rusty_runnable counts `current` as the waker: the wakee counted as its own
 * waker made the object's deadlines differ from the port's). Needs clang-19 (CI installs it).
 */
import { describe, expect, it } from "vitest";
import { instantiateBpfScheduler } from "../../sim/ebpf/scx/index.js";
import { hog, plan, task } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

const MS = 1_000_000;

describe.runIf(clangTestsEnabled())("bpf_get_current_task_btf in a timer wakeup", () => {
  const sleeper = task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 900 }]);
  const events = (p: ReturnType<typeof plan>, cpus: number) => {
    const bytes = compileBpf("eng_idle_current.bpf.c");
    const m = machine(p, { cpus, durationNs: 50 * MS });
    attach(m, (scx) => instantiateBpfScheduler(bytes, "eng_idle_current.bpf.o", {}, scx).ops);
    m.runToEnd();
    const r = m.result();
    expect(r.scx.exit).toBeNull();
    return r.scx.events;
  };

  it("a lone sleeper on 2 CPUs wakes on an idle CPU: current is that CPU's idle task (pid 0, no task storage), not the wakee itself", () => {
    const e = events(plan([sleeper]), 2);
    expect(e.cur_idle).toBeGreaterThan(40);
    expect(e.cur_self).toBe(0);
    expect(e.cur_idle_with_storage).toBe(0);
  });

  it("beside a hog on 1 CPU the interrupt finds the hog running: current is the hog; the two first starts (no parent in the model) see a task no scheduler knows, not themselves", () => {
    const e = events(plan([sleeper, hog("h")]), 1);
    expect(e.cur_other).toBeGreaterThanOrEqual(3); // the hog's 20 ms slices let few wakeups through
    expect(e.cur_idle).toBe(2);
    expect(e.cur_self).toBe(0);
  });
});
