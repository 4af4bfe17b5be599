/**
 * cyclictest's layout: one "T:" line per timer thread (cycles, min/avg/max wakeup latency in
 * µs) and a latency histogram with its totals. The simulator keeps the histogram in log2 µs bins
 * (GroupResult.wakeupHistogramUs), so each row counts latencies from its µs value up to the next
 * row's. "Act" (the last latency) is not recorded and is left out.
 */
import type { RunResult, TaskResult } from "../../sim/result.js";
import { num, usec, type BenchLayout } from "./types.js";

export interface CyclictestThread {
  readonly index: number;
  readonly pid: number;
  readonly cycles: number;
  readonly minNs: number;
  readonly avgNs: number;
  readonly maxNs: number;
}

export interface CyclictestNumbers {
  readonly intervalUs: number;
  readonly threads: readonly CyclictestThread[];
  /** [lowest µs of the bin, count] for bins up to the highest non-empty one. */
  readonly histogram: readonly (readonly [number, number])[];
  readonly total: number;
}

export const cyclictestLayout: BenchLayout<CyclictestNumbers> = {
  workload: "cyclictest",
  compute(r, params) {
    const g = r.groups.cyclic;
    if (!g) return null;
    const threads = r.tasks.filter((t) => t.group === "cyclic").map((t, index) => thread(t, index));
    const bins = g.wakeupHistogramUs ?? [];
    let top = bins.length - 1;
    while (top > 0 && bins[top] === 0) top--;
    const histogram = bins.slice(0, top + 1).map((c, i) => [i === 0 ? 0 : 2 ** (i - 1), c] as const);
    return { intervalUs: num(params, "interval_us"), threads, histogram, total: g.wakeupLatencyNs.count };
  },
  format(n, r) {
    const pad = (x: number, w: number) => String(x).padStart(w);
    const lines = n.threads.map((t) =>
      `T:${pad(t.index, 2)} (${pad(t.pid, 5)}) P: 0 I:${n.intervalUs} C:${pad(t.cycles, 7)} Min:${pad(usec(t.minNs), 7)} Avg:${pad(usec(t.avgNs), 5)} Max:${pad(usec(t.maxNs), 8)}`);
    if (r.tasksTruncated) lines.push("# (per-thread lines stop at the run's task-record cap)");
    const all = r.groups.cyclic!.wakeupLatencyNs;
    const z = (x: number, w: number) => String(Math.round(x)).padStart(w, "0");
    lines.push("# Histogram (log2 bins: a row counts latencies from its µs value up to the next row's)");
    for (const [us, c] of n.histogram) lines.push(`${z(us, 6)} ${z(c, 6)}`);
    lines.push(
      `# Total: ${z(n.total, 9)}`,
      `# Min Latencies: ${z(usec(all.min), 5)}`,
      `# Avg Latencies: ${z(usec(all.mean), 5)}`,
      `# Max Latencies: ${z(usec(all.max), 5)}`,
      "# Histogram Overflows: 00000",
    );
    return lines;
  },
};

function thread(t: TaskResult, index: number): CyclictestThread {
  const cycles = t.wakeups ?? 0;
  return {
    index, pid: t.pid, cycles,
    minNs: t.wakeupMinNs ?? 0,
    avgNs: cycles > 0 ? (t.wakeupTotalNs ?? 0) / cycles : 0,
    maxNs: t.wakeupMaxNs ?? 0,
  };
}
