/**
 * The scheduler registry: name → factory, a one-line description and what it is modelled on.
 * Each policy lives in its own file and is written against the sched_ext API only.
 */
import type { SchedExtOps, Scx } from "../sim/ext/ops.js";
import { resolveOptions, OptionError, type OptionSchema, type RawOptions } from "./options.js";
import { FAIR } from "./source/spec.js";
import * as simple from "./simple.js";
import * as fifo from "./fifo.js";
import * as rr from "./rr.js";
import * as srtf from "./srtf.js";
import * as mlfq from "./mlfq.js";
import * as stride from "./stride.js";
import * as lottery from "./lottery.js";
import * as edf from "./edf.js";
import * as cfsLike from "./cfs_like.js";
import * as qmap from "./qmap.js";
import * as central from "./central.js";
import * as flatcg from "./flatcg.js";
import * as nest from "./nest.js";
import * as bpfland from "./bpfland.js";
import * as lavd from "./lavd.js";
import * as rusty from "./rusty.js";
import * as p2dq from "./p2dq.js";

export interface SchedulerEntry {
  readonly name: string;
  readonly description: string;
  readonly origin: string;
  readonly options: OptionSchema;
  create(scx: Scx, raw: RawOptions): SchedExtOps;
}

function entry<S extends OptionSchema>(
  name: string, description: string, origin: string, options: S,
  make: (scx: Scx, opts: ReturnType<typeof resolveOptions<S>>) => SchedExtOps,
): SchedulerEntry {
  return { name, description, origin, options, create: (scx, raw) => make(scx, resolveOptions(name, options, raw)) };
}

/** Every scheduler, in the order `scxlab list` shows them. */
export const SCHEDULERS: readonly SchedulerEntry[] = [
  entry("simple", "global weighted vtime (or FIFO with fifo=true) on one shared DSQ", "kernel tools/sched_ext/scx_simple.bpf.c", simple.options, (scx, o) => new simple.SimpleScheduler(scx, o)),
  entry("fifo", "first come, first served: one global FIFO, each task runs until it blocks (SCX_SLICE_INF)", "textbook FCFS", fifo.options, (scx, o) => new fifo.FifoScheduler(scx, o)),
  entry("rr", "round robin: one global FIFO, fixed quantum slice_us, expired tasks to the tail", "textbook round robin", rr.options, (scx, o) => new rr.RrScheduler(scx, o)),
  entry("srtf", "shortest remaining time first on declared (or predicted) sizes, preempts on wakeup", "textbook SRTF / preemptive SJF (Schrage 1968)", srtf.options, (scx, o) => new srtf.SrtfScheduler(scx, o)),
  entry("mlfq", "multi-level feedback queue: levels with doubling quanta, demotion, periodic boost", "textbook MLFQ (Corbató's CTSS; OSTEP ch. 8)", mlfq.options, (scx, o) => new mlfq.MlfqScheduler(scx, o)),
  entry("stride", "stride scheduling: lowest pass runs one quantum, pass += STRIDE1/tickets", "Waldspurger & Weihl 1995", stride.options, (scx, o) => new stride.StrideScheduler(scx, o)),
  entry("lottery", "lottery scheduling: a random ticket draw per quantum (scx.randomU32)", "Waldspurger & Weihl 1994", lottery.options, (scx, o) => new lottery.LotteryScheduler(scx, o)),
  entry("edf", "earliest deadline first on activation + relative deadline, preempts on wakeup", "textbook EDF (Liu & Layland 1973)", edf.options, (scx, o) => new edf.EdfScheduler(scx, o)),
  entry("cfs-like", "weighted vtime on per-CPU DSQs, idle stealing: a sched_ext port of fair", "Linux CFS, as a sched_ext policy", cfsLike.options, (scx, o) => new cfsLike.CfsLikeScheduler(scx, o)),
  entry("qmap", "five weighted FIFO queues served 1/2/4/8/16 per round; fault-injection knobs", "kernel tools/sched_ext/scx_qmap.bpf.c", qmap.options, (scx, o) => new qmap.QmapScheduler(scx, o)),
  entry("central", "one CPU makes every decision and hands out infinite slices; a 1 ms timer preempts", "kernel tools/sched_ext/scx_central.bpf.c", central.options, (scx, o) => new central.CentralScheduler(scx, o)),
  entry("flatcg", "cgroup weights flattened into one level (hweight); a DSQ per cgroup, cgroup vtime", "kernel tools/sched_ext/scx_flatcg.bpf.c", flatcg.options, (scx, o) => new flatcg.FlatcgScheduler(scx, o)),
  entry("nest", "global vtime; wakeups packed onto a primary nest of warm cores, 2 ms compaction", "sched-ext/scx scheds/c/scx_nest.bpf.c (Inria Nest paper)", nest.options, (scx, o) => new nest.NestScheduler(scx, o)),
  entry("bpfland", "deadline = vruntime + awake time, the deadline becoming the vruntime; wakeup-frequency lag; per-CPU and per-node DSQs", "sched-ext/scx scheds/rust/scx_bpfland at 7a58a3a", bpfland.options, (scx, o) => new bpfland.BpflandScheduler(scx, o)),
  entry("lavd", "latency-criticality-aware virtual deadlines, per-LLC DSQs, load-based and boosted slices, autopilot core compaction", "sched-ext/scx scheds/rust/scx_lavd at 7a58a3a", lavd.options, (scx, o) => new lavd.LavdScheduler(scx, o)),
  entry("rusty", "a vtime DSQ per LLC domain, greedy stealing, timer-driven load balancing", "sched-ext/scx scheds/rust/scx_rusty at 7a58a3a", rusty.options, (scx, o) => new rusty.RustyScheduler(scx, o)),
  entry("p2dq", "per-LLC DSQs, slice classes, migration under saturation, pick-two LLC load balancing", "sched-ext/scx scheds/rust/scx_p2dq at 7a58a3a", p2dq.options, (scx, o) => new p2dq.P2dqScheduler(scx, o)),
];

/** The registered scheduler called `name`; an OptionError listing them all otherwise. */
export function findScheduler(name: string): SchedulerEntry {
  const e = SCHEDULERS.find((s) => s.name === name);
  if (e === undefined) {
    throw new OptionError(`unknown scheduler "${name}" (schedulers: ${[FAIR, ...SCHEDULERS.map((s) => s.name)].join(", ")})`);
  }
  return e;
}
