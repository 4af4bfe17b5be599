/** Runs one registry policy on a hand-built plan on the ideal machine. */
import { findScheduler } from "../../../schedulers/index.js";
import type { RawOptions } from "../../../schedulers/options.js";
import type { SchedExtOps } from "../../../sim/ext/ops.js";
import type { Machine } from "../../../sim/machine.js";
import type { WorkloadPlan } from "../../../sim/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { attach, machine } from "../../helpers/machine.js";

export interface PolicyRun {
  m: Machine;
  ops: SchedExtOps;
}

/** Builds the machine and attaches `name`; the caller runs it. */
export function start(name: string, p: WorkloadPlan, o: { cpus?: number; seed?: number; durationNs?: number; timeline?: boolean; options?: RawOptions } = {}): PolicyRun {
  const m = machine(p, { cpus: o.cpus ?? 1, seed: o.seed ?? 1, durationNs: o.durationNs ?? 1e9, timeline: o.timeline ?? false });
  let ops: SchedExtOps | null = null;
  attach(m, (scx) => (ops = findScheduler(name).create(scx, o.options ?? {})));
  return { m, ops: ops! };
}

/** Runs `name` to the end and returns the result; fails if the scheduler was ejected or lost a task. */
export function run(name: string, p: WorkloadPlan, o: Parameters<typeof start>[2] = {}): RunResult {
  const { m } = start(name, p, o);
  m.runToEnd();
  const r = m.result(0);
  if (r.scx.exit !== null) throw new Error(`${name} exited: ${JSON.stringify(r.scx.exit)}`);
  if (m.invariants().lost !== 0) throw new Error(`${name} lost tasks`);
  return r;
}

/** Exit time (ns) of the task called `name`. */
export function exitOf(r: RunResult, name: string): number | null {
  const t = r.tasks.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no task ${name}`);
  return t.exitNs;
}

/** Request-weighted mean of the request latency over all groups, ns. */
export function meanResponse(r: RunResult): number {
  let n = 0, sum = 0;
  for (const g of Object.values(r.groups)) { n += g.requestLatencyNs.count; sum += g.requestLatencyNs.mean * g.requestLatencyNs.count; }
  return sum / n;
}

/** Start/end of each slice of the task with `pid`, in time order. */
export function slicesOf(r: RunResult, pid: number): { start: number; end: number }[] {
  const tl = r.timeline!;
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < tl.pid.length; i++) if (tl.pid[i] === pid) out.push({ start: tl.startNs[i], end: tl.endNs[i] });
  return out.sort((a, b) => a.start - b.start);
}

export function pidOf(r: RunResult, name: string): number {
  const t = r.tasks.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no task ${name}`);
  return t.pid;
}

export const MS = 1_000_000;
