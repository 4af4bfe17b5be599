/**
 * The crash demo as a function: a loader process attaches a scheduler through a BPF_F_LINK
 * struct_ops map, fails to update the link with a second scheduler (-EOPNOTSUPP), then a fault
 * ends the scheduler and the run goes on under fair; optionally a new loader attaches a
 * scheduler through a new link later. Everything happens in simulated time on one machine and
 * is narrated into a Story; the run is measured in windows split at the fault.
 */
import { performance } from "node:perf_hooks";
import { Machine } from "../../sim/machine.js";
import { linkOps, loadOps } from "../../sim/attach.js";
import {
  EBUSY, EPOLLHUP, errnoName, formatEvent, strerror, type LinkInfo, type MapInfo, type Process,
} from "../../sim/bpf/index.js";
import { SCX_DSQ_USER_MAX } from "../../sim/ext/consts.js";
import type { SchedExtOps } from "../../sim/ext/ops.js";
import { Cls, Place } from "../../sim/task.js";
import type { Invariants } from "../../sim/invariants.js";
import type { ExitInfo, RunResult } from "../../sim/result.js";
import { createScheduler, loaderName, schedulerSpec, SCHEDULERS, type RawOptions } from "../../schedulers/index.js";
import { schedulerLabel } from "../../results/index.js";
import { jobPlan, jobSpec, type Job } from "../job.js";
import { loadTopology } from "../topology_file.js";
import { FAULT_INFO, type Fault } from "./faults.js";
import { FaultInjector, type FaultInScheduler } from "./injector.js";
import { Story, type StoryLine } from "./story.js";
import { snapshot, windowResult, type Snapshot, type WindowSpec } from "./windows.js";

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

const MS = 1_000_000;

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

function ret(r: number): string {
  return r >= 0 ? String(r) : `-1 ${errnoName(r)} (${strerror(-r)})`;
}

function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

function ms(ns: number): string {
  return `${(ns / MS).toFixed(3)} ms`;
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
    const loaded = loadOps(this.proc, ops, { onCall: (call, r, map) => {
      if (call === "BPF_MAP_CREATE") {
        this.say(`bpf(BPF_MAP_CREATE, {map_type=STRUCT_OPS, value_type=sched_ext_ops, map_flags=BPF_F_LINK}) = ${ret(r)}`);
        if (r < 0) return;
        this.mapFd = r;
        this.mapId = (this.proc.bpf.mapInfo(r) as MapInfo).id;
      } else {
        this.say(`bpf(BPF_MAP_UPDATE_ELEM, {map_fd=${map} (map ${this.mapId}), key=0, value=sched_ext_ops "${ops.name}"}) = ${ret(r)}`);
      }
    } });
    return loaded.map < 0 ? loaded.map : loaded.ret;
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

interface ReattachState {
  readonly loader: Loader;
  readonly injector: FaultInjector;
  attachedAtNs: number | null;
  attempts: number;
  lastError: number | null;
  extTasks: number;
  snap: Snapshot | null;
}

function countClasses(m: Machine): { ext: number; fair: number } {
  let ext = 0, fair = 0;
  for (const t of m.kernel.tasks) {
    if (t.place === Place.Dead || t.place === Place.Free) continue;
    if (t.cls === Cls.Ext) ext++;
    else fair++;
  }
  return { ext, fair };
}

/** Earliest runnable time of the tasks a stalled scheduler holds and will never dispatch. */
function earliestHeld(m: Machine): number {
  let at = Number.POSITIVE_INFINITY;
  for (const t of m.kernel.tasks) {
    if (t.cls !== Cls.Ext) continue;
    const held = t.place === Place.Bpf || (t.place === Place.Dsq && t.dsq < SCX_DSQ_USER_MAX);
    if (held && t.runnableAt < at) at = t.runnableAt;
  }
  return at;
}

/** The first registered scheduler other than `name` (or `name` itself if it is the only one). */
function otherScheduler(name: string): string {
  return SCHEDULERS.find((s) => s.name !== name)?.name ?? name;
}

export function runCrashDemo(o: CrashDemoOptions): CrashDemoOutcome {
  const t0 = performance.now();
  const fault = o.fault, T = o.faultAtNs, pollNs = o.pollNs ?? 1e9;
  const info = FAULT_INFO[fault];
  const job: Job = { ...o.job, crashAtNs: fault === "crash" ? T : null, extras: { ...o.job.extras, timeline: true } };
  const end = job.durationNs;
  if (!(T >= 0 && T < end)) throw new RangeError(`fault time ${T} ns is not within the run (0..${end} ns)`);
  const plan = jobPlan(job);
  const topology = loadTopology(job.topology, job.cpus);
  const m = new Machine({ topology, plan, seed: job.seed, overheads: job.overheads, job: jobSpec(job), timeline: true });
  const story = new Story(m);
  m.bpf.onEvent((e) => story.kernel(formatEvent(e)));

  const timeoutMs = o.timeoutMs ?? (fault === "stall" ? autoStallTimeoutMs(end - T) : null);
  let exitSnap = null as Snapshot | null;
  let atExit = null as AtExit | null;
  let linkReleasedNs: number | null = null;
  const warmupNs = job.warmupNs ?? 0;
  if (warmupNs > 0 && warmupNs >= T) throw new RangeError(`the warm-up (${warmupNs} ns) must end before the fault (${T} ns)`);
  let s0 = snapshot(m);

  // 1. The loader attaches the scheduler.
  const A = new Loader(m, story, loaderName(job.scheduler));
  const injA: FaultInjector = new FaultInjector(createScheduler(schedulerSpec(job.scheduler, job.options), m.scxApi), m.scxApi, {
    fault: info.inScheduler ? (fault as FaultInScheduler) : null,
    timeoutMs,
    onExit: (ei) => onFirstExit(ei),
  });
  A.say(`loading sched_ext_ops "${injA.name}"${fault === "stall" || o.timeoutMs != null ? ` (timeout_ms=${injA.ops.timeout_ms})` : ""}`);
  const loaded = A.load(injA.ops);
  if (loaded !== 0) throw new Error(`${A.proc.name}: loading ${injA.name} failed: ${strerror(-loaded)}`);
  const linked = A.link();
  if (linked < 0) throw new Error(`${A.proc.name}: attaching ${injA.name} failed: ${strerror(-linked)}`);
  if (m.scx.current === null) throw new Error(`${injA.name} failed while enabling: ${m.kernel.ext.exitInfo?.msg ?? "?"}`);
  const c0 = countClasses(m);
  story.note(`${c0.ext} tasks switched from fair to sched_ext (${injA.name}); ${c0.fair} left in fair`);
  const stopPollA = pollLoop(A, injA, pollNs);

  // 2. It tries to replace the scheduler in place and cannot.
  const up = o.updateWith ?? { scheduler: otherScheduler(job.scheduler), options: {} };
  const U = T > 0 ? Math.floor(T / 2) : 0;
  let linkUpdate = null as number | null;
  const tryUpdate = () => {
    if (!A.proc.alive || A.linkFd < 0) {
      story.note(`${A.proc.name}[${A.proc.pid}] is gone: no link to update`);
      return;
    }
    const other = createScheduler(schedulerSpec(up.scheduler, up.options), m.scxApi);
    const bpf = A.proc.bpf;
    A.say(`trying to switch to "${other.name}" in place: bpf_link__update_map()`);
    let id2 = 0;
    const { map: map2 } = loadOps(A.proc, other, { onCall: (call, r, map) => {
      if (call === "BPF_MAP_CREATE") {
        A.say(`bpf(BPF_MAP_CREATE, {map_type=STRUCT_OPS, value_type=sched_ext_ops, map_flags=BPF_F_LINK}) = ${ret(r)}`);
        if (r >= 0) id2 = (bpf.mapInfo(r) as MapInfo).id;
      } else {
        A.say(`bpf(BPF_MAP_UPDATE_ELEM, {map_fd=${map} (map ${id2}), key=0, value=sched_ext_ops "${other.name}"}) = ${ret(r)}`);
      }
    } });
    if (map2 < 0) { linkUpdate = map2; return; }
    linkUpdate = bpf.linkUpdate(A.linkFd, map2);
    A.say(`bpf(BPF_LINK_UPDATE, {link_fd=${A.linkFd}, new_map_fd=${map2}}) = ${ret(linkUpdate)}`);
    if (linkUpdate < 0) {
      A.say(`libbpf: struct_ops link ${A.linkId}: bpf_link__update_map to "${other.name}" failed: ${strerror(-linkUpdate)} (${linkUpdate})`);
      A.say(`sched_ext cannot swap a running scheduler; keeping "${injA.name}" on map ${A.mapId} (a new scheduler needs a new link once this one is gone)`);
    } else {
      A.say(`link ${A.linkId} now points at map ${id2} ("${other.name}")`);
    }
    A.say(`close(${map2}) = ${ret(A.proc.close(map2))}`);
  };
  if (U === 0) tryUpdate();
  else m.at(U, tryUpdate);

  // 3. The fault.
  let faultSnap = null as Snapshot | null;
  let heldAtArm = Number.POSITIVE_INFINITY;
  m.at(T, () => {
    faultSnap = snapshot(m);
    const p = A.proc;
    if (injA.uei !== null) story.note(`"${injA.name}" already exited at ${secs(injA.uei.atNs)} (${injA.uei.kind}): the fault comes too late`);
    if (!p.alive && !info.inScheduler && fault !== "sysrq") return;
    switch (fault) {
      case "crash":
        story.kernel(`${p.name}[${p.pid}]: segfault at 0 error 4 in ${p.name}: killed by SIGSEGV`);
        story.kernel(`${p.name}[${p.pid}]: exit_files: closing ${A.fdList()}`);
        stopPollA();
        linkReleasedNs = m.kernel.now;
        p.crash("SIGSEGV");
        story.note(`${p.name}[${p.pid}] is dead (killed by SIGSEGV): the last reference to link ${A.linkId} went with its fd table`);
        break;
      case "exit":
        A.say("main loop done (say, a bug makes it return early): exit(0) without bpf_link__destroy()");
        story.kernel(`${p.name}[${p.pid}]: exit_files: closing ${A.fdList()}`);
        stopPollA();
        linkReleasedNs = m.kernel.now;
        p.exit(0);
        story.note(`${p.name}[${p.pid}] exited with status 0: closing its fds released link ${A.linkId}`);
        break;
      case "detach": {
        linkReleasedNs = m.kernel.now;
        const r = p.bpf.linkDetach(A.linkFd);
        A.say(`bpf(BPF_LINK_DETACH, {link_fd=${A.linkFd}}) = ${ret(r)}`);
        const pr = p.bpf.linkPoll(A.linkFd);
        const li = p.bpf.linkInfo(A.linkFd);
        const mapNow = typeof li === "number" ? "?" : String(li.mapId);
        A.say(`poll(link fd ${A.linkFd}) = ${pr >= 0 && (pr & EPOLLHUP) ? "EPOLLHUP" : ret(pr)}: link ${A.linkId} is detached (map_id ${mapNow}) but the fd is still open`);
        stopPollA();
        if (injA.uei !== null) A.finish(injA.uei);
        story.note("closing a detached link unregisters nothing a second time: one unreg per reg");
        break;
      }
      case "sysrq":
        story.kernel("sysrq: Disable sched_ext and revert all tasks to CFS");
        m.scx.sysrq();
        break;
      default:
        heldAtArm = earliestHeld(m);
        injA.arm();
        story.note(`fault injector armed: ${info.what}`);
        break;
    }
  });

  // The eviction, seen from inside the kernel's disable path (ops.exit): read, narrate later.
  function onFirstExit(ei: ExitInfo): void {
    exitSnap = snapshot(m);
    const c = countClasses(m);
    let linkAttached: boolean | null = null;
    if (ei.kind !== "SCX_EXIT_UNREG" && A.proc.alive && A.linkFd >= 0) {
      const li = A.proc.bpf.linkInfo(A.linkFd);
      const pr = A.proc.bpf.linkPoll(A.linkFd);
      linkAttached = typeof li !== "number" && li.mapId !== 0 && pr === 0;
    }
    atExit = { extTasks: c.ext, fairTasks: c.fair, invariants: m.invariants(), linkAttached };
    const seen = atExit;
    m.at(m.kernel.now, () => {
      story.note(`all ${seen.fairTasks} tasks are back in the fair class (${seen.extTasks} left in sched_ext); ` +
        `tasks created ${seen.invariants.created} = alive ${seen.invariants.alive} + exited ${seen.invariants.exited}, lost ${seen.invariants.lost}`);
      if (fault === "stall") {
        const began = Math.min(heldAtArm, injA.firstParkedNs ?? Number.POSITIVE_INFINITY);
        if (Number.isFinite(began)) {
          story.note(`the stall began at ${secs(began)}; timeout_ms=${timeoutMs}: the watchdog, which checks every ${ms((timeoutMs ?? 0) * MS / 2)}, fired ${ms(ei.atNs - began)} after it began`);
        }
      }
      if (seen.linkAttached === true) {
        story.note(`link ${A.linkId} is still attached to map ${A.mapId} (${A.proc.name}[${A.proc.pid}] fd ${A.linkFd}, poll: no EPOLLHUP): ` +
          "the kernel does not release it; user space must");
      }
    });
  }

  // The loader's main loop: sleep, look at the exit info, leave when the scheduler is gone.
  function pollLoop(l: Loader, inj: FaultInjector, period: number): () => void {
    let stopped = false;
    const tick = () => {
      if (stopped || !l.proc.alive) return;
      if (inj.uei !== null) {
        stopped = true;
        const before = m.scx.current;
        if (l === A) linkReleasedNs = m.kernel.now;
        l.finish(inj.uei);
        if (before !== null && m.scx.current === before && l === A) {
          story.note(`"${before}", attached through another link, is still enabled: a link's unreg only touches the instance it enabled`);
        } else if (l === A) {
          story.note("its unreg found the scheduler already disabled: nothing else to do");
        }
        return;
      }
      if (m.kernel.now + period <= end) m.at(m.kernel.now + period, tick);
    };
    const first = m.kernel.now + Math.floor(period / 2);
    if (first <= end) m.at(first, tick);
    return () => { stopped = true; };
  }

  // 4. Optionally, a new loader attaches a scheduler through a new link.
  let reattachState = null as ReattachState | null;
  if (o.reattach) {
    const r = o.reattach;
    if (!(r.atNs > T && r.atNs <= end)) throw new RangeError(`reattach time ${r.atNs} ns is not after the fault and within the run`);
    const attempt = () => {
      if (reattachState === null) {
        const B = new Loader(m, story, loaderName(r.scheduler));
        const injB = new FaultInjector(createScheduler(schedulerSpec(r.scheduler, r.options), m.scxApi), m.scxApi, { fault: null });
        reattachState = { loader: B, injector: injB, attachedAtNs: null, attempts: 0, lastError: null, extTasks: 0, snap: null };
        B.say(`loading sched_ext_ops "${injB.name}" (a new process, a new map, a new link)`);
        const lr = B.load(injB.ops);
        if (lr !== 0) { reattachState.lastError = lr; B.say(`libbpf: failed to load struct_ops "${injB.name}": ${strerror(-lr)} (${lr})`); return; }
      }
      const st = reattachState;
      st.attempts++;
      const snap = snapshot(m);
      const link = st.loader.link();
      st.lastError = link < 0 ? link : null;
      if (link >= 0 && m.scx.current !== null) {
        st.attachedAtNs = m.kernel.now;
        st.snap = snap;
        st.extTasks = countClasses(m).ext;
        story.note(`${st.extTasks} tasks switched from fair to sched_ext (${st.injector.name}) through link ${st.loader.linkId}, a new link (not an update of link ${A.linkId})`);
        if (A.linkFd >= 0 && A.proc.alive) story.note(`the dead scheduler's link ${A.linkId} is still open in ${A.proc.name}[${A.proc.pid}]: a new scheduler may attach anyway, sched_ext being disabled`);
        pollLoop(st.loader, st.injector, pollNs);
        return;
      }
      if (link === -EBUSY) {
        st.loader.say(`libbpf: failed to attach struct_ops "${st.injector.name}": ${strerror(EBUSY)} (-${EBUSY}): a scheduler is still enabled; retrying in ${ms(pollNs)}`);
        if (m.kernel.now + pollNs <= end) m.at(m.kernel.now + pollNs, attempt);
        return;
      }
      st.loader.say(`libbpf: failed to attach struct_ops "${st.injector.name}": ${link < 0 ? `${strerror(-link)} (${link})` : "it exited while enabling"}`);
    };
    m.at(r.atNs, attempt);
  }

  if (warmupNs > 0) {
    m.kernel.runUntil(warmupNs);
    m.startMeasurement();
    story.note(`warm-up over: measuring from here`);
    s0 = snapshot(m);
  }
  m.runToEnd();
  const cEnd = countClasses(m);
  story.note(`end of the run: ${cEnd.fair} tasks in the fair class, ${cEnd.ext} in sched_ext${m.scx.current === null ? "" : ` (${m.scx.current})`}`);
  const endSnap = snapshot(m);
  const result = m.result(0, plan.warnings);
  story.sync();

  // Windows: before the fault; the faulty stretch if the eviction came later; after; reattached.
  const exit = injA.uei;
  const labelA = schedulerLabel({ scheduler: job.scheduler, options: job.options });
  const rs = reattachState;
  const specs: WindowSpec[] = [];
  const fs = faultSnap, es = exitSnap;
  if (fs !== null) {
    specs.push({ label: `before (${labelA})`, ran: injA.name, from: s0, to: fs, exit: null });
    const faulty = fault === "stall" ? "stalled" : "faulty";
    if (exit !== null && es !== null) {
      let afterFrom = fs;
      if (es.atNs < fs.atNs) {
        // It died on its own before the fault (say, a timeout_ms too short for the load).
        specs[0] = { ...specs[0]!, to: es };
        afterFrom = es;
      } else if (es.atNs - fs.atNs >= MS) {
        specs.push({ label: `${faulty} (${labelA})`, ran: injA.name, from: fs, to: es, exit: null });
        afterFrom = es;
      }
      const reSnap = rs?.snap ?? null;
      specs.push({ label: "after (fair)", ran: "fair", from: afterFrom, to: reSnap ?? endSnap, exit: null });
      if (reSnap !== null && rs !== null) {
        specs.push({ label: `reattached (${schedulerLabel({ scheduler: o.reattach!.scheduler, options: o.reattach!.options })})`, ran: rs.injector.name, from: reSnap, to: endSnap, exit: null });
      }
      // The report lists exits of its runs: with a scheduler attached again at the end, the whole
      // run's exit is null, so the eviction goes with the window that ended with it.
      if (result.scx.exit === null) {
        const i = specs.findIndex((s) => s.label === "after (fair)") - 1;
        specs[i] = { ...specs[i]!, exit };
      }
    } else {
      specs.push({ label: `${faulty} (${labelA})`, ran: injA.name, from: fs, to: endSnap, exit: null });
    }
  }
  const spec = jobSpec(job);
  const kept = specs.filter((w) => w.to.atNs > w.from.atNs);
  const windows = kept.map((w) => windowResult(w, spec, result));
  const stallBeganNs = fault === "stall" ? Math.min(heldAtArm, injA.firstParkedNs ?? Number.POSITIVE_INFINITY) : null;
  const wallMs = Math.round(performance.now() - t0);
  result.wallMs = wallMs;
  return {
    machine: m, result, windows, windowStartsNs: kept.map((w) => w.from.atNs), story: story.lines, fault, faultAtNs: T, scheduler: injA.name, loader: A.proc, injector: injA,
    linkId: A.linkId, linkUpdate, linkUpdateAtNs: U, exit, atExit, linkReleasedNs, timeoutMs,
    stallBeganNs: stallBeganNs !== null && Number.isFinite(stallBeganNs) ? stallBeganNs : null,
    reattach: rs === null ? null : {
      scheduler: rs.injector.name, loader: rs.loader.proc, attachedAtNs: rs.attachedAtNs, attempts: rs.attempts, lastError: rs.lastError,
      linkId: rs.attachedAtNs === null ? null : rs.loader.linkId, extTasks: rs.extTasks, injector: rs.injector,
    },
    wallMs,
  };
}
