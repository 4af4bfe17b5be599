/**
 * Events of a phase. rt-app recognises an event key by its prefix ("run0", "sleep_long",
 * "broadcast" are run, sleep, broad), so repeated events can be written run, run1, run2; we do
 * the same, and warn when the suffix is not just digits in case it was a typo.
 */
import type { EventSpec } from "../sim/plan.js";
import { at, fail, name, number, object, string, warn, warnUnknown, type Ctx } from "./ctx.js";
import { parseDuration } from "./durations.js";
import type { JValue } from "./json.js";
import { assert } from "../sim/errors.js";

/** An event and where it was written, for the whole-workload checks that run later. */
export interface Located {
  readonly event: EventSpec;
  readonly path: string;
}

/** Longer names first where one is a prefix of another (runtime before run). */
const EVENT_NAMES = [
  "runtime", "run", "sleep", "timer", "suspend", "resume", "lock", "unlock", "wait", "signal",
  "broad", "sync", "barrier", "fork", "yield", "exit", "sem_post", "sem_wait", "mem", "iorun",
] as const;
type EventName = (typeof EVENT_NAMES)[number];

/** The event a key stands for, or null when it is not an event key. */
export function eventName(key: string): EventName | null {
  for (const e of EVENT_NAMES) if (key.startsWith(e)) return e;
  return null;
}

/** Parse one event key; sync expands to two events, mem/iorun to none (not modelled). */
export function parseEvent(ctx: Ctx, key: string, v: JValue, path: string, task: string): Located[] {
  const e = eventName(key);
  assert(e !== null, `parseEvent: ${key} is not an event key`); // the caller checked
  const suffix = key.slice(e.length);
  if (suffix !== "" && !/^[0-9]+$/.test(suffix)) warn(ctx, path, `read as a "${e}" event (rt-app matches event names by prefix)`);
  return eventSpecs(ctx, e, v, path, task).map((event) => ({ event, path }));
}

function eventSpecs(ctx: Ctx, e: EventName, v: JValue, path: string, task: string): EventSpec[] {
  const ref = (what = "a non-empty name") => name(ctx, v, path, what);
  switch (e) {
    case "run":
    case "runtime":
    case "sleep":
      return [{ kind: e, us: parseDuration(ctx, v, path) }];
    case "timer":
      return [parseTimer(ctx, v, path)];
    case "suspend": { // rt-app ignores the string (since 2025): a task always suspends on its own name
      const given = string(ctx, v, path, "a string (ignored: a task suspends on its own name)");
      if (given !== "" && given !== task) {
        warn(ctx, path, `suspends on its own name "${task}", as rt-app does (the argument "${given}" is ignored); resume "${task}" wakes it`);
      }
      return [{ kind: "suspend", ref: task }];
    }
    case "resume":
      return [{ kind: "resume", ref: ref("the name of a task or suspend point") }];
    case "fork":
      return [{ kind: "fork", task: ref("the name of a task in this file") }];
    case "lock":
    case "unlock":
      return [{ kind: e, ref: ref("a mutex name") }];
    case "signal":
    case "broad":
      return [{ kind: e, ref: ref("a condvar name") }];
    case "barrier":
      return [{ kind: "barrier", ref: ref("a barrier name") }];
    case "sem_post":
    case "sem_wait":
      return [{ kind: e, ref: ref("a semaphore name") }];
    case "wait":
      return [parseWait(ctx, v, path)];
    case "sync": { // rt-app: signal the condvar, then wait on it, atomically w.r.t. the mutex
      const w = parseWait(ctx, v, path);
      return [{ kind: "signal", ref: w.ref }, w];
    }
    case "yield":
      return [{ kind: "yield" }];
    case "exit":
      return [{ kind: "exit" }];
    case "mem":
    case "iorun":
      warn(ctx, path, `"${e}" is not modelled (no memory or I/O in the simulator); event ignored`);
      return [];
  }
}

function parseWait(ctx: Ctx, v: JValue, path: string): EventSpec & { kind: "wait" } {
  const obj = object(ctx, v, path, 'an object {"ref": condvar, "mutex": mutex}');
  warnUnknown(ctx, obj, path, new Set(["ref", "mutex"]));
  const ref = name(ctx, obj.get("ref"), at(path, "ref"), "a condvar name");
  const mutex = name(ctx, obj.get("mutex"), at(path, "mutex"), "a mutex name");
  return { kind: "wait", ref, mutex };
}

function parseTimer(ctx: Ctx, v: JValue, path: string): EventSpec {
  const obj = object(ctx, v, path, 'an object {"ref": name, "period": µs, "mode": "relative"|"absolute"}');
  warnUnknown(ctx, obj, path, new Set(["ref", "period", "mode"]));
  const ref = name(ctx, obj.get("ref"), at(path, "ref"), 'a timer name ("unique…" for one timer per instance)');
  const period = obj.get("period");
  const periodUs = number(ctx, period, at(path, "period"), "a period in microseconds ≥ 0", { min: 0, max: 1e12 });
  const mode = obj.get("mode") ?? "relative";
  if (mode !== "relative" && mode !== "absolute") return fail(ctx, at(path, "mode"), '"relative" or "absolute"', mode);
  // rt-app: a ref starting with "unique" is private to each instance; any other name is shared
  return { kind: "timer", ref, periodUs, mode, shared: !ref.startsWith("unique") };
}
