/**
 * compile's layout: the makespan of the build (first start to last exit of make, the compile
 * jobs and the link), as `time make -jN` would print it, with the CPU time it used and the
 * lower bound CPU time ÷ CPUs that no scheduler can beat.
 */
import { num, span, unfinished, type BenchLayout, type Span } from "./types.js";

export interface CompileNumbers {
  readonly jobs: number;
  readonly parallel: number;
  readonly makespan: Span;
  readonly cpuNs: number;
  /** cpuNs / CPUs: no schedule finishes sooner. */
  readonly boundNs: number;
}

const GROUPS = ["make", "cc", "ld"];

export const compileLayout: BenchLayout<CompileNumbers> = {
  workload: "compile",
  compute(r, params) {
    if (!GROUPS.every((g) => r.groups[g])) return null;
    const parallel = num(params, "parallel");
    const jobs = Math.ceil(num(params, "jobs") / parallel) * parallel;
    const cpuNs = GROUPS.reduce((s, g) => s + r.groups[g]!.cpuNs, 0);
    return { jobs, parallel, makespan: span(GROUPS.map((g) => r.groups[g])), cpuNs, boundNs: cpuNs / r.job.cpus };
  },
  format(n, r) {
    const t = (ns: number) => { const s = ns / 1e9; return `${Math.floor(s / 60)}m${(s % 60).toFixed(3)}s`; };
    const head = `make -j${n.parallel}: ${n.jobs} compile jobs + 1 link on ${r.job.cpus} CPUs`;
    if (n.makespan.ns === null) return [head, `makespan: - ${unfinished(n.makespan, r)}`];
    return [
      head,
      `makespan: ${(n.makespan.ns / 1e9).toFixed(3)} s (lower bound CPU time / CPUs: ${(n.boundNs / 1e9).toFixed(3)} s, ${(100 * n.boundNs / n.makespan.ns).toFixed(1)} % of it)`,
      "",
      `real\t${t(n.makespan.ns)}`,
      `user\t${t(n.cpuNs)}`,
      `sys\t${t(0)}`,
    ];
  },
};
