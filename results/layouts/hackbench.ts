/**
 * hackbench's layout: the banner and "Time:", the seconds from the first task's start to the
 * last one's exit over every sender and receiver group.
 */
import { num, span, unfinished, type BenchLayout, type Span } from "./types.js";

export interface HackbenchNumbers {
  readonly groups: number;
  readonly fds: number;
  readonly loops: number;
  readonly time: Span;
}

export const hackbenchLayout: BenchLayout<HackbenchNumbers> = {
  workload: "hackbench",
  compute(r, params) {
    const groups = num(params, "groups");
    const names: string[] = [];
    for (let g = 0; g < groups; g++) names.push(`g${g}-sender`, `g${g}-receiver`);
    if (!names.every((n) => r.groups[n])) return null;
    return { groups, fds: num(params, "fds"), loops: num(params, "loops"), time: span(names.map((n) => r.groups[n])) };
  },
  format(n, r) {
    const tasks = n.groups * n.fds * 2;
    return [
      `Running in process mode with ${n.groups} groups using ${n.fds * 2} file descriptors each (== ${tasks} tasks)`,
      `Each sender will pass ${n.loops} messages of 100 bytes`,
      n.time.ns === null ? `Time: - ${unfinished(n.time, r)}` : `Time: ${(n.time.ns / 1e9).toFixed(3)}`,
    ];
  },
};
