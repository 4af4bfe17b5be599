/**
 * gaming's layout, as frame-time tools (MangoHud, CapFrameX) summarise a capture: frames, frame
 * deadline misses, average fps and the 1 % low fps. A miss is a late frame (its latency from
 * its timer release to its end exceeds the deadline, GroupResult.deadlineMisses) or a dropped
 * one (fewer frames than the run had periods for, less the one in flight: a starved frame
 * task). The 1 % low is 1e9 / the 99th-percentile frame time, a frame taking at least its
 * period (the timer releases one per period), or the average time per frame when more than 1 %
 * of the frames were dropped.
 */
import { measuredS, num, type BenchLayout } from "./types.js";

export interface GamingNumbers {
  readonly targetFps: number;
  readonly periodNs: number;
  readonly frames: number;
  /** late + dropped */
  readonly misses: number;
  readonly late: number;
  readonly dropped: number;
  readonly avgFps: number;
  readonly low1Fps: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
  readonly maxNs: number;
}

export const gamingLayout: BenchLayout<GamingNumbers> = {
  workload: "gaming",
  compute(r, params) {
    const f = r.groups.frame;
    if (!f) return null;
    const fps = num(params, "fps");
    const periodNs = f.deadlineNs !== undefined && f.deadlineNs > 0 ? f.deadlineNs : 1e9 / fps;
    const s = measuredS(r);
    const lat = f.requestLatencyNs;
    const frames = f.requests;
    const expected = Math.max(0, Math.floor((r.measuredNs - 1) / periodNs) - 1);
    const late = f.deadlineMisses ?? 0, dropped = Math.max(0, expected - frames);
    const stallNs = dropped > expected / 100 && frames > 0 ? r.measuredNs / frames : 0;
    return {
      targetFps: fps, periodNs, frames, misses: late + dropped, late, dropped,
      avgFps: s > 0 ? frames / s : 0,
      low1Fps: frames > 0 ? 1e9 / Math.max(periodNs, lat.p99, stallNs) : 0,
      p50Ns: lat.p50, p99Ns: lat.p99, maxNs: lat.max,
    };
  },
  format(n) {
    const ms = (ns: number) => (ns / 1e6).toFixed(2);
    const pct = n.frames + n.dropped > 0 ? (100 * n.misses) / (n.frames + n.dropped) : 0;
    return [
      `frames           ${n.frames} (target ${n.targetFps} fps, ${ms(n.periodNs)} ms frame budget)`,
      `deadline misses  ${n.misses} (${pct.toFixed(1)} %: ${n.late} late, ${n.dropped} dropped)`,
      `average fps      ${n.avgFps.toFixed(1)}`,
      `1% low fps       ${n.low1Fps.toFixed(1)}`,
      `frame time       p50 ${ms(n.p50Ns)} ms · p99 ${ms(n.p99Ns)} ms · max ${ms(n.maxNs)} ms`,
    ];
  },
};
