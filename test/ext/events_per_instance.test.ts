/**
 * SCX_EV_* counters and the scheduler's stats belong to one scheduler instance, as the kernel
 * keeps its events in each struct scx_sched (kernel/sched/ext.c: scx_alloc_and_add_sched gives a
 * new instance zeroed event_stats; scx_add_event counts into the running one). A run with two
 * instances reports the last one's, and the crash-demo windows never subtract across instances.
 */
import { describe, expect, it } from "vitest";
import { SCX_DSQ_LOCAL } from "../../sim/ext/consts.js";
import type { Scx, SchedExtOps } from "../../sim/ext/ops.js";
import { hog, plan } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { snapshot } from "../../sim/snapshot.js";
import { load } from "./util.js";

const MS = 1_000_000;

/** A lone hog kept by SCX_EV_DISPATCH_KEEP_LAST: one event per 20 ms slice after the first 5 ms. */
function keeper(scx: Scx): SchedExtOps {
  return {
    name: "keeper",
    enqueue: (p, f) => scx.dsqInsert(p, SCX_DSQ_LOCAL, 5 * MS, f),
    dispatch: (_cpu, prev) => { if (prev !== null) scx.stat("prev_seen"); },
  };
}

describe("events per scheduler instance (struct scx_sched)", () => {
  it("a second instance counts SCX_EV_DISPATCH_KEEP_LAST and scx.stat from zero (scx_alloc_and_add_sched)", () => {
    const m = machine(plan([hog("a")]), { cpus: 1 });
    const first = load(m, keeper);
    m.runFor(100 * MS);
    // Expiries at 5, 25, 45, 65, 85 ms.
    expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST).toBe(5);
    expect(m.scxApi.stats.prev_seen).toBe(5);
    expect(first.proc.bpf.linkDetach(first.link)).toBe(0);
    // After the exit the last instance's counts stay readable.
    expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST).toBe(5);
    load(m, keeper);
    m.runFor(50 * MS);
    // The hog comes back under the new instance with 5 ms, then 20 ms: expiries 5, 25 and 45 ms in.
    expect(m.kernel.ext.events.SCX_EV_DISPATCH_KEEP_LAST).toBe(3);
    expect(m.scxApi.stats.prev_seen).toBe(3);
    const snap = snapshot(m.kernel, m.scxApi.stats);
    expect(snap.scxInstance).toBe(2);
    expect(snap.scxEvents).toMatchObject({ SCX_EV_DISPATCH_KEEP_LAST: 3, prev_seen: 3 });
  });
});
