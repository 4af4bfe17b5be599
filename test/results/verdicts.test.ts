import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { aggregate, bestPerMetric, formatSummaryTable, METRICS, PERCENTILE_RESOLUTION, seedsVary } from "../../results/index.js";
import { isTie } from "../../results/stats/isTie.js";
import { formatRowExits } from "../../results/format/exits.js";
import { HISTOGRAM_RESOLUTION } from "../../sim/histogram.js";
import type { ExitInfo, RunResult } from "../../sim/result.js";
import { makeRun } from "./fixtures.js";

const EXIT: ExitInfo = { kind: "SCX_EXIT_ERROR_BPF", reason: "scx_bpf_error", msg: "injected", atNs: 2_000_000, exitCode: 0 };

/** Three seeds of a scheduler whose wakeup latency is `wakeupUs` (with fixture noise). */
function seeds(scheduler: string, wakeupUs: number, exit: ExitInfo | null = null): RunResult[] {
  return [1, 2, 3].map((seed) => makeRun({ scheduler, seed, wakeupUs, exit }));
}

describe("an ejected scheduler never wins (issue 14.3)", () => {
  const runs = [...seeds("simple", 30), ...seeds("qmap", 5, EXIT)];
  const agg = aggregate(runs);

  it("the row carries each run's exit kind and time", () => {
    const qmap = agg.rows.find((r) => r.scheduler === "qmap")!;
    expect(qmap.exits).toEqual([1, 2, 3].map((seed) => ({ seed, kind: "SCX_EXIT_ERROR_BPF", atNs: 2_000_000 })));
    expect(agg.rows.find((r) => r.scheduler === "simple")!.exits).toEqual([]);
  });

  it("is left out of best although its numbers are better", () => {
    const best = bestPerMetric(agg, "mixed");
    for (const m of METRICS) if (m.better !== null) expect(best[m.key].labels).not.toContain("qmap");
    expect(best.wakeupP99.labels).toEqual(["simple"]);
  });

  it("is ranked when every candidate exited", () => {
    const all = aggregate([...seeds("simple", 30, EXIT), ...seeds("qmap", 5, EXIT)]);
    expect(bestPerMetric(all, "mixed").wakeupP99.labels).toEqual(["qmap"]);
  });

  it("is flagged on its terminal row with the exit kind and time", () => {
    const text = formatSummaryTable(agg);
    const row = text.split("\n").find((l) => l.startsWith("qmap"))!;
    expect(row).toMatch(/^qmap !/);
    expect(row).toContain("ERROR_BPF at 2.00 ms");
    expect(text).toContain("not ranked");
  });

  it("says how many runs exited and over which times when they differ", () => {
    const exits = [{ seed: 1, kind: "SCX_EXIT_ERROR_STALL" as const, atNs: 1_200_000 }, { seed: 3, kind: "SCX_EXIT_ERROR_STALL" as const, atNs: 3_400_000 }];
    expect(formatRowExits(exits, 3)).toBe("ERROR_STALL at 1.20 ms–3.40 ms (2 of 3 runs)");
    expect(formatRowExits([], 3)).toBe("");
  });
});

describe("no significance from identical seeds (issue 14.4)", () => {
  /** Runs whose values do not depend on the seed: a deterministic workload. */
  function deterministic(scheduler: string, wakeupUs: number, base = makeRun({ seed: 1, wakeupUs })): RunResult[] {
    return [1, 2, 3].map((seed) => ({ ...structuredClone(base), job: { ...base.job, scheduler, seed } }));
  }

  it("identical seeds: a clear difference is best but not significant, and the table says why", () => {
    const agg = aggregate([...deterministic("simple", 30), ...deterministic("rr", 10)]);
    expect(seedsVary(agg, "mixed")).toBe(false);
    const best = bestPerMetric(agg, "mixed");
    expect(best.wakeupP99).toEqual({ labels: ["rr"], significant: false });
    const text = formatSummaryTable(agg);
    expect(text).toContain("seeds do not vary");
    const rows = text.split("\n").filter((l) => /^(simple|rr)\s+3\s/.test(l));
    expect(rows).toHaveLength(2);
    for (const l of rows) expect(l).not.toContain("**");
    expect(rows.find((l) => l.startsWith("rr"))).toContain("* ");
  });

  it("seeds that vary keep significance", () => {
    const agg = aggregate([...seeds("simple", 30), ...seeds("rr", 10)]);
    expect(seedsVary(agg, "mixed")).toBe(true);
    expect(bestPerMetric(agg, "mixed").wakeupP99.significant).toBe(true);
  });

  it("a difference below the histogram resolution is a tie: both are best, neither significant", () => {
    const base = makeRun({ seed: 1, wakeupUs: 30 });
    const a = deterministic("simple", 30, base);
    const b = deterministic("rr", 30, base).map((r) => {
      const t = r.totals.wakeupLatencyNs;
      return { ...r, totals: { ...r.totals, wakeupLatencyNs: { ...t, p99: t.p99 * (1 + PERCENTILE_RESOLUTION / 2) } } };
    });
    const best = bestPerMetric(aggregate([...a, ...b]), "mixed");
    expect(best.wakeupP99.labels.sort()).toEqual(["rr", "simple"]);
    expect(best.wakeupP99.significant).toBe(false);
  });

  it("the percentile resolution is the simulator's histogram resolution", () => {
    expect(PERCENTILE_RESOLUTION).toBe(HISTOGRAM_RESOLUTION);
  });

  it("isTie is symmetric and ties exactly the values within the resolution", () => {
    fc.assert(fc.property(fc.double({ min: 1, max: 1e12, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true }), (a, rel) => {
      const b = a * (1 + rel);
      expect(isTie(a, b, PERCENTILE_RESOLUTION)).toBe(isTie(b, a, PERCENTILE_RESOLUTION));
      expect(isTie(a, b, PERCENTILE_RESOLUTION)).toBe(b - a <= PERCENTILE_RESOLUTION * b);
    }));
  });
});

describe("per task group (issue 14.6)", () => {
  const runs = [...seeds("simple", 30), ...seeds("rr", 10)];
  const agg = aggregate(runs);

  it("each row carries every group's metrics over its seeds", () => {
    const rr = agg.rows.find((r) => r.label === "rr")!;
    expect(rr.groups.map((g) => g.name)).toEqual(["web", "<b>batch</b>"]);
    const mine = runs.filter((r) => r.job.scheduler === "rr");
    const web = rr.groups[0]!.metrics;
    expect(web.wakeupP99.mean).toBeCloseTo(mine.reduce((a, r) => a + r.groups.web!.wakeupLatencyNs.p99, 0) / 3, 6);
    const share = (r: RunResult) => r.groups.web!.cpuNs / Object.values(r.groups).reduce((n, g) => n + g.cpuNs, 0);
    expect(web.cpuShare.mean).toBeCloseTo(mine.reduce((a, r) => a + share(r), 0) / 3, 12);
    expect(agg.groupMetrics.find((m) => m.key === "cpuShare")!.better).toBeNull();
  });

  it("group shares of a run add up to 1 (property over random CPU times)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 2, maxLength: 2 }).filter((xs) => xs[0]! + xs[1]! > 0), ([a, b]) => {
      const r = makeRun();
      r.groups.web!.cpuNs = a!;
      r.groups["<b>batch</b>"]!.cpuNs = b!;
      const g = aggregate([r]).rows[0]!.groups;
      expect(g[0]!.metrics.cpuShare.mean! + g[1]!.metrics.cpuShare.mean!).toBeCloseTo(1, 12);
    }));
  });

  it("the terminal shows a line per (group, scheduler) beside the whole-workload lines", () => {
    const lines = formatSummaryTable(agg).split("\n");
    const at = lines.indexOf("per task group:");
    expect(at).toBeGreaterThan(0);
    expect(lines.filter((l) => /^(simple|rr)\s+3\s/.test(l))).toHaveLength(2);
    const block = lines.slice(at + 2, at + 6);
    expect(block[0]).toMatch(/^web\s+simple\s/);
    expect(block[1]).toMatch(/^\s+rr\s/);
    expect(block[2]).toMatch(/^<b>batch<\/b>\s+simple\s/);
    expect(block[1]).toMatch(/µs \*\*/);
  });
});
