/**
 * A lavd instance over the fake kfunc facade, with a settable clock, a task on every CPU whose
 * slice the tests read, and the CPU kicks and stat timer recorded: for checking upstream's rules
 * one decision at a time.
 */
import type { ScxTask } from "../../../sim/ext/ops.js";
import { LavdScheduler, options } from "../../../schedulers/lavd.js";
import { resolveOptions } from "../../../schedulers/options.js";
import { fakeScx } from "../lib/fake_scx.js";

export interface LavdRig {
  readonly l: LavdScheduler;
  /** What each CPU runs (null: idle); the scheduler writes their slices. */
  readonly running: ({ slice: number } | null)[];
  /** Every kick as [cpu, flags]. */
  readonly kicks: [number, number][];
  /** Tasks queued on each CPU's local DSQ, as the stat timer reads them. */
  readonly localQueued: number[];
  setNow(ns: number): void;
  /** The scheduler's context of `p`. */
  ctx(p: ScxTask): Record<string, number | boolean>;
  /** Runs the 10 ms stat timer once. */
  statTimer(): void;
}

export function lavdRig(topology: string): LavdRig {
  const f = fakeScx(topology);
  let now = 0;
  let timer: () => void = () => undefined;
  const n = f.scx.nrCpus();
  const running: ({ slice: number } | null)[] = Array.from({ length: n }, () => ({ slice: 0 }));
  const kicks: [number, number][] = [];
  const localQueued = new Array<number>(n).fill(0);
  Object.assign(f.scx, {
    now: () => now, stat: () => undefined, currentCpu: () => 0, currentTask: () => null, inHardirq: () => false, createDsq: () => 0, cpuperfSet: () => undefined,
    cpuCurr: (c: number) => running[c] as unknown as ScxTask | null,
    taskCpu: (p: ScxTask) => p.cpu,
    kickCpu: (c: number, flags: number) => { kicks.push([c, flags]); },
    nrQueuedLocal: (c: number) => localQueued[c],
    timerCreate: (cb: () => void) => { timer = cb; return 0; },
    timerStart: () => undefined,
  });
  const l = new LavdScheduler(f.scx, resolveOptions("lavd", options, {}));
  if (l.init() !== 0) throw new Error("lavd init failed");
  const tctx = (l as unknown as { tctx: { get(p: ScxTask): Record<string, number | boolean> } }).tctx;
  return { l, running, kicks, localQueued, setNow: (ns) => { now = ns; }, ctx: (p) => tctx.get(p), statTimer: () => timer() };
}

/** A task allowed on every CPU, with the fields lavd reads (sum_exec_runtime for run-time accounting). */
export function lavdTask(pid: number, cpu = 0): ScxTask & { sumExecNs: number } {
  return { pid, cpu, cpusAllowed: null, nrCpusAllowed: 1 << 20, weight: 100, slice: 0, dsqVtime: 0, sumExecNs: 0 } as unknown as ScxTask & { sumExecNs: number };
}
