import type { MetricUnit } from "../metrics.js";
import type { Estimate } from "../stats/confidence_interval.js";

/**
 * Numbers for people: a scale picked from the value's size (ns → µs → ms → s; k and M for
 * rates and counts), about three significant digits, and the CI half-width on the same scale
 * so that "12.3 ± 0.4 µs" reads at a glance.
 */

interface Scale {
  div: number;
  suffix: string;
}

const TIME: Scale[] = [
  { div: 1e9, suffix: " s" },
  { div: 1e6, suffix: " ms" },
  { div: 1e3, suffix: " µs" },
  { div: 1, suffix: " ns" },
];

const SI = (tail: string): Scale[] => [
  { div: 1e9, suffix: ` G${tail}` },
  { div: 1e6, suffix: ` M${tail}` },
  { div: 1e3, suffix: ` k${tail}` },
  { div: 1, suffix: tail === "" ? "" : ` ${tail}` },
];

function scaleFor(unit: MetricUnit, magnitude: number): Scale {
  if (unit === "ratio") return { div: 1, suffix: "" };
  const scales = unit === "ns" ? TIME : unit === "rps" ? SI("/s") : SI("");
  return scales.find((s) => Math.abs(magnitude) >= s.div) ?? scales[scales.length - 1]!;
}

function decimals(unit: MetricUnit, scaled: number): number {
  if (unit === "ratio") return 3;
  const a = Math.abs(scaled);
  return a >= 100 || a === 0 ? 0 : a >= 10 ? 1 : 2;
}

export function formatQuantity(value: number | null, unit: MetricUnit): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const s = scaleFor(unit, value);
  const v = value / s.div;
  return `${v.toFixed(decimals(unit, v))}${s.suffix}`;
}

/**
 * An estimate in two parts, the mean's digits and the rest (`± half unit`), so that a table can
 * line up its columns on the ±. Just the mean when one seed gives no interval.
 */
export function formatEstimateParts(e: Estimate, unit: MetricUnit): [string, string] {
  if (e.mean === null) return ["—", ""];
  const s = scaleFor(unit, e.mean);
  const d = decimals(unit, e.mean / s.div);
  const half = e.half === null ? "" : ` ± ${(e.half / s.div).toFixed(d)}`;
  return [(e.mean / s.div).toFixed(d), `${half}${s.suffix}`];
}

export function formatEstimate(e: Estimate, unit: MetricUnit): string {
  return formatEstimateParts(e, unit).join("");
}

export function formatNs(ns: number): string {
  return formatQuantity(ns, "ns");
}
