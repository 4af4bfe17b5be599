/**
 * scx_bpf_select_cpu_and's selection (IdleTracker.selectAnd) in the order of kernel/sched/
 * ext_idle.c scx_select_cpu_dfl: the SYNC step, then with SMT prev's whole idle core, a whole
 * idle core in prev's LLC, its node, anywhere; then prev, prev's SMT sibling, an idle CPU in
 * prev's LLC, its node, anywhere. On 2s-2llc-8c-smt: LLC0 = {0,1,8,9}, LLC1 = {2,3,10,11}
 * (node 0), LLC2 = {4,5,12,13}, LLC3 = {6,7,14,15} (node 1); CPU c's sibling is c ± 8.
 */
import { describe, expect, it } from "vitest";
import { IdleTracker } from "../../sim/ext/idle_tracker.js";
import { resolveTopology } from "../../sim/topology.js";

const topo = resolveTopology("2s-2llc-8c-smt");
const N = topo.nrCpus;
const ALL = new Uint8Array(N).fill(1);

function tracker(idle: readonly number[]): IdleTracker {
  const t = new IdleTracker(topo);
  for (const c of idle) t.idle[c] = 1;
  return t;
}
const every = [...Array(N).keys()];
const coreOf = (c: number): number[] => [c, topo.sibling[c]!].sort((a, b) => a - b);
/** Selects as CPU `from` (the waker's, if any, else 0) runs scx_select_cpu_dfl. */
const select = (t: IdleTracker, prev: number, o: { allowed?: Uint8Array; coreOnly?: boolean; sync?: number; syncEmpty?: boolean } = {}): number =>
  t.selectAnd(o.allowed ?? ALL, prev, o.coreOnly ?? false, false, o.sync ?? -1, o.syncEmpty ?? true, o.sync ?? 0);

describe("ext_idle.c scx_select_cpu_dfl order, as scx_bpf_select_cpu_and runs it", () => {
  it("keeps prev when its whole core is idle, and claims it", () => {
    const t = tracker(every);
    expect(select(t, 0)).toBe(0);
    expect(t.idle[0]).toBe(0);
  });

  it("a whole idle core in prev's LLC comes before prev itself when prev's sibling is busy", () => {
    const t = tracker(every.filter((c) => c !== 8));
    const c = select(t, 0);
    expect(topo.llcOf[c]).toBe(0);
    expect(coreOf(c)).toEqual(coreOf(1));
  });

  it("no whole idle core in prev's LLC: one in prev's node before one in the other node", () => {
    const t = tracker([8, 2, 10, 4, 12]);
    expect([2, 10]).toContain(select(t, 0));
  });

  it("no whole idle core anywhere: prev's idle SMT sibling before any other idle CPU", () => {
    expect(select(tracker([8, 3, 5]), 0)).toBe(8);
  });

  it("then an idle CPU of prev's LLC, then of prev's node, then anywhere", () => {
    expect(select(tracker([9, 3, 5]), 0)).toBe(9);
    expect(select(tracker([3, 5]), 0)).toBe(3);
    expect(select(tracker([3, 5]), 6)).toBe(5);
    expect(select(tracker([3]), 6)).toBe(3);
    expect(select(tracker([]), 6)).toBe(-1);
  });

  it("SCX_PICK_IDLE_CORE stops after the whole-core steps", () => {
    expect(select(tracker([8, 3, 5]), 0, { coreOnly: true })).toBe(-1);
    expect(coreOf(select(tracker([8, 3, 11]), 0, { coreOnly: true }))).toEqual([3, 11]);
  });

  it("a prev outside the allowed CPUs is never taken, but its LLC still leads the search", () => {
    const allowed = new Uint8Array(N).fill(1);
    allowed[0] = 0;
    const t = tracker(every);
    const c = select(t, 0, { allowed });
    expect(c).not.toBe(0);
    expect(topo.llcOf[c]).toBe(0);
    expect(select(tracker([0, 9]), 0, { allowed })).toBe(9);
  });

  it("SYNC: prev when idle and in the waker's LLC; else the waker's CPU (unclaimed) when its queue is empty and a CPU is idle", () => {
    expect(select(tracker([1, 5]), 1, { sync: 0 })).toBe(1);
    const t = tracker([1, 5]);
    expect(select(t, 4, { sync: 0 })).toBe(0);
    expect([t.idle[1], t.idle[5]]).toEqual([1, 1]);
    // the waker has queued work: the ordinary steps, which find 5 in prev 4's LLC
    expect(select(tracker([1, 5]), 4, { sync: 0, syncEmpty: false })).toBe(5);
  });
});
