/**
 * The real scx_bpfland object beside the TS `bpfland` on `mixed`: events per CPU-second of each,
 * each run in a fresh process of its own (one scheduler, one load, as `scxlab run` has it),
 * measured over the second half of the run after the first half's warm-up, in alternated pairs,
 * and their ratio against the 1/3 target. Both in one process would time neither as a user runs
 * it: the kernel's call sites would see both schedulers' callbacks (megamorphic), and each new
 * load of the object makes V8 re-optimise its programs against the new closures. scxlab cannot
 * ship upstream's objects, so the user names one (`bench --bpf-object PATH`, or
 * SCXLAB_BENCH_BPFLAND); without it the line says how to build one.
 */
import { prepareScheduler, schedulerSpec } from "../../schedulers/index.js";
import { prepareJob, type Job } from "../job.js";

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The environment variable naming the object when --bpf-object does not. */
export const BPFLAND_OBJECT_ENV = "SCXLAB_BENCH_BPFLAND";
/** The target: the object at least this fraction of the port's events per CPU-second. */
export const BPFLAND_OBJECT_TARGET = 1 / 3;
/** What the line says when no object was named. */
export const BPFLAND_NEEDS_OBJECT = `needs a compiled scx_bpfland.bpf.o: pass --bpf-object PATH or set ${BPFLAND_OBJECT_ENV} (docs/bpf-objects.md says how to build it from sched-ext/scx)`;

/** One run's count of events and the CPU seconds it took. */
export interface ObjectRun {
  readonly events: number;
  readonly cpuS: number;
}

export interface BpflandObjectOut {
  kind: "bpfland-object";
  obj: ObjectRun[];
  ts: ObjectRun[];
}

export type BpflandObjectTask = { kind: "bpfland-object"; object: string; cpus: number; durationS: number; pairs: number };

/** One measured run in a child process: `scheduler` (the object's path or "bpfland"). */
export type BpflandRunTask = { kind: "bpfland-run"; scheduler: string; cpus: number; durationS: number };

/** The child task of one measured run of `scheduler` (the object's path or "bpfland"). */
export function bpflandRunTask(t: BpflandObjectTask, scheduler: string): BpflandRunTask {
  return { kind: "bpfland-run", scheduler, cpus: t.cpus, durationS: t.durationS };
}

/** The job a run task makes: `mixed`, seed 1, overheads on, twice the measured length (the first half warms up). */
export function bpflandRunJob(t: BpflandRunTask): Job {
  return {
    scheduler: t.scheduler, options: {}, workload: "mixed", params: {}, topology: "", cpus: t.cpus, seed: 1,
    durationNs: Math.round(2 * t.durationS * 1e9), overheads: true, crashAtNs: null,
  };
}

/** In the child: load, run the first half as warm-up, and time the second. */
export async function measureBpflandRun(t: BpflandRunTask): Promise<ObjectRun> {
  await prepareScheduler(schedulerSpec(t.scheduler, {}));
  const { machine } = prepareJob(bpflandRunJob(t));
  const k = machine.kernel, half = Math.round(t.durationS * 1e9);
  machine.runFor(half);
  const e0 = k.events, c0 = process.cpuUsage();
  machine.runFor(half);
  const c = process.cpuUsage(c0);
  return { events: k.events - e0, cpuS: (c.user + c.system) / 1e6 };
}

/** What bench.json records: medians over the pairs, or why not measured. */
export type BpflandObjectSummary =
  | {
      readonly object: string; readonly workload: "mixed"; readonly cpus: number; readonly durationS: number;
      readonly objEventsPerCpuS: number; readonly tsEventsPerCpuS: number;
      /** Median of the pairs' ratios (object ÷ TS). */
      readonly ratio: number;
      readonly obj: readonly ObjectRun[]; readonly ts: readonly ObjectRun[];
    }
  | { readonly skipped: string };

const perCpuS = (r: ObjectRun): number => r.events / Math.max(1e-9, r.cpuS);

export function summarizeBpflandObject(t: BpflandObjectTask, o: BpflandObjectOut): BpflandObjectSummary {
  return {
    object: t.object, workload: "mixed", cpus: t.cpus, durationS: t.durationS,
    objEventsPerCpuS: median(o.obj.map(perCpuS)), tsEventsPerCpuS: median(o.ts.map(perCpuS)),
    ratio: median(o.obj.map((r, i) => perCpuS(r) / perCpuS(o.ts[i]!))),
    obj: o.obj, ts: o.ts,
  };
}

/** The bench line. */
export function formatBpflandObject(s: BpflandObjectSummary): string {
  if ("skipped" in s) return `bpfland object beside TS bpfland: not measured (${s.skipped})`;
  const k = (x: number): string => `${(x / 1e3).toFixed(0)} k`;
  return `bpfland object beside TS bpfland (mixed, ${s.cpus} CPUs, ${s.durationS} simulated s after as many of warm-up, ${s.obj.length} alternated pairs, a fresh process each): `
    + `${k(s.objEventsPerCpuS)} events/CPU-s vs ${k(s.tsEventsPerCpuS)}, ratio ${s.ratio.toFixed(3)}× `
    + `(target ≥ ${BPFLAND_OBJECT_TARGET.toFixed(3)}×: ${s.ratio >= BPFLAND_OBJECT_TARGET ? "met" : "missed"})`;
}

/** The line as a bench target (null: not measured). */
export function bpflandObjectTarget(s: BpflandObjectSummary) {
  return {
    id: "bpfland-object", what: "scx_bpfland.bpf.o on mixed, events per CPU-second ÷ the TS bpfland's", target: "≥ 1/3",
    measured: "skipped" in s ? `not measured (${s.skipped})` : `${s.ratio.toFixed(3)}× (${(s.objEventsPerCpuS / 1e3).toFixed(0)} k vs ${(s.tsEventsPerCpuS / 1e3).toFixed(0)} k)`,
    met: "skipped" in s ? null : s.ratio >= BPFLAND_OBJECT_TARGET,
  };
}
