/**
 * Misuse the kernel rejects (issue 15.6) and what user space sees after an exit (15.8), after
 * kernel/sched/ext.c: scx_bpf_dsq_move_to_local looks the id up among user DSQs only
 * (find_user_dsq: "invalid DSQ ID"), scx_bpf_dispatch_cancel on an empty buffer is an underflow
 * error, and the exit info stays readable after a new scheduler attaches.
 */
import { describe, expect, it } from "vitest";
import { SCX_DSQ_GLOBAL, asDsq } from "../../sim/ext/consts.js";
import { ENODEV } from "../../sim/bpf/errno.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { hog, plan } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { expectAllFair, expectExit, load } from "./util.js";

const MS = 1_000_000;

function fifo(name: string, scx: Scx, extra: Partial<SchedExtOps> = {}): SchedExtOps {
  return {
    name,
    init: () => scx.createDsq(asDsq(0), -1),
    enqueue: (p, f) => scx.dsqInsert(p, asDsq(0), 5 * MS, f),
    dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); },
    ...extra,
  };
}

const world = () => machine(plan([hog("a"), hog("b"), hog("c")]), { cpus: 2, durationNs: 1e9 });

describe("misuse the kernel rejects", () => {
  it("scx_bpf_dsq_move_to_local(SCX_DSQ_GLOBAL): find_user_dsq fails -> SCX_EXIT_ERROR \"invalid DSQ ID\"", () => {
    const m = world();
    load(m, (scx) => fifo("global_mover", scx, {
      enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, 5 * MS, f),
      dispatch: () => { scx.dsqMoveToLocal(SCX_DSQ_GLOBAL); },
    }));
    m.runFor(20 * MS);
    expectExit(m, "SCX_EXIT_ERROR", /^invalid DSQ ID 0x/);
    expectAllFair(m);
  });

  it("scx_bpf_dispatch_cancel with an empty dispatch buffer -> SCX_EXIT_ERROR \"dispatch buffer underflow\"", () => {
    const m = world();
    load(m, (scx) => fifo("canceller", scx, { dispatch: () => { scx.dispatchCancel(); } }));
    m.runFor(20 * MS);
    expectExit(m, "SCX_EXIT_ERROR", "dispatch buffer underflow");
    expectAllFair(m);
  });
});

describe("exit info as user space reads it (15.8)", () => {
  it("the last exit stays after a new scheduler attaches, until another exit replaces it", () => {
    const m = world();
    const first = load(m, (scx) => fifo("first", scx));
    m.runFor(10 * MS);
    expect(m.scx.exitInfo).toBeNull();
    first.proc.close(first.link);
    expectExit(m, "SCX_EXIT_UNREG", "");
    const failAt = m.kernel.now + 5 * MS;
    const second = load(m, (scx) => fifo("second", scx, {
      dispatch: () => { if (scx.now() >= failAt) scx.error("late"); scx.dsqMoveToLocal(asDsq(0)); },
    }));
    expect(m.scx.exitInfo).toMatchObject({ kind: "SCX_EXIT_UNREG" });
    m.runFor(10 * MS);
    expectExit(m, "SCX_EXIT_ERROR_BPF", "late");
    second.proc.close(second.link);
    expectExit(m, "SCX_EXIT_ERROR_BPF", "late");
  });
});

describe("a SEC(\"syscall\") program run from user space (BPF_PROG_TEST_RUN)", () => {
  it("calls kfuncs outside any callback: creates a DSQ the scheduler then serves, and returns its value", () => {
    const m = world();
    let served = 0, made = false;
    load(m, (scx) => fifo("syscall_fed", scx, {
      enqueue: (p, f) => scx.dsqInsert(p, asDsq(made ? 7 : 0), 5 * MS, f),
      dispatch: () => { if (made && scx.dsqMoveToLocal(asDsq(7))) served++; else scx.dsqMoveToLocal(asDsq(0)); },
    }));
    expect(m.runSyscallProgram((scx) => scx.createDsq(asDsq(7), -1))).toBe(0);
    made = true;
    m.runFor(20 * MS);
    expect(m.scx.state).toBe("enabled");
    expect(served).toBeGreaterThan(0);
    expect(m.runSyscallProgram((scx) => scx.dsqNrQueued(asDsq(7)))).toBeGreaterThanOrEqual(0);
  });

  it("scx.error from the program ejects the scheduler (SCX_EXIT_ERROR_BPF), the program still returns its value, tasks go back to fair", () => {
    const m = world();
    load(m, (scx) => fifo("victim", scx));
    m.runFor(5 * MS);
    expect(m.runSyscallProgram((scx) => { scx.error("from user space"); return 1; })).toBe(1);
    expectExit(m, "SCX_EXIT_ERROR_BPF", "from user space");
    expectAllFair(m);
  });

  it("without an enabled scheduler there is nothing to act on: -ENODEV and the program does not run", () => {
    const m = world();
    let ran = false;
    expect(m.runSyscallProgram(() => { ran = true; return 0; })).toBe(-ENODEV);
    expect(ran).toBe(false);
  });
});
