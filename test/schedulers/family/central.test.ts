import { describe, expect, it } from "vitest";
import { SCX_DSQ_LOCAL_ON } from "../../../sim/ext/consts.js";
import type { Scx } from "../../../sim/ext/ops.js";
import { hog, plan, task } from "../../helpers/plan.js";
import { MS, S, run, start } from "./run.js";

/** Runs central and records, for every insert into a CPU's local DSQ, which CPU's dispatch made it. */
function decisions(centralCpu: number) {
  const made: { by: number; to: number }[] = [];
  let inDispatch = -1;
  const p = plan([hog("h", 0, { instances: 6 }), task("s", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 3000 }], { instances: 4 })]);
  const { m } = start("central", p, {
    topology: "4", durationNs: 2 * S, options: { central_cpu: centralCpu },
    wrapScx: (scx) => {
      const w: Scx = Object.create(scx);
      w.dsqInsert = (t, dsq, slice, flags) => {
        if (dsq >= SCX_DSQ_LOCAL_ON) made.push({ by: inDispatch, to: dsq - SCX_DSQ_LOCAL_ON });
        scx.dsqInsert(t, dsq, slice, flags);
      };
      return w;
    },
    wrapOps: (ops) => {
      const dispatch = ops.dispatch!.bind(ops);
      ops.dispatch = (cpu, prev) => { inDispatch = cpu; dispatch(cpu, prev); inDispatch = -1; };
    },
  });
  m.runToEnd();
  return { r: m.result(0), made, lost: m.invariants().lost };
}

describe("central", () => {
  for (const central of [0, 2]) {
    it(`central_cpu = ${central}: every task handed to a CPU is handed over by CPU ${central}'s dispatch, and all 4 CPUs run (10 tasks, 2 s)`, () => {
      const { r, made, lost } = decisions(central);
      expect(r.scx.exit).toBeNull();
      expect(lost).toBe(0);
      expect(made.length).toBeGreaterThan(100);
      expect(made.filter((d) => d.by !== central)).toEqual([]);
      for (let c = 0; c < 4; c++) {
        expect(made.some((d) => d.to === c), `tasks handed to CPU ${c}`).toBe(true);
        expect(r.cpus[c].busyNs, `CPU ${c} busy`).toBeGreaterThan(0.99 * 2 * S);
      }
    });
  }

  it("slices are infinite, so the 1 ms timer preempts: with 3 hogs on 2 CPUs every run on CPU 1 lasts slice_us = 20 ms (21 ms for the first, which starts between timer ticks)", () => {
    const r = run("central", plan([hog("h", 0, { instances: 3 })]), { topology: "2", durationNs: 1 * S, timeline: true });
    const tl = r.timeline!;
    const runs: number[] = [];
    for (let i = 0; i < tl.pid.length; i++) if (tl.cpu[i] === 1 && tl.endNs[i] < r.simNs) runs.push(tl.endNs[i] - tl.startNs[i]);
    expect(runs.length).toBeGreaterThanOrEqual(45);
    expect(runs[0]).toBe(21 * MS);
    for (const d of runs.slice(1)) expect(d).toBe(20 * MS);
  });

  it("scx_central.bpf.c central_ops sets no timeout_ms, so the kernel's default watchdog (30 s, checked every 15 s) applies: a task whose enqueue is dropped is found at 45 s, not at qmap's 7.5 s", () => {
    let calls = 0;
    const { m } = start("central", plan([hog("h", 0, { instances: 4 })]), {
      topology: "2", durationNs: 50 * S,
      wrapOps: (ops) => {
        const enqueue = ops.enqueue!.bind(ops);
        ops.enqueue = (p, f) => { if (++calls !== 10) enqueue(p, f); };
      },
    });
    m.runToEnd();
    const r = m.result(0);
    expect(r.scx.exit?.kind).toBe("SCX_EXIT_ERROR_STALL");
    expect(r.scx.exit?.atNs).toBe(45 * S);
  });
});
