/**
 * schbench's layout: wakeup and request latency percentile blocks (usec, the 99th starred) and
 * the average RPS. Wakeup latency is the workers' (woken by a message thread or a sleep's end);
 * request latency is a worker activation (wakeup to blocking again); RPS counts requests served
 * as worker CPU time ÷ work_us (exact on full-speed CPUs; SMT slowdowns inflate it slightly).
 */
import type { RunResult, Stats } from "../../sim/result.js";
import { measuredS, num, usec, type BenchLayout } from "./types.js";

export interface SchbenchNumbers {
  readonly wakeup: Stats;
  readonly request: Stats;
  readonly rps: number;
  readonly runtimeS: number;
}

export const schbenchLayout: BenchLayout<SchbenchNumbers> = {
  workload: "schbench",
  compute(r, params) {
    const w = r.groups.worker;
    if (!w) return null;
    const s = measuredS(r);
    const served = w.cpuNs / (num(params, "work_us") * 1000);
    return { wakeup: w.wakeupLatencyNs, request: w.requestLatencyNs, rps: s > 0 ? served / s : 0, runtimeS: s };
  },
  format(n) {
    return [
      ...block("Wakeup Latencies", n.wakeup, n.runtimeS),
      ...block("Request Latencies", n.request, n.runtimeS),
      `average rps: ${n.rps.toFixed(2)}`,
    ];
  },
};

function block(title: string, s: Stats, runtimeS: number): string[] {
  const row = (star: boolean, label: string, ns: number) => `\t${star ? "*" : " "} ${label}: ${String(usec(ns)).padEnd(10)}`.trimEnd();
  return [
    `${title} percentiles (usec) runtime ${Math.round(runtimeS)} (s) (${s.count} total samples)`,
    row(false, "50.0th", s.p50),
    row(false, "90.0th", s.p90),
    row(true, "99.0th", s.p99),
    row(false, "99.9th", s.p999),
    `\t  min=${usec(s.min)}, max=${usec(s.max)}`,
  ];
}
