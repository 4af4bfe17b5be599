import type { Stats } from "../../sim/result.js";

/**
 * One Stats for several groups' Stats (a run reports latency per task group, metrics want the
 * run as a whole). Percentiles of a union cannot be recovered exactly from percentiles, so each
 * group's distribution is modelled as the piecewise-linear CDF through its known points
 * (min,0) (p50,.5) (p90,.9) (p99,.99) (p999,.999) (max,1), the groups are mixed in proportion
 * to their counts, and the mixture is inverted exactly. count, mean, min and max are exact; a
 * single non-empty group is returned unchanged.
 */

const LEVELS = [0, 0.5, 0.9, 0.99, 0.999, 1] as const;

export function statsPoints(s: Stats): number[] {
  return [s.min, s.p50, s.p90, s.p99, s.p999, s.max];
}

export function emptyStats(): Stats {
  return { count: 0, mean: NaN, min: NaN, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN };
}

export function mergeStats(all: readonly Stats[]): Stats {
  const parts = all.filter((s) => s.count > 0);
  if (parts.length === 0) return emptyStats();
  if (parts.length === 1) return { ...parts[0]! };
  const count = parts.reduce((a, s) => a + s.count, 0);
  const cdf = (x: number) => parts.reduce((a, s) => a + s.count * groupCdf(s, x), 0) / count;
  const xs = [...new Set(parts.flatMap(statsPoints))].sort((a, b) => a - b);
  const fs = xs.map(cdf);
  const at = (p: number) => mixtureQuantile(xs, fs, p);
  return {
    count,
    mean: parts.reduce((a, s) => a + s.count * s.mean, 0) / count,
    min: xs[0]!,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: xs[xs.length - 1]!,
  };
}

/** F(x) of one group: linear between its known points, 0 below min, 1 from max on. */
function groupCdf(s: Stats, x: number): number {
  const v = statsPoints(s);
  if (x < v[0]!) return 0;
  if (x >= v[v.length - 1]!) return 1;
  for (let i = v.length - 2; i >= 0; i--) {
    const a = v[i]!;
    const b = v[i + 1]!;
    if (x >= a) return b === a ? LEVELS[i + 1]! : LEVELS[i]! + ((x - a) / (b - a)) * (LEVELS[i + 1]! - LEVELS[i]!);
  }
  return 0;
}

/** The mixture is linear between breakpoints, so its p-quantile is found by interpolation. */
function mixtureQuantile(xs: number[], fs: number[], p: number): number {
  for (let i = 0; i < xs.length; i++) {
    if (fs[i]! < p) continue;
    if (i === 0) return xs[0]!;
    const f0 = fs[i - 1]!;
    return xs[i - 1]! + ((p - f0) / (fs[i]! - f0)) * (xs[i]! - xs[i - 1]!);
  }
  return xs[xs.length - 1]!;
}
