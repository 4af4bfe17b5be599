/** The benchmark-shaped reports, by built-in workload name (see types.ts). */
import type { RunResult } from "../../sim/result.js";
import type { BenchLayout } from "./types.js";
import { schbenchLayout } from "./schbench.js";
import { hackbenchLayout } from "./hackbench.js";
import { pipeLayout } from "./pipe.js";
import { cyclictestLayout } from "./cyclictest.js";
import { compileLayout } from "./compile.js";
import { gamingLayout } from "./gaming.js";
import { serverLayout } from "./server.js";

export type { BenchLayout } from "./types.js";

type Render = (r: RunResult) => string[] | null;

function render<N>(l: BenchLayout<N>): [string, Render] {
  return [l.workload, (r) => { const n = l.compute(r); return n === null ? null : l.format(n, r); }];
}

const RENDERERS = new Map<string, Render>([
  render(schbenchLayout), render(hackbenchLayout), render(pipeLayout), render(cyclictestLayout),
  render(compileLayout), render(gamingLayout), render(serverLayout),
]);

/** Built-ins that have a benchmark-shaped report. */
export const BENCH_WORKLOADS: readonly string[] = [...RENDERERS.keys()];

/** The report in its benchmark's layout, or null for a workload without one (or a file). */
export function benchReport(r: RunResult): string | null {
  const lines = RENDERERS.get(r.job.workload)?.(r) ?? null;
  return lines === null ? null : lines.join("\n");
}
