/** server's layout, wrk-style: the request latency distribution and requests per second. */
import type { Stats } from "../../sim/result.js";
import { measuredS, type BenchLayout } from "./types.js";

export interface ServerNumbers {
  readonly latency: Stats;
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
}

export const serverLayout: BenchLayout<ServerNumbers> = {
  workload: "server",
  compute(r) {
    const g = r.groups.request;
    if (!g) return null;
    const s = measuredS(r);
    return { latency: g.requestLatencyNs, requests: g.requests, seconds: s, rps: s > 0 ? g.requests / s : 0 };
  },
  format(n) {
    const l = n.latency;
    const row = (label: string, ns: number) => `${label.padStart(8)} ${wrkTime(ns).padStart(9)}`;
    return [
      "  Latency Distribution",
      row("50%", l.p50), row("90%", l.p90), row("99%", l.p99), row("99.9%", l.p999),
      `  ${n.requests} requests in ${n.seconds.toFixed(2)}s`,
      `Requests/sec: ${n.rps.toFixed(2).padStart(10)}`,
    ];
  },
};

/** wrk's units: us below 1 ms, ms below 1 s, else s, two decimals. */
function wrkTime(ns: number): string {
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)}us`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)}ms`;
  return `${(ns / 1e9).toFixed(2)}s`;
}
