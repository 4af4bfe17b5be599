/**
 * What a scheduler module hands the kernel (a callback's return value, a kfunc's argument, an
 * exit message or code) may be any JavaScript value: one whose toString throws, a NaN, ten
 * thousand characters, a newline. The kernel side never throws on it; the scheduler gets the
 * exit the kernel would give (init's non-zero return, select_cpu's bad CPU, scx_bpf_exit's s64),
 * with a one-line message of at most scx_exit_info.msg's 1023 characters, and the run goes on.
 */
import { describe, expect, it } from "vitest";
import { SCX_DSQ_GLOBAL, SCX_EXIT_MSG_LEN } from "../../sim/ext/consts.js";
import type { CpuId, SchedExtOps, Scx } from "../../sim/ext/ops.js";
import type { Machine } from "../../sim/machine.js";
import { hog, plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { expectAllFair, expectExit, load } from "./util.js";

const MS = 1_000_000;

/** toString and valueOf both throw: String(), template literals and arithmetic all fail on it. */
const UNPRINTABLE = { toString(): never { throw new Error("toString"); }, valueOf(): never { throw new Error("valueOf"); } };

function world(): Machine {
  return machine(plan([hog("a"), hog("b"), task("s", [{ kind: "run", us: 100 }, { kind: "sleep", us: 200 }])]), { cpus: 2 });
}

/** A global-FIFO scheduler whose fifth enqueue does `act`. */
function fifo(scx: Scx, extra: Partial<SchedExtOps> = {}, act: () => void = () => {}): SchedExtOps {
  let n = 0;
  return {
    name: "fifo",
    enqueue: (p, f) => { scx.dsqInsert(p, SCX_DSQ_GLOBAL, MS / 2, f); if (++n === 5) act(); },
    ...extra,
  };
}

/** Ejected with `kind` and `msg`, every task back under fair, and time still passing. */
function ejected(m: Machine, kind: Parameters<typeof expectExit>[1], msg: string | RegExp): void {
  expectExit(m, kind, msg);
  expectAllFair(m);
  m.runFor(10 * MS);
  expectAllFair(m);
}

describe("return values the kernel prints", () => {
  it("ops.init returning an unprintable object fails the load like any non-zero return", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { init: () => UNPRINTABLE as unknown as number }));
    m.runFor(5 * MS);
    ejected(m, "SCX_EXIT_ERROR", "ops.init() failed (an unprintable object)");
  });

  it("ops.init_task returning one fails that task's init", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { init_task: () => UNPRINTABLE as unknown as number }));
    m.runFor(5 * MS);
    ejected(m, "SCX_EXIT_ERROR", /^ops\.init_task\(\) failed \(an unprintable object\) for /);
  });

  it("ops.select_cpu returning one is an invalid CPU", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { select_cpu: () => UNPRINTABLE as unknown as CpuId }));
    m.runFor(50 * MS);
    ejected(m, "SCX_EXIT_ERROR", "select_cpu returned invalid CPU an unprintable object");
  });
});

describe("scx.error and scx.exit", () => {
  it.each([
    ["an unprintable object", UNPRINTABLE, "an unprintable object"],
    ["nothing", undefined, ""],
    ["a number", 42, "42"],
    ["a message that would split the line", "one\ntwo\u202e", "one\\u000atwo\\u202e"],
  ])("scx.error given %s: SCX_EXIT_ERROR_BPF with a one-line message", (_what, msg, want) => {
    const m = world();
    load(m, (scx) => fifo(scx, {}, () => scx.error(msg as string)));
    m.runFor(50 * MS);
    ejected(m, "SCX_EXIT_ERROR_BPF", want);
  });

  it(`a message longer than scx_exit_info.msg keeps its first ${SCX_EXIT_MSG_LEN - 1} characters, from scx.error or a throw`, () => {
    for (const act of [(scx: Scx) => scx.error("y".repeat(100_000)), () => { throw new Error("x".repeat(100_000)); }]) {
      const m = world();
      load(m, (scx) => fifo(scx, {}, () => act(scx)));
      m.runFor(50 * MS);
      expect(m.scx.exitInfo?.msg).toHaveLength(SCX_EXIT_MSG_LEN - 1);
      ejected(m, "SCX_EXIT_ERROR_BPF", /^(enqueue: x+|y+)$/);
    }
  });

  it.each([NaN, 1.5, 2 ** 70, "3", null])("scx.exit with exit code %s (not an s64) is an error exit", (code) => {
    const m = world();
    load(m, (scx) => fifo(scx, {}, () => scx.exit(code as number, "bye")));
    m.runFor(50 * MS);
    ejected(m, "SCX_EXIT_ERROR", /^scx_bpf_exit\(\): invalid exit code .+ \(expected an s64\)$/);
  });

  it("scx.exit with an s64 code and any message unregisters gracefully with both", () => {
    const m = world();
    load(m, (scx) => fifo(scx, {}, () => scx.exit(2 ** 48 + 7, UNPRINTABLE as unknown as string)));
    m.runFor(50 * MS);
    ejected(m, "SCX_EXIT_UNREG_BPF", "an unprintable object");
    expect(m.scx.exitInfo?.exitCode).toBe(2 ** 48 + 7);
  });
});

describe("scheduler statistics", () => {
  it.each([
    ["a NaN delta", "x", NaN], ["an infinite delta", "x", Infinity], ["a string delta", "x", "3"], ["a symbol name", Symbol("s"), 1], ["an unprintable name", UNPRINTABLE, 1],
  ])("scx.stat with %s is an error exit, and the counters stay numbers", (_what, name, delta) => {
    const m = world();
    load(m, (scx) => fifo(scx, {}, () => scx.stat(name as string, delta as number)));
    m.runFor(50 * MS);
    ejected(m, "SCX_EXIT_ERROR", /^scx\.stat\(\): expected a name and a finite delta, got .+ and .+$/);
    expect(m.result().scx.events).toEqual({});
  });

  it("a counter named __proto__ is counted like any other", () => {
    const m = world();
    load(m, (scx) => fifo(scx, {}, () => scx.stat("__proto__", 2)));
    m.runFor(50 * MS);
    expect(JSON.stringify(m.result().scx.events)).toBe('{"__proto__":2}');
  });

  it.each([
    ["throws", () => { throw UNPRINTABLE; }, "failed: a thrown object that cannot be printed"],
    ["returns null", () => null, "returned null"],
    ["gives a string and a NaN beside a number", () => ({ ok: 3, s: "str", n: NaN }), "gave s = str, not a finite number"],
  ])("a statsFrom reader that %s: the result is still built, with its finite numbers and a warning", (_what, read, why) => {
    const m = world();
    load(m, (scx) => { scx.statsFrom(read as unknown as () => Record<string, number>); return fifo(scx); });
    m.runFor(10 * MS);
    const r = m.result();
    expect(r.scx.events).toEqual(why.startsWith("gave") ? { ok: 3 } : {});
    expect(r.warnings).toEqual([`scheduler statistics left out: their reader (scx.statsFrom) ${why}`]);
  });
});
