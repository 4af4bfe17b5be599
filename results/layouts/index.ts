/** The benchmark-shaped reports, by built-in workload name (see types.ts). */
import type { RunResult } from "../../sim/result.js";
import type { BenchLayout, LayoutParams } from "./types.js";
import { schbenchLayout } from "./schbench.js";
import { hackbenchLayout } from "./hackbench.js";
import { pipeLayout } from "./pipe.js";
import { cyclictestLayout } from "./cyclictest.js";
import { compileLayout } from "./compile.js";
import { gamingLayout } from "./gaming.js";
import { serverLayout } from "./server.js";

export type { BenchLayout, LayoutParams } from "./types.js";

type Render = (r: RunResult, params: LayoutParams) => string[] | null;

function render<N>(l: BenchLayout<N>): [string, Render] {
  return [l.workload, (r, p) => { const n = l.compute(r, p); return n === null ? null : l.format(n, r); }];
}

const RENDERERS = new Map<string, Render>([
  render(schbenchLayout), render(hackbenchLayout), render(pipeLayout), render(cyclictestLayout),
  render(compileLayout), render(gamingLayout), render(serverLayout),
]);

/** Built-ins that have a benchmark-shaped report. */
export const BENCH_WORKLOADS: readonly string[] = [...RENDERERS.keys()];

/**
 * The report in its benchmark's layout, or null for a workload without one (or a file).
 * `params`: the run's workload parameters with the built-in's defaults filled in.
 */
export function benchReport(r: RunResult, params: LayoutParams): string | null {
  const lines = RENDERERS.get(r.job.workload)?.(r, params) ?? null;
  return lines === null ? null : lines.join("\n");
}
