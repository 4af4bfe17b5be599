/**
 * A benchmark-shaped report: the numbers a built-in's real counterpart prints (schbench's
 * percentile blocks, hackbench's "Time:", perf bench's usecs/op, ...), computed from a RunResult
 * and laid out the way its users know. `scxlab run -w <builtin>` prints it after the summary.
 * A layout reads the run and the built-in's parameters with their defaults filled in
 * (workloads/ fills them; results/ imports nothing from there).
 */
import type { GroupResult, RunResult } from "../../sim/result.js";

/** The run's workload parameters, defaults filled in. */
export type LayoutParams = Readonly<Record<string, string | number | boolean>>;

export interface BenchLayout<N = unknown> {
  /** The built-in workload this layout belongs to. */
  readonly workload: string;
  /** The report's numbers (tests check these), or null when the run lacks the groups it needs. */
  compute(r: RunResult, params: LayoutParams): N | null;
  /** The report's lines. */
  format(n: N, r: RunResult): string[];
}

/** A numeric parameter. */
export function num(params: LayoutParams, key: string): number {
  return Number(params[key]);
}

/** Seconds of simulated time the metrics cover. */
export function measuredS(r: RunResult): number {
  return r.measuredNs / 1e9;
}

/** Time from the first start to the last exit over `groups`, or null while any task still runs. */
export interface Span {
  /** Makespan in ns, or null when not every task exited within the run. */
  readonly ns: number | null;
  readonly done: number;
  readonly tasks: number;
}

export function span(groups: readonly (GroupResult | undefined)[]): Span {
  let first = Infinity, last = -Infinity, done = 0, tasks = 0, known = true;
  for (const g of groups) {
    if (!g) { known = false; continue; }
    done += g.completed;
    tasks += g.tasks;
    if (g.firstStartNs === undefined || g.lastExitNs === undefined) known = false;
    if (g.firstStartNs !== undefined && g.firstStartNs !== null) first = Math.min(first, g.firstStartNs);
    if (g.lastExitNs !== undefined && g.lastExitNs !== null) last = Math.max(last, g.lastExitNs);
  }
  const ns = known && tasks > 0 && done === tasks && Number.isFinite(first) && last >= first ? last - first : null;
  return { ns, done, tasks };
}

/** Whole µs, as schbench and cyclictest print them. */
export function usec(ns: number): number {
  return Math.round(ns / 1000);
}

/** The line printed instead of a time when a finite workload did not finish. */
export function unfinished(s: Span, r: RunResult): string {
  return `(not finished: ${s.done} of ${s.tasks} tasks exited within the ${(r.simNs / 1e9).toFixed(3)} s run; raise --duration)`;
}
