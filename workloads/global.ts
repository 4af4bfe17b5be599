/**
 * The `global` section. Only duration and default_policy mean something to a simulation; the
 * rest configures rt-app itself (calibration, logging, page locking ...) and is accepted
 * silently so that real rt-app files load unchanged.
 */
import { fail, number, object, warnKey, type Ctx } from "./ctx.js";
import type { JValue } from "./json.js";
import { parsePolicy, type RawPolicy } from "./props.js";

export interface GlobalDraft {
  readonly durationS: number | null;
  readonly defaultPolicy: RawPolicy;
}

const RT_APP_OWN = new Set([
  "calibration", "pi_enabled", "lock_pages", "logdir", "log_basename", "log_size", "ftrace",
  "gnuplot", "io_device", "mem_buffer_size", "cumulative_slack",
]);

/** Longest simulated run a file may ask for (a year); the kernel's ns clock is exact far beyond. */
const MAX_DURATION_S = 365 * 24 * 3600;

export function parseGlobal(ctx: Ctx, v: JValue | undefined): GlobalDraft {
  if (v === undefined) return { durationS: null, defaultPolicy: "SCHED_OTHER" };
  const obj = object(ctx, v, "global", "an object of global settings");
  let durationS: number | null = null;
  const d = obj.get("duration");
  // rt-app sets its end timer only for a duration above 0: 0, like -1, runs until the tasks end
  if (d !== undefined && d !== -1 && d !== 0) {
    durationS = number(ctx, d, "global.duration", "seconds > 0, or -1 (or 0) to run until the tasks end",
      { above: 0, max: MAX_DURATION_S });
    // the clock counts whole nanoseconds: a length under half of one would be none
    if (Math.round(durationS * 1e9) === 0) fail(ctx, "global.duration", "seconds of at least 1 ns (1e-9), or -1 (or 0) to run until the tasks end", d);
  }
  let defaultPolicy: RawPolicy = "SCHED_OTHER";
  if (obj.has("default_policy")) {
    defaultPolicy = parsePolicy(ctx, obj.get("default_policy"), "global.default_policy");
  }
  for (const key of obj.keys()) {
    if (key !== "duration" && key !== "default_policy" && !RT_APP_OWN.has(key)) warnKey(ctx, obj, key, "global");
  }
  return { durationS, defaultPolicy };
}

/** The legacy `resources` section: rt-app now creates resources on first use, and so do we. */
export function checkResources(ctx: Ctx, v: JValue | undefined): void {
  if (v !== undefined) object(ctx, v, "resources", "an object (legacy resources, ignored)");
}
