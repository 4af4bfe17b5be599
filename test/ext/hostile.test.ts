/**
 * A scheduler cannot corrupt the kernel (issue 19, points 1-5). Each case names the kernel
 * behaviour it follows: the verifier's store rules for task_struct (bpf_scx_btf_struct_access
 * lets a BPF scheduler write p->scx.slice and p->scx.dsq_vtime only), callbacks that run to
 * completion inside one scheduling event, scx_kf_allowed's kfunc contexts, copy_from_user's
 * -EFAULT, and the bounds of DSQs and BPF timers. After each: the exit kind and message, every
 * task back under fair with nothing lost, and the run going on.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, SCX_ENQ_REENQ, asDsq } from "../../sim/ext/consts.js";
import type { CpuId, SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import { BPF_TIMERS_MAX, TIMER_SAME_INSTANT_MAX, USER_DSQS_MAX } from "../../sim/ext/kfuncs.js";
import { EFAULT, ENOMEM, BPF_F_LINK } from "../../sim/bpf/index.js";
import { Machine } from "../../sim/machine.js";
import { flatTopology } from "../../sim/topology.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import { hog, plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { expectAllFair, expectExit, load, totalCpuNs } from "./util.js";

const MS = 1_000_000;

/** Two hogs and two sleepers on two CPUs: both CPUs stay busy under any class. */
function workload(): WorkloadPlan {
  return plan([
    hog("a"), hog("b"),
    task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }]),
    task("t", [{ kind: "run", us: 100 }, { kind: "sleep", us: 200 }]),
  ]);
}

function world(o: { progress?: Float64Array; abandon?: { call: number; why: string } } = {}): Machine {
  const p = workload(), topology = flatTopology(2);
  return new Machine({
    topology, plan: p, seed: 1, overheads: false, callbackProgress: o.progress, abandonCallback: o.abandon,
    job: { scheduler: "test", options: {}, workload: p.name, params: {}, topology: topology.name, cpus: 2, seed: 1, durationNs: 1e9, overheads: false },
  });
}

/** A global-FIFO scheduler with 0.5 ms slices (every wakeup goes through enqueue), with some callbacks replaced. */
function fifo(scx: Scx, extra: Partial<SchedExtOps> = {}): SchedExtOps {
  return {
    name: "fifo",
    select_cpu: (_p, prev) => prev,
    enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_GLOBAL, MS / 2, f),
    ...extra,
  };
}

/**
 * After an exit: all fair, nothing lost, and the tasks keep running for another 20 ms (at
 * least one CPU's worth: fair may stack both hogs on one CPU until its next balance).
 */
function goesOn(m: Machine): void {
  expectAllFair(m);
  const before = totalCpuNs(m);
  m.runFor(20 * MS);
  expect(totalCpuNs(m) - before).toBeGreaterThanOrEqual(20 * MS);
  expectAllFair(m);
}

describe("the task a callback gets is a view (bpf_scx_btf_struct_access: only slice and dsq_vtime are writable)", () => {
  for (const field of ["cpu", "pid", "sumExecNs", "weight", "nvcsw", "cpusAllowed", "workLeftNs", "queued", "dead"] as const) {
    it(`writing p.${field} in ops.running is an error exit naming the field; nothing is lost`, () => {
      const m = world();
      load(m, (scx) => fifo(scx, { running: (p) => { (p as unknown as Record<string, unknown>)[field] = 0; } }));
      m.runFor(5 * MS);
      expectExit(m, "SCX_EXIT_ERROR_BPF", new RegExp(`^running: task field p\\.${field} is read-only`));
      goesOn(m);
    });
  }

  for (const field of ["place", "slot", "cls"]) {
    it(`adding or writing kernel-only field p.${field} is an error exit (the view has no such field and is frozen)`, () => {
      const m = world();
      load(m, (scx) => fifo(scx, { stopping: (p) => { (p as unknown as Record<string, unknown>)[field] = 0; } }));
      m.runFor(20 * MS);
      expectExit(m, "SCX_EXIT_ERROR_BPF", new RegExp(`^stopping: .*${field}`));
      goesOn(m);
    });
  }

  it("slice and dsqVtime are writable: a scheduler setting them stays enabled", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { running: (p) => { p.slice = 2 * MS; p.dsqVtime += 1; } }));
    m.runFor(50 * MS);
    expect(m.scx.state).toBe("enabled");
  });

  it("one view per task: callbacks see the same object for a task each time (no per-call allocation)", () => {
    const m = world();
    const byPid = new Map<number, ScxTask>();
    let mismatches = 0, calls = 0;
    const note = (p: ScxTask) => {
      calls++;
      const seen = byPid.get(p.pid);
      if (seen === undefined) byPid.set(p.pid, p);
      else if (seen !== p) mismatches++;
    };
    load(m, (scx) => fifo(scx, { runnable: note, running: note, stopping: note, quiescent: note }));
    m.runFor(50 * MS);
    expect(calls).toBeGreaterThan(100);
    expect(mismatches).toBe(0);
  });

  it("writing into p.cpusAllowed changes the scheduler's copy only: the kernel's affinity holds, and the next scheduler sees it restored", () => {
    const p = plan([hog("pinned", 0, { cpus: [1] }), task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }], { cpus: [0, 1] })]);
    const m = machine(p, { cpus: 3 });
    let seen: Uint8Array | null = null;
    const l = load(m, (scx) => fifo(scx, {
      running: (t) => { if (t.cpusAllowed !== null) { t.cpusAllowed.fill(1); seen = t.cpusAllowed; } },
    }));
    m.runFor(30 * MS);
    expect(m.scx.state).toBe("enabled");
    expect(Array.from(seen!)).toEqual([1, 1, 1]);
    const pinned = m.kernel.tasks.find((t) => t.comm === "pinned")!;
    expect(Array.from(pinned.cpusAllowed!)).toEqual([0, 1, 0]);
    expect(pinned.cpu).toBe(1);
    expect(l.proc.close(l.link)).toBe(0);
    let after: number[] = [];
    load(m, (scx) => fifo(scx, { running: (t) => { if (t.comm === "pinned") after = Array.from(t.cpusAllowed!); } }));
    m.runFor(10 * MS);
    expect(after).toEqual([0, 1, 0]);
  });

  it("a kfunc given something that is not a task the kernel gave out is an error exit", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { enqueue: (p, f) => scx.dsqInsert({ ...p } as ScxTask, SCX_DSQ_GLOBAL, 0, f) }));
    m.runFor(5 * MS);
    expectExit(m, "SCX_EXIT_ERROR_BPF", /^enqueue: .*is not a task the kernel gave out/);
    goesOn(m);
  });
});

describe("callbacks run to completion inside one scheduling event", () => {
  it("runFor() from inside ops.enqueue is refused: SCX_EXIT_ERROR, nothing lost, the run goes on", () => {
    const m = world();
    let tried = 0;
    load(m, (scx) => fifo(scx, { enqueue: (p, f) => { tried++; m.runFor(MS); scx.dsqInsert(p, SCX_DSQ_GLOBAL, 0, f); } }));
    m.runFor(5 * MS);
    expect(tried).toBeGreaterThan(0);
    expectExit(m, "SCX_EXIT_ERROR", "runFor() called from inside ops.enqueue: a callback cannot drive simulated time");
    goesOn(m);
  });

  it("runToEnd() from a BPF timer is refused the same way", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { init: () => { const id = scx.timerCreate(() => m.runToEnd()); scx.timerStart(id, MS); return 0; } }));
    m.runFor(5 * MS);
    expectExit(m, "SCX_EXIT_ERROR", "runFor() called from inside ops.timer: a callback cannot drive simulated time");
    goesOn(m);
  });

  it("closing the link from inside a callback disables the scheduler after the callback returns (scx_disable_workfn runs later too)", () => {
    const m = world();
    const l = load(m, (scx) => fifo(scx, { running: () => { if (scx.now() > 2 * MS) l.proc.close(l.link); } }));
    m.runFor(10 * MS);
    expectExit(m, "SCX_EXIT_UNREG", "");
    goesOn(m);
  });

  it("a callback returning a promise is SCX_EXIT_ERROR; its rejection never reaches the process", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => { rejections.push(e); };
    process.on("unhandledRejection", onRejection);
    try {
      const m = world();
      load(m, (scx) => fifo(scx, {
        enqueue: async (p, f) => { scx.dsqInsert(p, SCX_DSQ_GLOBAL, 0, f); await null; throw new Error("late"); },
      }));
      m.runFor(5 * MS);
      expectExit(m, "SCX_EXIT_ERROR", "enqueue: returned a promise; sched_ext callbacks are synchronous");
      goesOn(m);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(rejections).toEqual([]);
  });
});

describe("exceptions of any shape become SCX_EXIT_ERROR_BPF with a printable message", () => {
  const messageThrows = Object.assign(new Error("x"), {});
  Object.defineProperty(messageThrows, "message", { get() { throw new Error("no message for you"); } });
  const hostileProxy = new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
  const cases: [string, () => unknown, RegExp][] = [
    ["a null-prototype object", () => Object.create(null), /^enqueue: a thrown object that cannot be printed$/],
    ["an Error whose message getter throws", () => messageThrows, /^enqueue: /],
    ["a Proxy that throws on every trap", () => hostileProxy, /^enqueue: a thrown object that cannot be printed$/],
    ["undefined", () => undefined, /^enqueue: undefined$/],
    ["a string", () => "plain", /^enqueue: plain$/],
    ["an Error whose message would spoof the line (bidi override, bell, newline)", () => new RangeError("\u202e\u0007 spoof\nsecond line"), /^enqueue: \\u202e\\u0007 spoof\\u000asecond line$/],
  ];
  for (const [what, make, msg] of cases) {
    it(`throwing ${what}`, () => {
      const m = world();
      load(m, (scx) => fifo(scx, { enqueue: () => { throw make(); } }));
      m.runFor(5 * MS);
      expectExit(m, "SCX_EXIT_ERROR_BPF", msg);
      goesOn(m);
    });
  }

  it("an ops table that throws when read is -EFAULT at map update (copy_from_user), and nothing is enabled", () => {
    const m = world();
    const proc = m.spawnProcess("loader");
    const map = proc.bpf.mapCreate({ type: "struct_ops", valueType: "sched_ext_ops", flags: BPF_F_LINK });
    const table = new Proxy(fifo(m.scxApi), { get() { throw new Error("trap"); } });
    expect(proc.bpf.mapUpdateElem(map, 0, table)).toBe(-EFAULT);
    m.runFor(5 * MS);
    expect(m.scx.state).toBe("disabled");
    expect(m.invariants().lost).toBe(0);
  });

  it("a table that starts throwing after map update changes nothing: the value was copied at the write (bpf_struct_ops_map_update_elem)", () => {
    const m = world();
    const proc = m.spawnProcess("loader");
    const map = proc.bpf.mapCreate({ type: "struct_ops", valueType: "sched_ext_ops", flags: BPF_F_LINK });
    let armed = false;
    const table = new Proxy(fifo(m.scxApi), { get(t, k, r) { if (armed) throw new Error("trap"); return Reflect.get(t, k, r); } });
    expect(proc.bpf.mapUpdateElem(map, 0, table)).toBe(0);
    armed = true;
    expect(proc.bpf.linkCreate(map)).toBeGreaterThanOrEqual(3);
    m.runFor(5 * MS);
    expect(m.scx.state).toBe("enabled");
    expect(m.invariants().lost).toBe(0);
  });
});

describe("a callback that never returns: replayed and ejected at that call", () => {
  it("progress counts the callbacks; abandoning call N ejects there with the reason, deterministically", () => {
    const make = (scx: Scx) => fifo(scx, { running: () => {}, stopping: () => {} });
    const progress = new Float64Array(2);
    const m0 = world({ progress });
    load(m0, make);
    m0.runFor(10 * MS);
    const calls = progress[0];
    expect(calls).toBeGreaterThan(20);
    const why = "did not return in 5 s";
    const exits = [1, 2].map(() => {
      const m = world({ abandon: { call: Math.floor(calls / 2), why } });
      load(m, make);
      m.runFor(10 * MS);
      expectExit(m, "SCX_EXIT_ERROR", /^(enqueue|running|stopping): did not return in 5 s$/);
      goesOn(m);
      return m.scx.exitInfo;
    });
    expect(exits[0]).toEqual(exits[1]);
    expect(exits[0]!.atNs).toBeLessThan(10 * MS);
  });
});

describe("limits as the kernel has them: errors, not hangs", () => {
  it(`scx_bpf_create_dsq fails with -ENOMEM past ${USER_DSQS_MAX} user DSQs`, () => {
    const m = world();
    const results: number[] = [];
    load(m, (scx) => fifo(scx, {
      init: () => {
        for (let i = 0; i <= USER_DSQS_MAX; i++) results.push(scx.createDsq(asDsq(i), -1));
        return 0;
      },
    }));
    expect(results.slice(0, USER_DSQS_MAX).every((r) => r === 0)).toBe(true);
    expect(results[USER_DSQS_MAX]).toBe(-ENOMEM);
    expect(m.scx.state).toBe("enabled");
  });

  it(`bpf timers past ${BPF_TIMERS_MAX} are -ENOMEM`, () => {
    const m = world();
    const ids: number[] = [];
    load(m, (scx) => fifo(scx, { init: () => { for (let i = 0; i <= BPF_TIMERS_MAX; i++) ids.push(scx.timerCreate(() => {})); return 0; } }));
    expect(ids.slice(0, BPF_TIMERS_MAX).every((id) => id >= 0)).toBe(true);
    expect(ids[BPF_TIMERS_MAX]).toBe(-ENOMEM);
  });

  for (const delay of [0, -5]) {
    it(`a BPF timer re-arming itself with delay ${delay} is SCX_EXIT_ERROR after ${TIMER_SAME_INSTANT_MAX} firings at one instant`, () => {
      const m = world();
      load(m, (scx) => fifo(scx, {
        init: () => {
          const id = scx.timerCreate(() => scx.timerStart(id, delay));
          scx.timerStart(id, MS);
          return 0;
        },
      }));
      m.runFor(5 * MS);
      expectExit(m, "SCX_EXIT_ERROR", new RegExp(`fired ${TIMER_SAME_INSTANT_MAX} times at ${MS} ns \\(re-armed with no delay\\)$`));
      goesOn(m);
    });
  }

  it("a timer id the scheduler did not create (the watchdog's) is an error exit", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { running: () => scx.timerCancel(m.kernel.ext.watchdogTimer) }));
    m.runFor(5 * MS);
    expectExit(m, "SCX_EXIT_ERROR", /^invalid BPF timer \d+$/);
    goesOn(m);
  });

  it("scx_bpf_reenqueue_local from ops.enqueue is an error (scx_kf_allowed), not a hang", () => {
    const m = world();
    load(m, (scx) => fifo(scx, { enqueue: (p, f) => { scx.dsqInsert(p, SCX_DSQ_LOCAL, 0, f); scx.reenqueueLocal(); } }));
    m.runFor(5 * MS);
    expectExit(m, "SCX_EXIT_ERROR", "scx_bpf_reenqueue_local() called from ops.enqueue");
    goesOn(m);
  });

  it("scx_bpf_reenqueue_local from ops.dispatch sends each local task through enqueue once, even when enqueue puts it back there", () => {
    const m = machine(plan([hog("a"), hog("b"), hog("c")]), { cpus: 1 });
    const returned: number[] = [];
    let reenqueued = 0;
    load(m, (scx) => ({
      name: "reenq",
      init: () => scx.createDsq(asDsq(0), -1),
      enqueue: (p, f) => {
        if (f & SCX_ENQ_REENQ) { reenqueued++; scx.dsqInsert(p, SCX_DSQ_LOCAL, 5 * MS, f); } else scx.dsqInsert(p, asDsq(0), 5 * MS, f);
      },
      dispatch: () => { scx.dsqMoveToLocal(asDsq(0)); returned.push(scx.reenqueueLocal()); },
    }));
    m.runFor(50 * MS);
    expect(m.scx.state).toBe("enabled");
    expect(returned.filter((n) => n === 1).length).toBeGreaterThan(3);
    expect(returned.every((n) => n <= 1)).toBe(true);
    expect(reenqueued).toBe(returned.reduce((a, b) => a + b, 0));
  });
});

// ---- hostile schedulers, generated ----

type Hostile =
  | { kind: "write"; cb: "running" | "stopping" | "enqueue"; field: string }
  | { kind: "reenter"; cb: "running" | "enqueue" | "dispatch" }
  | { kind: "zeroTimer"; delay: number }
  | { kind: "async"; cb: "running" | "stopping" | "enqueue" | "dispatch" }
  | { kind: "throw"; cb: "running" | "enqueue" | "dispatch"; what: number }
  | { kind: "reenqFromEnqueue" };

const hostileArb: fc.Arbitrary<Hostile> = fc.oneof(
  fc.record({ kind: fc.constant("write" as const), cb: fc.constantFrom("running" as const, "stopping" as const, "enqueue" as const), field: fc.constantFrom("cpu", "pid", "place", "slot", "sumExecNs", "workLeftNs", "cpusAllowed", "weight", "foo") }),
  fc.record({ kind: fc.constant("reenter" as const), cb: fc.constantFrom("running" as const, "enqueue" as const, "dispatch" as const) }),
  fc.record({ kind: fc.constant("zeroTimer" as const), delay: fc.constantFrom(0, -1, -1e9) }),
  fc.record({ kind: fc.constant("async" as const), cb: fc.constantFrom("running" as const, "stopping" as const, "enqueue" as const, "dispatch" as const) }),
  fc.record({ kind: fc.constant("throw" as const), cb: fc.constantFrom("running" as const, "enqueue" as const, "dispatch" as const), what: fc.integer({ min: 0, max: 4 }) }),
  fc.constant({ kind: "reenqFromEnqueue" as const }),
);

function thrown(what: number): unknown {
  switch (what) {
    case 0: return Object.create(null);
    case 1: { const e = new Error("x"); Object.defineProperty(e, "message", { get() { throw new Error("getter"); } }); return e; }
    case 2: return new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
    case 3: return undefined;
    default: return 42;
  }
}

/** A scheduler on user DSQ 0 that does `h` on its `after`-th call of the chosen callback. */
function hostileScheduler(m: Machine, h: Hostile, after: number): (scx: Scx) => SchedExtOps {
  return (scx) => {
    let n = 0;
    const due = () => ++n === after;
    const act = (p: ScxTask | null): unknown => {
      switch (h.kind) {
        case "write": if (p !== null) (p as unknown as Record<string, unknown>)[h.field] = 1; return undefined;
        case "reenter": m.runFor(MS); return undefined;
        case "async": return Promise.reject(new Error("async callback"));
        case "throw": throw thrown(h.what);
        default: return undefined;
      }
    };
    const on = (cb: string) => "cb" in h && h.cb === cb;
    return {
      name: "hostile",
      select_cpu: (_p: ScxTask, prev: CpuId) => prev,
      init: () => {
        scx.createDsq(asDsq(0), -1);
        if (h.kind === "zeroTimer") {
          const id = scx.timerCreate(() => scx.timerStart(id, h.delay));
          scx.timerStart(id, after * 10_000);
        }
        return 0;
      },
      enqueue: ((p: ScxTask, f: number) => {
        scx.dsqInsert(p, asDsq(0), MS / 2, f);
        if (h.kind === "reenqFromEnqueue" && due()) scx.reenqueueLocal();
        if (on("enqueue") && due()) return act(p);
        return undefined;
      }) as SchedExtOps["enqueue"],
      dispatch: ((cpu: number) => {
        scx.dsqMoveToLocal(asDsq(0));
        if (on("dispatch") && due()) return act(null);
        return cpu === -1 ? 0 : undefined;
      }) as SchedExtOps["dispatch"],
      running: ((p: ScxTask) => (on("running") && due() ? act(p) : undefined)) as SchedExtOps["running"],
      stopping: ((p: ScxTask) => (on("stopping") && due() ? act(p) : undefined)) as SchedExtOps["stopping"],
    };
  };
}

describe("hostile schedulers, generated (fast-check): a clean error exit and nothing lost", () => {
  it("field writes, re-entry, zero-delay timers, async callbacks, throwing getters, reenqueue from enqueue", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => { rejections.push(e); };
    process.on("unhandledRejection", onRejection);
    try {
      fc.assert(fc.property(hostileArb, fc.integer({ min: 1, max: 40 }), (h, after) => {
        const m = world();
        load(m, hostileScheduler(m, h, after));
        m.runFor(30 * MS);
        const ei = m.scx.exitInfo;
        // Every hostile act is reached within 30 ms here (the chosen callbacks run hundreds of times).
        expect(ei, `${JSON.stringify(h)} after ${after}`).not.toBeNull();
        expect(["SCX_EXIT_ERROR", "SCX_EXIT_ERROR_BPF"]).toContain(ei!.kind);
        expect(typeof ei!.msg).toBe("string");
        expect(ei!.msg.length).toBeGreaterThan(0);
        goesOn(m);
      }), { numRuns: 150 });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off("unhandledRejection", onRejection);
    }
    expect(rejections).toEqual([]);
  });
});
