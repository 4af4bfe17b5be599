/**
 * The real scx_bpfland object beside the TS `bpfland` on `mixed`: events per CPU-second of each,
 * alternated in one fresh process after a warm-up pair, and their ratio against the 1/3 target.
 * scxlab cannot ship upstream's objects, so the user names one (`bench --bpf-object PATH`, or
 * SCXLAB_BENCH_BPFLAND); without it the line says how to build one.
 */
import { prepareScheduler, schedulerSpec } from "../../schedulers/index.js";
import { runJob, type Job } from "../job.js";

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

/** The measured runs' jobs (the object's, then the port's), as `scxlab run` would make them. */
export function bpflandObjectJobs(t: BpflandObjectTask): Job[] {
  return [job(t.object, t, t.durationS), job("bpfland", t, t.durationS)];
}

function job(scheduler: string, t: BpflandObjectTask, durationS: number): Job {
  return {
    scheduler, options: {}, workload: "mixed", params: {}, topology: "", cpus: t.cpus, seed: 1,
    durationNs: Math.round(durationS * 1e9), overheads: true, crashAtNs: null,
  };
}

function timed(j: Job): ObjectRun {
  const c0 = process.cpuUsage();
  const r = runJob(j);
  const c = process.cpuUsage(c0);
  return { events: r.events, cpuS: (c.user + c.system) / 1e6 };
}

/** In the bench child: a warm-up pair, then `pairs` alternated runs of the object and the port. */
export async function measureBpflandObject(t: BpflandObjectTask): Promise<BpflandObjectOut> {
  await prepareScheduler(schedulerSpec(t.object, {}));
  timed(job(t.object, t, t.durationS / 4));
  timed(job("bpfland", t, t.durationS / 4));
  const obj: ObjectRun[] = [], ts: ObjectRun[] = [];
  for (let i = 0; i < t.pairs; i++) {
    obj.push(timed(job(t.object, t, t.durationS)));
    ts.push(timed(job("bpfland", t, t.durationS)));
  }
  return { kind: "bpfland-object", obj, ts };
}

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
  return `bpfland object beside TS bpfland (mixed, ${s.cpus} CPUs, ${s.durationS} simulated s, ${s.obj.length} alternated pairs): `
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
