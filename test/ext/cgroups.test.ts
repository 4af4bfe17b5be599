import { describe, expect, it } from "vitest";
import { attach, machine } from "../helpers/machine.js";
import { hog, plan } from "../helpers/plan.js";
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { SCX_OPS_ENQ_LAST } from "../../sim/ext/consts.js";

function recorder(log: string[], extra: Partial<SchedExtOps> = {}): (scx: Scx) => SchedExtOps {
  return () => ({
    name: "rec",
    cgroup_init(cg: string, w: number) { log.push(`init ${cg} ${w}`); return 0; },
    cgroup_exit(cg: string) { log.push(`exit ${cg}`); },
    init() { log.push("ops.init"); return 0; },
    ...extra,
  });
}

describe("cgroup callbacks", () => {
  it("cgroup_init runs for every cgroup, parents first with cpu.weight, before ops switch tasks; cgroup_exit in reverse on unload", () => {
    const p = plan([hog("a", 0, { taskgroup: "/app/web" }), hog("b", 0, { taskgroup: "/batch" })], { cgroups: [{ path: "/app/web", weight: 200 }] });
    const m = machine(p, { cpus: 2 });
    const log: string[] = [];
    const run = attach(m, recorder(log));
    expect(log).toEqual(["ops.init", "init / 100", "init /app 100", "init /app/web 200", "init /batch 100"]);
    m.runFor(1e6);
    log.length = 0;
    run.loader!.exit(0);
    expect(log).toEqual(["exit /batch", "exit /app/web", "exit /app", "exit /"]);
    expect(m.scx.exitInfo?.kind).toBe("SCX_EXIT_UNREG");
  });

  it("a failing cgroup_init ejects the scheduler with SCX_EXIT_ERROR naming the cgroup; tasks stay on fair", () => {
    const m = machine(plan([hog("a", 0, { taskgroup: "/x" })]), { cpus: 1 });
    attach(m, recorder([], { cgroup_init: (cg: string) => (cg === "/x" ? -12 : 0) }));
    expect(m.scx.exitInfo).toMatchObject({ kind: "SCX_EXIT_ERROR", msg: "ops.cgroup_init() failed (-12) for /x" });
    m.runFor(1e7);
    expect(m.invariants().lost).toBe(0);
  });

  it("SCX_OPS_ENQ_LAST without enqueue is rejected after ops.init ran, as in the kernel", () => {
    const m = machine(plan([hog("a")]), { cpus: 1 });
    const log: string[] = [];
    attach(m, recorder(log, { flags: SCX_OPS_ENQ_LAST }));
    expect(log[0]).toBe("ops.init");
    expect(m.scx.exitInfo?.kind).toBe("SCX_EXIT_ERROR");
  });
});

describe("BPF timers across reattaches", () => {
  it("a scheduler's timers are freed when it goes away: 50 attach/crash cycles reuse the same slots", () => {
    const m = machine(plan([hog("a")]), { cpus: 1 });
    const mk = (scx: Scx): SchedExtOps => {
      let id = -1;
      return { name: "timed", init() { id = scx.timerCreate(() => scx.timerStart(id, 1e6)); scx.timerStart(id, 1e6); return 0; } };
    };
    const sizes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const run = attach(m, mk);
      m.runFor(3e6);
      run.loader!.crash("SIGSEGV");
      sizes.push(m.kernel.timers.slots);
    }
    expect(new Set(sizes.slice(1)).size).toBe(1);
    expect(m.invariants().lost).toBe(0);
  });
});
