/**
 * The crash demo as a function: a loader process attaches a scheduler through a BPF_F_LINK
 * struct_ops map, fails to update the link with a second scheduler (-EOPNOTSUPP), then a fault
 * ends the scheduler and the run goes on under fair; optionally a new loader attaches a
 * scheduler through a new link later. Everything happens in simulated time on one machine and
 * is narrated into a Story; the run is measured in windows split at the fault. The steps live
 * in attach.ts (loaders), fault.ts (the fault and the eviction) and demo_windows.ts (the cuts);
 * what they share is a DemoRun (demo_run.ts).
 */
import { performance } from "node:perf_hooks";
import { Machine } from "../../sim/machine.js";
import { linkOps, loadOps } from "../../sim/attach.js";
import { formatEvent, type LinkInfo, type MapInfo, type Process } from "../../sim/bpf/index.js";
import type { SchedExtOps } from "../../sim/ext/ops.js";
import type { Invariants } from "../../sim/invariants.js";
import type { ExitInfo, RunResult } from "../../sim/result.js";
import { SCHEDULERS, type RawOptions } from "../../schedulers/index.js";
import { jobPlan, jobSpec, type Job } from "../job.js";
import { loadTopology } from "../topology_file.js";
import type { Fault } from "./faults.js";
import type { FaultInjector } from "./injector.js";
import { Story, type StoryLine } from "./story.js";
import { snapshot, windowResult } from "./windows.js";
import { DemoRun, MS, countClasses, ret } from "./demo_run.js";
import { attachFirst, pollLoop, scheduleLinkUpdate, scheduleReattach } from "./attach.js";
import { onFirstExit, scheduleFault } from "./fault.js";
import { windowSpecs } from "./demo_windows.js";

export interface SchedulerChoice {
  readonly scheduler: string;
  readonly options: RawOptions;
}

export interface CrashDemoOptions {
  /** The run: scheduler (a sched_ext one), workload, machine, seed, duration. */
  readonly job: Job;
  readonly fault: Fault;
  /** When the fault happens (ns); before the end of the run. */
  readonly faultAtNs: number;
  /** The scheduler's watchdog limit; default: its own, or for `stall` one that fits the run. */
  readonly timeoutMs?: number | null;
  /** The scheduler whose map the loader tries to swap in with BPF_LINK_UPDATE; default: another registered one. */
  readonly updateWith?: SchedulerChoice | null;
  /** After the eviction, a new loader attaches this scheduler through a new link at `atNs`. */
  readonly reattach?: (SchedulerChoice & { readonly atNs: number }) | null;
  /** How often a loader polls its scheduler's exit info (default 1 s, first poll half a period in). */
  readonly pollNs?: number;
}

/** Facts at the instant the scheduler was disabled. */
export interface AtExit {
  readonly extTasks: number;
  readonly fairTasks: number;
  readonly invariants: Invariants;
  /** Kernel-initiated exits: whether the loader's link was still attached (it must be). */
  readonly linkAttached: boolean | null;
}

export interface ReattachOutcome {
  readonly scheduler: string;
  readonly loader: Process;
  /** When the new link was created, or null if it never was. */
  readonly attachedAtNs: number | null;
  readonly attempts: number;
  /** The last failed attempt's -errno (-EBUSY while the old scheduler is still enabled), or null. */
  readonly lastError: number | null;
  readonly linkId: number | null;
  readonly extTasks: number;
  readonly injector: FaultInjector;
}

export interface CrashDemoOutcome {
  readonly machine: Machine;
  /** The whole run. */
  readonly result: RunResult;
  /** The run cut at the fault (and at the eviction and the reattach, when they happen apart). */
  readonly windows: RunResult[];
  /** Where each window starts (ns); it lasts its simNs. */
  readonly windowStartsNs: number[];
  readonly story: readonly StoryLine[];
  readonly fault: Fault;
  readonly faultAtNs: number;
  readonly scheduler: string;
  readonly loader: Process;
  readonly injector: FaultInjector;
  readonly linkId: number;
  /** What BPF_LINK_UPDATE returned (-EOPNOTSUPP), or null if the loader was gone by then. */
  readonly linkUpdate: number | null;
  readonly linkUpdateAtNs: number;
  /** The exit of the first scheduler (its UEI), or null if it was still running at the end. */
  readonly exit: ExitInfo | null;
  readonly atExit: AtExit | null;
  /** When user space let go of the first link (close or detach), or null. */
  readonly linkReleasedNs: number | null;
  readonly timeoutMs: number | null;
  /** stall: when the first task that never ran again became runnable. */
  readonly stallBeganNs: number | null;
  readonly reattach: ReattachOutcome | null;
  readonly wallMs: number;
}

/** The demo's default scheduler: bpfland once it is registered, else simple. */
export function defaultDemoScheduler(): string {
  return SCHEDULERS.some((s) => s.name === "bpfland") ? "bpfland" : "simple";
}

/** The shortest watchdog limit the demo picks by itself: normal scheduling never waits that long. */
export const MIN_AUTO_TIMEOUT_MS = 100;

/** A watchdog limit for `stall` that lets it fire well before the end: a quarter of what is left, 100..500 ms. */
export function autoStallTimeoutMs(remainingNs: number): number {
  return Math.max(MIN_AUTO_TIMEOUT_MS, Math.min(500, Math.floor(remainingNs / MS / 4)));
}

/** A user-space loader like scx_simple's main(): open, load, attach, poll the exit info. */
class Loader {
  readonly proc: Process;
  mapFd = -1;
  mapId = 0;
  linkFd = -1;
  linkId = 0;

  constructor(m: Machine, private readonly story: Story, comm: string) {
    this.proc = m.spawnProcess(comm);
  }

  say(text: string): void {
    this.story.process(this.proc, text);
  }

  /** Creates the struct_ops map with BPF_F_LINK and writes the scheduler into it: 0 or -errno. */
  load(ops: SchedExtOps): number {
    const m = this.createMap(ops);
    if (m.fd >= 0) { this.mapFd = m.fd; this.mapId = m.id; }
    return m.fd < 0 ? m.fd : m.ret;
  }

  createMap(ops: SchedExtOps): { fd: number; id: number; ret: number } {
    let id = 0;
    const loaded = loadOps(this.proc, ops, { onCall: (call, r, map) => {
      if (call === "BPF_MAP_CREATE") {
        this.say(`bpf(BPF_MAP_CREATE, {map_type=STRUCT_OPS, value_type=sched_ext_ops, map_flags=BPF_F_LINK}) = ${ret(r)}`);
        if (r >= 0) id = (this.proc.bpf.mapInfo(r) as MapInfo).id;
      } else {
        this.say(`bpf(BPF_MAP_UPDATE_ELEM, {map_fd=${map} (map ${id}), key=0, value=sched_ext_ops "${ops.name}"}) = ${ret(r)}`);
      }
    } });
    return { fd: loaded.map, id, ret: loaded.ret };
  }

  /** BPF_LINK_CREATE on the loaded map: the link fd or -errno. */
  link(): number {
    return linkOps(this.proc, this.mapFd, (_call, link) => {
      if (link >= 0) {
        this.linkFd = link;
        this.linkId = (this.proc.bpf.linkInfo(link) as LinkInfo).id;
      }
      this.say(`bpf(BPF_LINK_CREATE, {map_fd=${this.mapFd}, attach_type=BPF_STRUCT_OPS}) = ${ret(link)}${link >= 0 ? ` (link ${this.linkId})` : ""}`);
    });
  }

  /** Describes the bpf fds the process holds, from /proc/PID/fdinfo. */
  fdList(): string {
    const parts: string[] = [];
    for (const fd of this.proc.openFds()) {
      const info = this.proc.fdinfo(fd);
      if (typeof info !== "string" || info === "") continue;
      const link = /link_id:\t(\d+)/.exec(info), map = /map_id:\t(\d+)/.exec(info);
      parts.push(link ? `fd ${fd} (link ${link[1]})` : `fd ${fd} (struct_ops map ${map?.[1] ?? "?"})`);
    }
    return parts.join(", ");
  }

  /** The scheduler is gone (its UEI says so): destroy the link, report, clean up, exit. */
  finish(uei: ExitInfo): void {
    const p = this.proc;
    if (this.linkFd >= 0) {
      const fd = this.linkFd;
      const r = p.close(fd);
      this.linkFd = -1;
      this.say(`bpf_link__destroy(): close(${fd}) = ${ret(r)}`);
    }
    this.say(`EXIT: ${uei.reason}${uei.msg ? ` (${uei.msg})` : ""}`);
    if (this.mapFd >= 0) {
      const r = p.close(this.mapFd);
      this.say(`close(${this.mapFd}) = ${ret(r)} (the skeleton is destroyed: map ${this.mapId} goes)`);
      this.mapFd = -1;
    }
    p.exit(0);
    this.say("exit(0)");
  }
}

/** The job the demo runs: the timeline on, the crash time set for `crash`; checks the fault and warm-up times. */
function demoJob(o: CrashDemoOptions): Job {
  const T = o.faultAtNs;
  const job: Job = { ...o.job, crashAtNs: o.fault === "crash" ? T : null, extras: { ...o.job.extras, timeline: true } };
  const end = job.durationNs;
  if (!(T >= 0 && T < end)) throw new RangeError(`fault time ${T} ns is not within the run (0..${end} ns)`);
  return job;
}

/** Runs the demo: attach, failed update, fault, optional reattach, then the run to its end cut into windows. */
export function runCrashDemo(o: CrashDemoOptions): CrashDemoOutcome {
  const t0 = performance.now();
  const job = demoJob(o);
  const plan = jobPlan(job);
  const topology = loadTopology(job.topology, job.cpus);
  const m = new Machine({
    topology, plan, seed: job.seed, overheads: job.overheads, hz: job.hz, job: jobSpec(job), timeline: true,
    ...(job.maxTasks !== undefined ? { maxLiveTasks: job.maxTasks } : {}),
    ...(job.costs !== undefined ? { costs: job.costs } : {}),
  });
  const story = new Story(m);
  m.bpf.onEvent((e) => story.kernel(formatEvent(e)));
  const timeoutMs = o.timeoutMs ?? (o.fault === "stall" ? autoStallTimeoutMs(job.durationNs - o.faultAtNs) : null);
  const run = new DemoRun(o, job, m, story, (comm) => new Loader(m, story, comm), timeoutMs);
  const warmupNs = job.warmupNs ?? 0;
  if (warmupNs > 0 && warmupNs >= o.faultAtNs) throw new RangeError(`the warm-up (${warmupNs} ns) must end before the fault (${o.faultAtNs} ns)`);
  run.s0 = snapshot(m);

  attachFirst(run, (ei) => onFirstExit(run, ei));
  const stopPollA = pollLoop(run, run.A, run.injA, run.pollNs);
  scheduleLinkUpdate(run);
  scheduleFault(run, stopPollA);
  scheduleReattach(run);

  if (warmupNs > 0) {
    m.kernel.runUntil(warmupNs);
    m.startMeasurement();
    story.note(`warm-up over: measuring from here`);
    run.s0 = snapshot(m);
  }
  m.runToEnd();
  const cEnd = countClasses(m);
  story.note(`end of the run: ${cEnd.fair} tasks in the fair class, ${cEnd.ext} in sched_ext${m.scx.current === null ? "" : ` (${m.scx.current})`}`);
  const endSnap = snapshot(m);
  const result = m.result(0, plan.warnings, true);
  story.sync();

  const kept = windowSpecs(run, endSnap, result);
  const spec = jobSpec(job);
  const windows = kept.map((w) => windowResult(w, spec, result, m.kernel.rec.maxTaskRecords));
  const wallMs = Math.round(performance.now() - t0);
  result.wallMs = wallMs;
  return outcome(run, result, windows, kept.map((w) => w.from.atNs), wallMs);
}

function outcome(run: DemoRun, result: RunResult, windows: RunResult[], windowStartsNs: number[], wallMs: number): CrashDemoOutcome {
  const { A, injA, reattach: rs } = run;
  const stallBeganNs = run.fault === "stall" ? Math.min(run.heldAtArm, injA.firstParkedNs ?? Number.POSITIVE_INFINITY) : null;
  return {
    machine: run.m, result, windows, windowStartsNs, story: run.story.lines, fault: run.fault, faultAtNs: run.faultAtNs, scheduler: injA.name, loader: A.proc, injector: injA,
    linkId: A.linkId, linkUpdate: run.linkUpdate, linkUpdateAtNs: run.linkUpdateAtNs, exit: injA.uei, atExit: run.atExit, linkReleasedNs: run.linkReleasedNs, timeoutMs: run.timeoutMs,
    stallBeganNs: stallBeganNs !== null && Number.isFinite(stallBeganNs) ? stallBeganNs : null,
    reattach: rs === null ? null : {
      scheduler: rs.injector.name, loader: rs.loader.proc, attachedAtNs: rs.attachedAtNs, attempts: rs.attempts, lastError: rs.lastError,
      linkId: rs.attachedAtNs === null ? null : rs.loader.linkId, extTasks: rs.extTasks, injector: rs.injector,
    },
    wallMs,
  };
}
