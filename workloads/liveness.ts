/**
 * Per-task liveness: mutex use that would block a task on itself, and endless loops that never
 * let simulated time advance (the event loop would spin at one instant forever).
 */
import type { EventSpec } from "../sim/plan.js";
import { at, fail, warn, type Ctx } from "./ctx.js";
import { isZeroDuration, roundsToZeroNs } from "./durations.js";
import type { Located } from "./events.js";
import type { TaskDraft } from "./tasks.js";

/**
 * Walk the events in program order, each loop taken twice (enough to see a lock that is never
 * released come round again), and track which mutexes the task holds.
 */
export function checkMutexes(ctx: Ctx, t: TaskDraft): void {
  const held = new Set<string>();
  const reps = (loop: number) => (loop === 1 ? 1 : 2);
  const step = (l: Located): boolean => {
    const e = l.event;
    if (e.kind === "exit") return false;
    if (e.kind === "lock") {
      if (held.has(e.ref)) fail(ctx, l.path, "a mutex this task does not hold already (it would wait for itself)", e.ref);
      held.add(e.ref);
    } else if (e.kind === "unlock") {
      if (!held.has(e.ref)) fail(ctx, l.path, "a mutex this task locked before", e.ref);
      held.delete(e.ref);
    } else if (e.kind === "wait" && !held.has(e.mutex)) {
      fail(ctx, at(l.path, "mutex"), "a mutex this task holds at the wait (lock it first)", e.mutex);
    }
    return true;
  };
  walk: for (let i = 0; i < reps(t.loop); i++) {
    for (const p of t.phases) {
      for (let j = 0; j < reps(p.loop); j++) {
        for (const l of p.events) if (!step(l)) break walk;
      }
      if (p.loop === -1) break walk; // an endless phase: nothing after it ever runs
    }
  }
  const endless = t.loop === -1 || t.phases.some((p) => p.loop === -1);
  if (!endless && held.size > 0) {
    warn(ctx, t.path, `ends holding ${[...held].map((m) => JSON.stringify(m)).join(", ")}; tasks waiting for it will block`);
  }
}

/** Reject an endless loop in which no event can take time: the simulation would never advance. */
export function checkTimeAdvances(ctx: Ctx, t: TaskDraft, barriers: Readonly<Record<string, number>>): void {
  const what = "an endless loop that spends time (a non-zero run, runtime, sleep or timer, or a blocking event)";
  const check = (events: readonly Located[], path: string) => {
    const kinds = events.map((l) => l.event.kind);
    if (kinds.includes("exit") || events.some((l) => takesTime(l.event, barriers))) return;
    fail(ctx, path, what, kinds);
  };
  for (const p of t.phases) if (p.loop === -1) check(p.events, at(p.path, "loop"));
  if (t.loop === -1) check(t.phases.flatMap((p) => p.events), t.path);
  // A finite loop whose events take no time still runs at one instant: bound its length, or a
  // loop of 10^15 would hang the run just as an endless one does.
  // The instances all start at once and nested timeless loops multiply: the bound is on the product.
  const timeless = (events: readonly Located[]) => !events.some((l) => l.event.kind === "exit" || takesTime(l.event, barriers));
  const instances = Math.max(1, t.instance?.value ?? 1);
  const bound = (n: number) => Math.floor(MAX_TIMELESS_ITERATIONS / n);
  const tooLong = (n: number) => `at most ${bound(n)} iterations of events that take no simulated time${n > 1 ? ` (${MAX_TIMELESS_ITERATIONS} at one instant, over ${n} instances and loops)` : ""}`;
  let inner = 1;
  for (const p of t.phases) {
    if (p.loop <= 0 || !timeless(p.events)) continue;
    if (p.loop > bound(instances)) fail(ctx, at(p.path, "loop"), tooLong(instances), p.loop);
    inner = Math.max(inner, p.loop);
  }
  const outer = instances * inner;
  if (t.loop > bound(outer) && timeless(t.phases.flatMap((p) => p.events))) fail(ctx, at(t.path, "loop"), tooLong(outer), t.loop);
}

/** Longest loop allowed to run at one instant (a million zero-length events take about a second of wall time). */
export const MAX_TIMELESS_ITERATIONS = 1_000_000;

function takesTime(e: EventSpec, barriers: Readonly<Record<string, number>>): boolean {
  switch (e.kind) {
    case "run":
    case "runtime":
    case "sleep":
      return !isZeroDuration(e.us);
    case "timer":
      return !roundsToZeroNs(e.periodUs);
    case "suspend":
    case "wait":
    case "sem_wait":
      return true;
    case "barrier":
      return Object.hasOwn(barriers, e.ref) && barriers[e.ref]! > 1;
    default:
      return false;
  }
}
