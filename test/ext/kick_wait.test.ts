/**
 * SCX_KICK_WAIT as Linux 6.19 has it (kernel/sched/ext.c: scx_kick_cpu, kick_one_cpu,
 * kick_cpus_irq_workfn; the target's rq->scx.kick_sync moves in do_pick_task_scx and
 * put_prev_task_scx): the kicking CPU goes on only once the target has been through its
 * scheduler. Here that means: code the kicker runs next (the rest of a waker's program, the
 * task it just picked) sees the target rescheduled, where a plain kick leaves it to later.
 */
import { describe, expect, it } from "vitest";
import { SCX_ENQ_WAKEUP, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_OPS_SWITCH_PARTIAL, SCX_SLICE_DFL, asCpu, asDsq, localOn } from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { hog, plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { load } from "./util.js";

const MS = 1_000_000;

/**
 * CPU 1 runs the hog h; w on CPU 0 wakes after 1 ms and posts s1 (waking x) then s2 (waking y) at one instant. The
 * scheduler puts x (woken after the start) straight on CPU 1 and kicks it with `kickFlags`; y's
 * select_cpu records what CPU 1 runs at that moment.
 */
function scenario(kickFlags: number, fairHog = false) {
  // With fairHog, h stays in the fair class (SWITCH_PARTIAL) and only w, x and y are ext's.
  const ext = { policy: fairHog ? "SCHED_EXT" : "SCHED_OTHER" } as const;
  const m = machine(plan([
    hog("h", 0, { cpus: [1] }),
    task("w", [{ kind: "sleep", us: 1000 }, { kind: "sem_post", ref: "s1" }, { kind: "sem_post", ref: "s2" }, { kind: "sleep", us: 1_000_000 }], { cpus: [0], ...ext }),
    task("x", [{ kind: "sem_wait", ref: "s1" }, { kind: "run", us: 500 }], ext),
    task("y", [{ kind: "sem_wait", ref: "s2" }, { kind: "run", us: 10 }], ext),
  ]), { cpus: 2, durationNs: 100 * MS });
  const seenOnCpu1: string[] = [];
  /** Kicks the kicker still had to wait for, right after each kick. */
  const waitsAfterKick: number[] = [];
  load(m, (scx: Scx): SchedExtOps => ({
    name: "kickwait",
    flags: fairHog ? SCX_OPS_SWITCH_PARTIAL : 0,
    init: () => scx.createDsq(asDsq(0), -1),
    select_cpu: (p, prev) => {
      if (p.comm === "y" && scx.now() > 0) seenOnCpu1.push(scx.cpuCurr(asCpu(1))?.comm ?? "idle");
      return prev;
    },
    enqueue: (p, f) => {
      if (p.comm === "x" && (f & SCX_ENQ_WAKEUP) !== 0 && scx.now() > 0) {
        scx.dsqInsert(p, localOn(asCpu(1)), SCX_SLICE_DFL, 0);
        scx.kickCpu(asCpu(1), kickFlags);
        waitsAfterKick.push(m.kernel.ext.kickWaits.length / 3);
        return;
      }
      scx.dsqInsert(p, asDsq(0), SCX_SLICE_DFL, f);
    },
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
  }));
  m.runFor(5 * MS);
  expect(m.scx.exitInfo).toBeNull();
  return { m, seenOnCpu1, waitsAfterKick };
}

describe("SCX_KICK_WAIT (kick_cpus_irq_workfn, Linux 6.19)", () => {
  it("kick_one_cpu + kick_sync: after a PREEMPT|WAIT kick in a wakeup, the waker's next wakeup sees the target rescheduled", () => {
    const { seenOnCpu1, waitsAfterKick } = scenario(SCX_KICK_PREEMPT | SCX_KICK_WAIT);
    expect(waitsAfterKick).toEqual([1]);
    expect(seenOnCpu1).toEqual(["x"]);
  });

  it("without WAIT the kick is only a request: the waker goes on while the target still runs its task", () => {
    const { seenOnCpu1 } = scenario(SCX_KICK_PREEMPT);
    expect(seenOnCpu1).toEqual(["h"]);
  });

  it("a WAIT kick without PREEMPT waits for the reschedule, which keeps a task with slice left (balance_one keeps prev)", () => {
    const { seenOnCpu1 } = scenario(SCX_KICK_WAIT);
    expect(seenOnCpu1).toEqual(["h"]);
  });

  it("kick_one_cpu skips a CPU that runs a higher class (fair under SWITCH_PARTIAL): no preemption, nothing to wait for", () => {
    const { seenOnCpu1, waitsAfterKick } = scenario(SCX_KICK_PREEMPT | SCX_KICK_WAIT, true);
    expect(waitsAfterKick).toEqual([0]);
    expect(seenOnCpu1).toEqual(["h"]);
  });

  it("a WAIT kick from ops.dispatch: the task the kicker then picks runs its program only after the target rescheduled", () => {
    const run = (kickFlags: number): string[] => {
      const m = machine(plan([
        hog("h", 0, { cpus: [1] }),
        hog("h2", 0, { cpus: [1] }),
        task("w", [{ kind: "sleep", us: 1000 }, { kind: "sem_post", ref: "s2" }, { kind: "sleep", us: 1_000_000 }], { cpus: [0] }),
        task("y", [{ kind: "sem_wait", ref: "s2" }, { kind: "run", us: 10 }]),
      ]), { cpus: 2, durationNs: 100 * MS });
      const seen: string[] = [];
      let kicked = false;
      load(m, (scx: Scx): SchedExtOps => ({
        name: "kickwait_dispatch",
        init: () => scx.createDsq(asDsq(0), -1),
        select_cpu: (p, prev) => {
          if (p.comm === "y" && scx.now() > 0) seen.push(scx.cpuCurr(asCpu(1))?.comm ?? "idle");
          return prev;
        },
        enqueue: (p, f) => scx.dsqInsert(p, asDsq(0), SCX_SLICE_DFL, f),
        dispatch: (cpu) => {
          if (cpu === 0 && scx.now() > 0 && !kicked) { kicked = true; scx.kickCpu(asCpu(1), kickFlags); }
          scx.dsqMoveToLocal(asDsq(0));
        },
      }));
      m.runFor(5 * MS);
      expect(m.scx.exitInfo).toBeNull();
      return seen;
    };
    // h2 waits in DSQ 0 for CPU 1; the preempting kick lets it in. w, picked by CPU 0 in that
    // dispatch, then wakes y, whose select_cpu looks at CPU 1.
    expect(run(SCX_KICK_PREEMPT | SCX_KICK_WAIT)).toEqual(["h2"]);
    expect(run(SCX_KICK_PREEMPT)).toEqual(["h"]);
  });

  it("kick_sync moves at each ext pick and put_prev of an ext task (do_pick_task_scx, put_prev_task_scx), not while a CPU idles", () => {
    const { m } = scenario(0);
    const k = m.kernel;
    const before = Array.from(k.ext.kickSync);
    k.runFor(100 * MS); // h's 20 ms slices end on CPU 1, each a pick that keeps it; CPU 0 idles (w sleeps)
    expect(k.ext.kickSync[1]! - before[1]!).toBeGreaterThanOrEqual(4);
    expect(k.ext.kickSync[0]).toBe(before[0]);
  });
});
