import { describe, expect, it } from "vitest";
import { aggregate, bestPerMetric, confidenceInterval, METRICS, schedulerLabel } from "../../results/index.js";
import { LABELS, makeRun, makeSweep, WORKLOADS, XSS } from "./fixtures.js";

describe("schedulerLabel", () => {
  it("is the name plus its options sorted by key", () => {
    expect(schedulerLabel({ scheduler: "rr", options: { slice_us: 100 } })).toBe("rr:slice_us=100");
    expect(schedulerLabel({ scheduler: "x", options: { b: true, a: 2 } })).toBe("x:a=2,b=true");
    expect(schedulerLabel({ scheduler: "fair", options: {} })).toBe("fair");
  });
});

describe("aggregate", () => {
  const runs = makeSweep();
  const agg = aggregate(runs);

  it("has one row per (label, workload), in sweep order, 3 seeds each", () => {
    expect(agg.rows).toHaveLength(6);
    expect(agg.workloads).toEqual([...WORKLOADS]);
    expect(agg.labels).toEqual(LABELS);
    for (const r of agg.rows) {
      expect(r.n).toBe(3);
      expect(r.seeds).toEqual([1, 2, 3]);
    }
  });

  it("each metric is the CI of that metric's per-run values", () => {
    const row = agg.rows.find((r) => r.label === "rr:slice_us=100" && r.workload === XSS)!;
    const mine = runs.filter((r) => r.job.scheduler === "rr" && r.job.workload === XSS);
    for (const m of METRICS) expect(row.metrics[m.key]).toEqual(confidenceInterval(mine.map(m.value)));
  });

  it("throughput CI of exactly known values", () => {
    const rs = [100, 110, 120].map((tp, i) => {
      const r = makeRun({ seed: i + 1 });
      r.totals.throughput = tp;
      return r;
    });
    const e = aggregate(rs).rows[0]!.metrics.throughput;
    expect(e.mean).toBe(110);
    // sd = 10, half = t(0.975, 2) · 10 / √3 = 4.3027 · 5.7735 = 24.841
    expect(e.half).toBeCloseTo(24.841, 3);
  });

  it("lower is better for the latencies; utilisation, switches and migrations have no direction", () => {
    const lower = METRICS.filter((m) => m.better === "lower").map((m) => m.key);
    expect(lower.sort()).toEqual(["requestMean", "requestP50", "requestP99", "requestP999", "wakeupP50", "wakeupP99", "wakeupP999"].sort());
    expect(METRICS.filter((m) => m.better === null).map((m) => m.key).sort()).toEqual(["contextSwitches", "migrations", "utilization"]);
  });

  it("a metric without a direction has no best", () => {
    const best = bestPerMetric(agg, XSS);
    expect(best.utilization).toEqual({ labels: [], significant: false });
    expect(best.contextSwitches.labels).toEqual([]);
  });

  it("best per metric: rr has the lowest wakeup latency, significantly; simple the highest throughput", () => {
    const best = bestPerMetric(agg, XSS);
    expect(best.wakeupP99).toEqual({ labels: ["rr:slice_us=100"], significant: true });
    expect(best.throughput.labels).toEqual(["simple:fifo=true"]);
  });

  it("warns when a row mixes topologies", () => {
    const a = makeRun({ seed: 1 });
    const b = makeRun({ seed: 2 });
    b.job.topology = "2x8-smt";
    expect(aggregate([a, b]).warnings.join("\n")).toMatch(/topology/);
  });

  it("a run that measured no requests leaves latency n lower, not NaN in the mean", () => {
    const a = makeRun({ seed: 1 });
    const b = makeRun({ seed: 2 });
    for (const g of Object.values(b.groups)) g.requestLatencyNs = { ...g.requestLatencyNs, count: 0 };
    b.totals.requestLatencyNs = { ...b.totals.requestLatencyNs, count: 0 };
    const e = aggregate([a, b]).rows[0]!.metrics.requestP99;
    expect(e.n).toBe(1);
    expect(e.mean).not.toBeNull();
  });

  it("survives JSON (nulls, not NaN)", () => {
    const one = aggregate([makeRun()]);
    expect(JSON.parse(JSON.stringify(one))).toEqual(one);
  });
});
