/**
 * perf bench sched pipe's layout: total time, usecs/op and ops/sec, one op being a round trip
 * (ping wakes pong, pong wakes ping). The clock starts when ping starts (pong only waits before).
 */
import { num, span, unfinished, type BenchLayout, type Span } from "./types.js";

export interface PipeNumbers {
  readonly loops: number;
  readonly total: Span;
  /** µs per round trip, or null when unfinished. */
  readonly usecsPerOp: number | null;
  readonly opsPerSec: number | null;
}

export const pipeLayout: BenchLayout<PipeNumbers> = {
  workload: "pipe",
  compute(r, params) {
    const ping = r.groups.ping, pong = r.groups.pong;
    if (!ping || !pong) return null;
    const loops = num(params, "loops");
    const s = span([ping, pong]);
    const ns = s.ns === null || ping.firstStartNs == null || pong.lastExitNs == null || ping.lastExitNs == null
      ? null : Math.max(ping.lastExitNs, pong.lastExitNs) - ping.firstStartNs;
    return { loops, total: { ...s, ns }, usecsPerOp: ns === null ? null : ns / 1000 / loops, opsPerSec: ns === null || ns === 0 ? null : loops / (ns / 1e9) };
  },
  format(n, r) {
    const lines = ["# Running 'sched/pipe' benchmark:", `# Executed ${n.loops} pipe operations between two processes`, ""];
    if (n.total.ns === null || n.usecsPerOp === null) return [...lines, `     Total time: - ${unfinished(n.total, r)}`];
    return [
      ...lines,
      `     Total time: ${(n.total.ns / 1e9).toFixed(3)} [sec]`,
      "",
      `${n.usecsPerOp.toFixed(6).padStart(15)} usecs/op`,
      `${String(Math.round(n.opsPerSec ?? 0)).padStart(15)} ops/sec`,
    ];
  },
};
