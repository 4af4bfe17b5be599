/** Shared test helpers: expected-plan builders, error matchers and the plan invariants. */
import { expect } from "vitest";
import type { DurationSpec, EventSpec, TaskSpec, WorkloadPlan } from "../../sim/plan.js";
import { WorkloadError } from "../../workloads/errors.js";
import { parseWorkloadObject } from "../../workloads/parse.js";

/** A TaskSpec with the parser's defaults, overridden where a test cares. */
export function task(name: string, events: EventSpec[], over: Partial<TaskSpec> = {}): TaskSpec {
  return {
    name, instances: 1, delayUs: 0, loop: -1,
    phases: [{ name: "main", loop: 1, events }],
    nice: 0, policy: "SCHED_OTHER", cpus: null, taskgroup: null, arrivals: null,
    forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null,
    ...over,
  };
}

export const run = (us: DurationSpec): EventSpec => ({ kind: "run", us });
export const sleep = (us: DurationSpec): EventSpec => ({ kind: "sleep", us });

/** Parse `{tasks}` (plus top-level extras) as file "w.json". */
export function plan(tasks: Record<string, unknown>, extra: Record<string, unknown> = {}): WorkloadPlan {
  return parseWorkloadObject({ ...extra, tasks }, "w.json");
}

/** The WorkloadError `fn` throws (fails the test if it throws anything else or nothing). */
export function errorOf(fn: () => unknown): WorkloadError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WorkloadError) return e;
    throw e;
  }
  throw new Error("expected a WorkloadError, nothing was thrown");
}

export function expectMessage(fn: () => unknown, message: string): void {
  expect(errorOf(fn).message).toBe(message);
}

/** What every plan the parser returns must satisfy (the kernel relies on it). */
export function checkPlan(p: WorkloadPlan): void {
  const fin = (x: number) => expect(Number.isFinite(x)).toBe(true);
  expect(p.tasks.length).toBeGreaterThan(0);
  expect(new Set(p.tasks.map((t) => t.name)).size).toBe(p.tasks.length);
  const names = new Set(p.tasks.map((t) => t.name));
  if (p.durationS !== null) expect(p.durationS).toBeGreaterThan(0);
  for (const t of p.tasks) {
    expect(Number.isInteger(t.instances) && t.instances >= 0).toBe(true);
    expect(t.loop === -1 || (Number.isInteger(t.loop) && t.loop >= 1)).toBe(true);
    expect(t.delayUs >= 0).toBe(true);
    expect(t.nice >= -20 && t.nice <= 19 && Number.isInteger(t.nice)).toBe(true);
    expect(["SCHED_OTHER", "SCHED_EXT", "SCHED_IDLE", "SCHED_BATCH", "SCHED_FIFO", "SCHED_RR", "SCHED_DEADLINE"]).toContain(t.policy);
    if (t.policy === "SCHED_FIFO" || t.policy === "SCHED_RR") expect(t.rtPriority! >= 1 && t.rtPriority! <= 99).toBe(true);
    if (t.policy === "SCHED_DEADLINE") expect(t.deadline).not.toBeNull();
    if (t.forkOnly || t.arrivals) expect(t.instances).toBe(0);
    if (t.arrivals) { expect(t.arrivals.rate).toBeGreaterThan(0); expect(t.loop).toBe(1); }
    if (t.cpus) for (const c of t.cpus) expect(Number.isInteger(c) && c >= 0).toBe(true);
    if (t.deadline) {
      expect(t.deadline.runtimeUs).toBeGreaterThan(0);
      expect(t.deadline.runtimeUs <= t.deadline.deadlineUs && t.deadline.deadlineUs <= t.deadline.periodUs).toBe(true);
    }
    expect(t.phases.length).toBeGreaterThan(0);
    for (const ph of t.phases) {
      expect(Number.isSafeInteger(ph.loop) && ph.loop >= 1).toBe(true); // a count: no -1 (see PHASE_FOREVER)
      expect(ph.events.length).toBeGreaterThan(0);
      for (const e of ph.events) {
        if (e.kind === "run" || e.kind === "runtime" || e.kind === "sleep") checkDuration(e.us);
        if (e.kind === "timer") { fin(e.periodUs); expect(e.periodUs >= 0).toBe(true); }
        if (e.kind === "fork") expect(names.has(e.task)).toBe(true);
        if (e.kind === "barrier") expect(p.barriers[e.ref]).toBeGreaterThan(0);
      }
    }
  }
  for (const c of p.cgroups) expect(c.weight >= 1 && c.weight <= 10000).toBe(true);
  // plain data: survives a JSON round trip unchanged (it crosses to worker threads)
  expect(JSON.parse(JSON.stringify(p))).toEqual(p);
}

function checkDuration(d: DurationSpec): void {
  if (typeof d === "number") { expect(Number.isFinite(d) && d >= 0).toBe(true); return; }
  const nums = Object.entries(d).filter(([k]) => k !== "dist" && k !== "of").map(([, v]) => v as number);
  for (const n of nums) expect(Number.isFinite(n) && n >= 0).toBe(true);
  if (d.dist === "mix") for (const a of d.of) { expect(a.weight).toBeGreaterThan(0); checkDuration(a.value); }
}
