/**
 * One crash demo in progress: what its steps (attach.ts, fault.ts, demo_windows.ts) share —
 * the machine, the story, the first loader and what has happened so far — and the small
 * readings and number formats the narration uses.
 */
import type { Machine } from "../../sim/machine.js";
import { errnoName, strerror, type Process } from "../../sim/bpf/index.js";
import { SCX_DSQ_USER_MAX } from "../../sim/ext/consts.js";
import type { SchedExtOps } from "../../sim/ext/ops.js";
import { Cls, Place } from "../../sim/task.js";
import type { ExitInfo } from "../../sim/result.js";
import type { Job } from "../job.js";
import { FAULT_INFO, type Fault, type FaultInfo } from "./faults.js";
import type { FaultInjector } from "./injector.js";
import type { Story } from "./story.js";
import type { Snapshot } from "./windows.js";
import type { AtExit, CrashDemoOptions } from "./demo.js";

/** What the steps ask of a user-space loader (demo.ts's Loader). */
export interface LoaderHandle {
  readonly proc: Process;
  readonly mapFd: number;
  readonly mapId: number;
  readonly linkFd: number;
  readonly linkId: number;
  say(text: string): void;
  /** Map create with BPF_F_LINK and update elem: 0 or -errno. */
  load(ops: SchedExtOps): number;
  /** A struct_ops map holding `ops` (create, then update elem), each call told: its fd and id, or -errno. */
  createMap(ops: SchedExtOps): { readonly fd: number; readonly id: number; readonly ret: number };
  /** BPF_LINK_CREATE: the link fd or -errno. */
  link(): number;
  fdList(): string;
  finish(uei: ExitInfo): void;
}

export interface ReattachState {
  readonly loader: LoaderHandle;
  readonly injector: FaultInjector;
  attachedAtNs: number | null;
  attempts: number;
  lastError: number | null;
  extTasks: number;
  snap: Snapshot | null;
}

export class DemoRun {
  readonly fault: Fault;
  readonly info: FaultInfo;
  /** When the fault happens (ns). */
  readonly faultAtNs: number;
  readonly end: number;
  readonly pollNs: number;
  /** The first loader and its scheduler (set by attachFirst). */
  A!: LoaderHandle;
  injA!: FaultInjector;
  /** Where the first window starts: time 0, or the end of the warm-up. */
  s0!: Snapshot;
  faultSnap: Snapshot | null = null;
  exitSnap: Snapshot | null = null;
  atExit: AtExit | null = null;
  linkReleasedNs: number | null = null;
  /** stall: the earliest runnable time of the held tasks when the injector was armed. */
  heldAtArm = Number.POSITIVE_INFINITY;
  /** The link update's result, once tried. */
  linkUpdate: number | null = null;
  readonly linkUpdateAtNs: number;
  reattach: ReattachState | null = null;

  constructor(
    readonly o: CrashDemoOptions,
    readonly job: Job,
    readonly m: Machine,
    readonly story: Story,
    /** Makes a new loader process. */
    readonly newLoader: (comm: string) => LoaderHandle,
    readonly timeoutMs: number | null,
  ) {
    this.fault = o.fault;
    this.info = FAULT_INFO[o.fault];
    this.faultAtNs = o.faultAtNs;
    this.end = job.durationNs;
    this.pollNs = o.pollNs ?? 1e9;
    this.linkUpdateAtNs = o.faultAtNs > 0 ? Math.floor(o.faultAtNs / 2) : 0;
  }
}

export const MS = 1_000_000;

export function ret(r: number): string {
  return r >= 0 ? String(r) : `-1 ${errnoName(r)} (${strerror(-r)})`;
}

export function secs(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

export function ms(ns: number): string {
  return `${(ns / MS).toFixed(3)} ms`;
}

export function countClasses(m: Machine): { ext: number; fair: number } {
  let ext = 0, fair = 0;
  for (const t of m.kernel.tasks) {
    if (t.place === Place.Dead || t.place === Place.Free) continue;
    if (t.cls === Cls.Ext) ext++;
    else fair++;
  }
  return { ext, fair };
}

/** Earliest runnable time of the tasks a stalled scheduler holds and will never dispatch. */
export function earliestHeld(m: Machine): number {
  let at = Number.POSITIVE_INFINITY;
  for (const t of m.kernel.tasks) {
    if (t.cls !== Cls.Ext) continue;
    const held = t.place === Place.Bpf || (t.place === Place.Dsq && t.dsq < SCX_DSQ_USER_MAX);
    if (held && t.runnableAt < at) at = t.runnableAt;
  }
  return at;
}
