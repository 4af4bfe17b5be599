/**
 * Durations: a number of µs, or one of our distributions (drawn per use by the kernel from the
 * run's seeded streams). Parameters are the mean/sd of the drawn value itself, in µs, so a
 * workload author never has to think in log-space.
 */
import type { DistSpec, DurationSpec } from "../sim/plan.js";
import { MAX_US, at, fail, number, object, warnUnknown, type Ctx } from "./ctx.js";
import type { JValue } from "./json.js";

const DURATION = "microseconds ≥ 0 or a distribution";
const KINDS = ["const", "exp", "uniform", "normal", "lognormal", "pareto", "mix"] as const;
type Kind = (typeof KINDS)[number];

const FIELDS: Record<Kind, readonly string[]> = {
  const: ["value"],
  exp: ["mean"],
  uniform: ["min", "max"],
  normal: ["mean", "sd"],
  lognormal: ["mean", "sd"],
  pareto: ["scale", "shape"],
  mix: ["of"],
};

/** Most alternatives in a mix: plenty for a hand-written file, cheap to draw from. */
const MAX_MIX = 64;

export function parseDuration(ctx: Ctx, v: JValue | undefined, path: string): DurationSpec {
  if (typeof v === "number") {
    if (Number.isFinite(v) && v > MAX_US) return fail(ctx, path, `microseconds ≤ ${MAX_US}`, v);
    return number(ctx, v, path, DURATION, { min: 0 });
  }
  if (!(v instanceof Map)) return fail(ctx, path, DURATION, v);
  return parseDist(ctx, v, path);
}

function parseDist(ctx: Ctx, v: JValue, path: string): DistSpec {
  const obj = object(ctx, v, path, DURATION);
  const kind = obj.get("dist");
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    return fail(ctx, at(path, "dist"), `one of ${KINDS.join(", ")}`, kind);
  }
  const k = kind as Kind;
  warnUnknown(ctx, obj, path, new Set(["dist", ...FIELDS[k]]));
  const us = (key: string) => {
    const x = obj.get(key);
    if (typeof x === "number" && x > MAX_US) return fail(ctx, at(path, key), `microseconds ≤ ${MAX_US}`, x);
    return number(ctx, x, at(path, key), "microseconds ≥ 0", { min: 0 });
  };
  switch (k) {
    case "const":
      return { dist: "const", value: us("value") };
    case "exp":
      return { dist: "exp", mean: us("mean") };
    case "uniform": {
      const min = us("min");
      const max = us("max");
      if (max < min) return fail(ctx, at(path, "max"), `microseconds ≥ min (${min})`, max);
      return { dist: "uniform", min, max };
    }
    case "normal":
      return { dist: "normal", mean: us("mean"), sd: us("sd") };
    case "lognormal": {
      const mean = us("mean");
      if (mean === 0) return fail(ctx, at(path, "mean"), "microseconds > 0 (a lognormal is never 0)", mean);
      return { dist: "lognormal", mean, sd: us("sd") };
    }
    case "pareto": {
      const scale = us("scale");
      if (scale === 0) return fail(ctx, at(path, "scale"), "microseconds > 0", scale);
      const shape = number(ctx, obj.get("shape"), at(path, "shape"), "a shape > 1 (finite mean)", { above: 1, max: 1e6 });
      return { dist: "pareto", scale, shape };
    }
    case "mix":
      return { dist: "mix", of: parseMix(ctx, obj.get("of"), at(path, "of")) };
  }
}

function parseMix(ctx: Ctx, v: JValue | undefined, path: string): { weight: number; value: DurationSpec }[] {
  const what = `a list of 1 to ${MAX_MIX} {weight, value} alternatives`;
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_MIX) return fail(ctx, path, what, v);
  return v.map((item, i) => {
    const p = at(path, i);
    const alt = object(ctx, item, p, "an object {weight, value}");
    warnUnknown(ctx, alt, p, new Set(["weight", "value"]));
    const weight = number(ctx, alt.get("weight"), at(p, "weight"), "a weight > 0", { above: 0, max: 1e12 });
    return { weight, value: parseDuration(ctx, alt.get("value"), at(p, "value")) };
  });
}

/** Simulated time is integer ns: a duration under half a nanosecond takes no time at all. */
export function roundsToZeroNs(us: number): boolean {
  return Math.round(us * 1000) === 0;
}

/** True when every draw rounds to 0 ns: such an event takes no time at all. */
export function isZeroDuration(d: DurationSpec): boolean {
  if (typeof d === "number") return roundsToZeroNs(d);
  switch (d.dist) {
    case "const": return roundsToZeroNs(d.value);
    case "exp": return roundsToZeroNs(d.mean);
    case "uniform": return roundsToZeroNs(d.max);
    case "normal":
    case "lognormal": return roundsToZeroNs(d.mean) && roundsToZeroNs(d.sd);
    case "pareto": return roundsToZeroNs(d.scale);
    case "mix": return d.of.every((a) => isZeroDuration(a.value));
  }
}
