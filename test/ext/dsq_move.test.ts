/**
 * scx.dsqMove (the kernel's scx_dsq_move, behind scx_bpf_dsq_move*): moving tasks met while
 * iterating a DSQ, from ops.dispatch and from a BPF timer; tasks queued after the iteration
 * began, or moved already, are not moved; a local target the task may not use falls back to
 * the global DSQ; from enqueue it is a scheduler error.
 */
import { describe, expect, it } from "vitest";
import { SCX_DSQ_GLOBAL, SCX_DSQ_LOCAL, asCpu, asDsq, localOn } from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import { hog, plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { expectExit, load } from "./util.js";

const MS = 1_000_000;
const STAGE = asDsq(3), SIDE = asDsq(4);

function world() {
  return machine(plan([hog("a", 0, { instances: 3 }), task("s", [{ kind: "run", us: 300 }, { kind: "sleep", us: 700 }])]), { cpus: 2, durationNs: 200 * MS, overheads: false });
}

describe("scx.dsqMove", () => {
  it("from dispatch: moves the iterated task with a new slice (once), skips later inserts, and runs everything with nothing lost", () => {
    const m = world();
    const seen: ScxTask[] = [];
    const stats = { moved: 0, again: 0, side: 0, late: 0, slices: new Set<number>() };
    load(m, (scx: Scx): SchedExtOps => ({
      name: "mover",
      init: () => { scx.createDsq(STAGE, -1); return scx.createDsq(SIDE, -1); },
      enqueue: (p, f) => scx.dsqInsertVtime(p, STAGE, 4 * MS, p.dsqVtime, f),
      dispatch: (cpu) => {
        const since = scx.dsqIterStamp();
        scx.dsqTasks(STAGE, seen);
        for (const p of seen) {
          if (!scx.dsqMove(p, STAGE, since, SCX_DSQ_LOCAL, 0, 2 * MS, null, false)) continue;
          stats.moved++;
          if (scx.dsqMove(p, STAGE, since, SCX_DSQ_LOCAL, 0, null, null, false)) stats.again++;
          break;
        }
        // A task inserted into STAGE after `since` (via SIDE) is not the iteration's to move.
        const next = scx.dsqPeek(STAGE);
        if (next !== null) {
          const later = scx.dsqIterStamp();
          if (scx.dsqMove(next, STAGE, since, SIDE, 0, null, 5, true)) {
            stats.side++;
            scx.dsqTasks(SIDE, seen);
            const moved = seen[0]!;
            if (scx.dsqMove(moved, SIDE, later, localOn(cpu), 0, null, null, false)) stats.late++;
          }
        }
      },
      running: (p) => { stats.slices.add(p.slice); },
    }));
    m.runToEnd();
    expect(m.result(0).scx.exit).toBeNull();
    expect(m.invariants().lost).toBe(0);
    expect(stats.moved).toBeGreaterThan(10);
    expect(stats.again).toBe(0);
    expect(stats.side).toBeGreaterThan(0);
    expect(stats.late).toBe(0); // inserted into SIDE after `later` was taken
    expect(stats.slices.has(2 * MS)).toBe(true);
    expect(m.result(0).groups.a!.cpuNs).toBeGreaterThan(0);
  });

  it("a local target the task may not run on sends it to the global DSQ instead", () => {
    const m = machine(plan([task("pinned", [{ kind: "run", us: 500 }, { kind: "sleep", us: 500 }], { cpus: [0] })]), { cpus: 2, durationNs: 50 * MS, overheads: false });
    let toGlobal = 0;
    const seen: ScxTask[] = [];
    load(m, (scx) => ({
      name: "mover",
      init: () => scx.createDsq(STAGE, -1),
      enqueue: (p, f) => scx.dsqInsert(p, STAGE, 1 * MS, f),
      dispatch: () => {
        const since = scx.dsqIterStamp();
        scx.dsqTasks(STAGE, seen);
        for (const p of seen) {
          if (scx.dsqMove(p, STAGE, since, localOn(asCpu(1)), 0, null, null, false) && scx.dsqNrQueued(SCX_DSQ_GLOBAL) > 0) toGlobal++;
        }
      },
    }));
    m.runToEnd();
    expect(m.result(0).scx.exit).toBeNull();
    expect(m.invariants().lost).toBe(0);
    expect(toGlobal).toBeGreaterThan(0);
  });

  it("from ops.enqueue it is a scheduler error", () => {
    const m = world();
    const seen: ScxTask[] = [];
    load(m, (scx) => ({
      name: "bad",
      init: () => scx.createDsq(STAGE, -1),
      enqueue: (p, f) => {
        scx.dsqInsert(p, SCX_DSQ_GLOBAL, 1 * MS, f);
        scx.dsqTasks(STAGE, seen);
        scx.dsqMove(p, STAGE, scx.dsqIterStamp(), SCX_DSQ_LOCAL, 0, null, null, false);
      },
    }));
    m.runToEnd();
    expectExit(m, "SCX_EXIT_ERROR", /scx_bpf_dsq_move\(\) called from ops\.enqueue/);
  });
});
