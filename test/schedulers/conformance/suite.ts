/**
 * One contract, one shared suite (style.md): what every scheduler owes the machine, checked on
 * random scenarios on the ideal machine (`overheads: false`):
 *  - accounts: no task is lost (`invariants().lost === 0`), the scheduler stays attached, no CPU
 *    is busier than the run is long, CPU time handed to tasks equals busy CPU time (≤ cpus ×
 *    simNs), no task runs on two CPUs at once (from the timeline), and an open-loop job with a
 *    constant burst of x µs is charged exactly x µs;
 *  - drains: on a hog-free workload every task exits by 2 × (its span + all the work) + 50 ms
 *    (the invariants count a task the scheduler holds as fine, so this catches one it forgot);
 *  - deterministic: the same seed gives the same RunResult.
 * Exceptions are named in exceptions.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Machine } from "../../../sim/machine.js";
import type { RunResult } from "../../../sim/result.js";
import { attach, machine } from "../../helpers/machine.js";
import { exceptionFor, type Check } from "./exceptions.js";
import { topologyOf, type Scenario, type ScenarioKind } from "./scenario.js";
import type { Candidate } from "./sources.js";

const NUM_RUNS = 40;

function start(c: Candidate, sc: Scenario, timeline: boolean): Machine {
  const m = machine(sc.plan, { topology: topologyOf(sc.topology), seed: sc.seed, durationNs: sc.durationMs * 1e6, timeline });
  attach(m, (scx) => c.make(scx));
  m.runToEnd();
  return m;
}

/** Slices of one task never overlap in time. */
function overlaps(r: RunResult): string | null {
  const tl = r.timeline!;
  const byPid = new Map<number, [number, number][]>();
  for (let i = 0; i < tl.pid.length; i++) {
    let l = byPid.get(tl.pid[i]);
    if (l === undefined) byPid.set(tl.pid[i], (l = []));
    l.push([tl.startNs[i], tl.endNs[i]]);
  }
  for (const [pid, l] of byPid) {
    l.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < l.length; i++) if (l[i][0] < l[i - 1][1]) return `pid ${pid}: [${l[i - 1]}] and [${l[i]}]`;
  }
  return null;
}

function accounts(c: Candidate, sc: Scenario): void {
  const m = start(c, sc, true);
  const r = m.result(0);
  // The ops name is the registry name as a BPF object name (no '-': bpf_obj_name_cpy).
  expect(r.scx.scheduler).toBe(c.name.replace(/-/g, "_"));
  expect(m.invariants().lost, "tasks lost").toBe(0);
  expect(m.scx.exitInfo, "scheduler exit").toBeNull();
  let busy = 0;
  for (const cpu of r.cpus) { expect(cpu.busyNs).toBeLessThanOrEqual(r.simNs); busy += cpu.busyNs; }
  let taskCpu = 0;
  for (const g of Object.values(r.groups)) taskCpu += g.cpuNs;
  expect(taskCpu).toBeLessThanOrEqual(r.cpus.length * r.simNs);
  expect(Math.abs(taskCpu - busy)).toBeLessThanOrEqual(1e-6 * Math.max(1, busy));
  expect(overlaps(r)).toBeNull();
  if (!r.tasksTruncated) {
    for (const t of r.tasks) {
      const x = sc.constBursts[t.group];
      if (x !== undefined && t.exitNs !== null) expect(t.cpuNs, `${t.name} charged`).toBe(x * 1000);
    }
  }
}

function drains(c: Candidate, sc: Scenario): void {
  const m = start(c, sc, false);
  const inv = m.invariants();
  expect(m.scx.exitInfo, "scheduler exit").toBeNull();
  expect(inv.lost, "tasks lost").toBe(0);
  expect(inv.alive, "tasks still alive").toBe(0);
}

function deterministic(c: Candidate, sc: Scenario): void {
  const a = start(c, sc, true).result(0);
  const b = start(c, sc, true).result(0);
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
}

const TITLES: Readonly<Record<Check, string>> = {
  accounts: "loses no task, stays attached, accounts CPU time (Σ task CPU = Σ busy ≤ cpus × simNs), runs no task on two CPUs at once, charges each job its work",
  drains: "drains finite work: every task of a hog-free workload exits by 2 × (its span + all the work) + 50 ms",
  deterministic: "gives the same RunResult for the same seed",
};

/** Registers the shared suite for one scheduler on one kind of scenario. */
export function conformance(c: Candidate, kind: ScenarioKind): void {
  const prop = (check: Check, body: () => void) => {
    const excused = exceptionFor(c.name, check, kind.name);
    // An excused check still runs, and must still fail: an exception that no longer holds is stale.
    if (excused !== null) it(`breaks, as its exception says (${excused}): ${TITLES[check]}`, () => expect(body).toThrow());
    else it(TITLES[check], body);
  };
  describe(`${c.name} (${c.source}): conformance on ${kind.what}`, () => {
    prop("accounts", () => fc.assert(fc.property(kind.any, (sc) => accounts(c, sc)), { numRuns: NUM_RUNS }));
    prop("drains", () => fc.assert(fc.property(kind.finite, (sc) => drains(c, sc)), { numRuns: NUM_RUNS }));
    prop("deterministic", () => fc.assert(fc.property(kind.any, (sc) => deterministic(c, sc)), { numRuns: Math.floor(NUM_RUNS / 3) }));
  });
}
