/**
 * Task programs: the workload plan compiled once into per-spec event lists with resolved ids,
 * and `step`, which executes a task's events from where it stands until it has CPU work to do
 * (RUN), blocks (BLOCK), yields (YIELD) or ends (EXIT). Zero-time events (resume, fork, lock,
 * signal...) run here, while the task holds its CPU.
 */
import type { DurationSpec, EventSpec, TaskSpec, WorkloadPlan } from "./plan.js";
import { Block, type Task } from "./task.js";

export const enum Op {
  Run, Runtime, Sleep, Timer, Suspend, Resume, Fork, Yield, Exit, Lock, Unlock, Wait, Signal, Broad, Barrier, SemPost, SemWait,
}

export const enum Action {
  Run = 0,
  Block = 1,
  Exit = 2,
  Yield = 3,
}

export interface CEvent {
  readonly op: Op;
  /** Constant duration in ns, or -1 when drawn from `dist`. */
  readonly constNs: number;
  readonly dist: DurationSpec | null;
  /** Resolved id: timer index, suspend ref, spec index, mutex, condvar, barrier or semaphore. */
  readonly ref: number;
  /** Mutex of a condvar wait; for timers, 1 when shared. */
  readonly ref2: number;
  readonly periodNs: number;
  readonly absolute: boolean;
}

export interface CPhase {
  readonly loop: number;
  readonly events: readonly CEvent[];
}

export interface CSpec {
  readonly spec: TaskSpec;
  readonly phases: readonly CPhase[];
  /** Per-instance timers used by this spec. */
  readonly nTimers: number;
  /** Whether any event ends a request when it blocks (sleep, timer, suspend). */
  readonly groupIdx: number;
}

export interface CompiledPlan {
  readonly specs: readonly CSpec[];
  readonly groups: readonly string[];
  readonly suspendRefs: readonly string[];
  readonly mutexes: readonly string[];
  readonly condvars: readonly string[];
  readonly barriers: readonly { readonly name: string; readonly need: number }[];
  readonly semaphores: readonly string[];
  readonly sharedTimers: number;
}

/** Compiles a plan; ids are assigned in order of first appearance. */
export function compilePlan(plan: WorkloadPlan): CompiledPlan {
  const ids = (list: string[]) => (name: string) => {
    let i = list.indexOf(name);
    if (i < 0) { i = list.length; list.push(name); }
    return i;
  };
  const suspendRefs: string[] = [], mutexes: string[] = [], condvars: string[] = [], barrierNames: string[] = [], shared: string[] = [], semaphores: string[] = [];
  const sref = ids(suspendRefs), mref = ids(mutexes), cref = ids(condvars), bref = ids(barrierNames), shref = ids(shared), semref = ids(semaphores);
  const groups: string[] = [];
  const specIndex = new Map(plan.tasks.map((t, i) => [t.name, i]));
  const specs = plan.tasks.map((spec): CSpec => {
    const timers: string[] = [];
    const tref = ids(timers);
    const ev = (e: EventSpec): CEvent => {
      const base = { constNs: -1, dist: null, ref: 0, ref2: 0, periodNs: 0, absolute: false };
      switch (e.kind) {
        case "run": return { ...base, op: Op.Run, ...dur(e.us) };
        case "runtime": return { ...base, op: Op.Runtime, ...dur(e.us) };
        case "sleep": return { ...base, op: Op.Sleep, ...dur(e.us) };
        case "timer": return { ...base, op: Op.Timer, ref: e.shared ? shref(e.ref) : tref(e.ref), ref2: e.shared ? 1 : 0, periodNs: Math.round(e.periodUs * 1000), absolute: e.mode === "absolute" };
        case "suspend": return { ...base, op: Op.Suspend, ref: sref(e.ref) };
        case "resume": return { ...base, op: Op.Resume, ref: sref(e.ref) };
        case "fork": return { ...base, op: Op.Fork, ref: specIndex.get(e.task) ?? -1 };
        case "yield": return { ...base, op: Op.Yield };
        case "exit": return { ...base, op: Op.Exit };
        case "lock": return { ...base, op: Op.Lock, ref: mref(e.ref) };
        case "unlock": return { ...base, op: Op.Unlock, ref: mref(e.ref) };
        case "wait": return { ...base, op: Op.Wait, ref: cref(e.ref), ref2: mref(e.mutex) };
        case "signal": return { ...base, op: Op.Signal, ref: cref(e.ref) };
        case "broad": return { ...base, op: Op.Broad, ref: cref(e.ref) };
        case "barrier": return { ...base, op: Op.Barrier, ref: bref(e.ref) };
        case "sem_post": return { ...base, op: Op.SemPost, ref: semref(e.ref) };
        case "sem_wait": return { ...base, op: Op.SemWait, ref: semref(e.ref) };
      }
    };
    const phases = spec.phases.map((p) => ({ loop: p.loop, events: p.events.map(ev) }));
    let g = groups.indexOf(spec.name);
    if (g < 0) { g = groups.length; groups.push(spec.name); }
    return { spec, phases, nTimers: timers.length, groupIdx: g };
  });
  const barriers = barrierNames.map((name) => ({ name, need: plan.barriers[name] ?? 1 }));
  return { specs, groups, suspendRefs, mutexes, condvars, barriers, semaphores, sharedTimers: shared.length };
}

function dur(d: DurationSpec): { constNs: number; dist: DurationSpec | null } {
  return typeof d === "number" ? { constNs: Math.round(d * 1000), dist: null } : { constNs: -1, dist: d };
}

/** What `step` needs from the kernel. */
export interface ProgramHost {
  readonly now: number;
  drawNs(d: DurationSpec): number;
  /** Block `t` (already off-CPU bookkeeping is the caller's) until `at`, or until woken if at < 0. */
  sleepUntil(t: Task, at: number, why: Block): void;
  fork(specIdx: number, parent: Task): void;
  resume(ref: number): void;
  /** Returns true if acquired; otherwise `t` is queued as a waiter and must block. */
  lock(t: Task, mutex: number): boolean;
  unlock(t: Task, mutex: number): void;
  condWait(t: Task, cv: number, mutex: number): void;
  signal(cv: number, all: boolean): void;
  /** Returns true if the barrier opened (t continues), false if t must block. */
  barrier(t: Task, b: number): boolean;
  /** A periodic task found its next release already due (it was late): end one activation, start the next. */
  overrun(t: Task, releaseNs: number): void;
  /** Blocks `t` until a resume of `ref` (one sent earlier is not remembered). */
  suspend(t: Task, ref: number): void;
  semPost(sem: number): void;
  /** Returns true if a post was taken (t continues); otherwise `t` is queued and must block. */
  semWait(t: Task, sem: number): boolean;
  /** `t` went through a block of kind `why` without blocking (its wakeup was already pending). */
  passThrough(t: Task, why: Block): void;
  sharedTimerNext: Float64Array;
}

/**
 * Runs `t`'s program until it needs the CPU (Run), blocks, yields or exits. `spec` is the task's
 * compiled spec. At most 10 000 zero-time events run in one call, so a program of only
 * zero-time events cannot hang the simulation; it then yields.
 */
export function step(h: ProgramHost, t: Task, cs: CSpec): Action {
  for (let budget = 0; budget < 10_000; budget++) {
    const phases = cs.phases;
    if (t.phase >= phases.length) {
      if (t.loopsLeft > 0) t.loopsLeft--;
      if (t.loopsLeft === 0 || phases.length === 0) return Action.Exit;
      t.phase = 0; t.phaseIter = 0; t.event = 0;
    }
    const ph = phases[t.phase];
    if (t.event >= ph.events.length) {
      t.event = 0;
      if (++t.phaseIter >= ph.loop && ph.loop > 0) { t.phase++; t.phaseIter = 0; }
      continue;
    }
    const e = ph.events[t.event++];
    switch (e.op) {
      case Op.Run: {
        if (t.nextWorkNs >= 0) { t.workLeft = t.nextWorkNs; t.nextWorkNs = -1; } // drawn ahead by workAhead
        else t.workLeft = e.constNs >= 0 ? e.constNs : h.drawNs(e.dist!);
        t.runtimeEnd = Number.POSITIVE_INFINITY;
        if (t.workLeft <= 0) continue;
        t.inBurst = true;
        return Action.Run;
      }
      case Op.Runtime: {
        const d = e.constNs >= 0 ? e.constNs : h.drawNs(e.dist!);
        if (d <= 0) continue;
        t.workLeft = Number.POSITIVE_INFINITY;
        t.runtimeEnd = h.now + d;
        t.inBurst = true;
        return Action.Run;
      }
      case Op.Sleep: {
        const d = e.constNs >= 0 ? e.constNs : h.drawNs(e.dist!);
        h.sleepUntil(t, h.now + d, Block.Sleep);
        return Action.Block;
      }
      case Op.Timer: {
        const arr = e.ref2 === 1 ? h.sharedTimerNext : t.timerNext!;
        let next = arr[e.ref];
        // rt-app counts a timer from the thread's reference time, not from its first use: the
        // run's start plus the task's delay (forked copies too); an open-loop arrival, its start.
        if (next === 0) next = (t.openLoop ? t.startNs : Math.round(cs.spec.delayUs * 1000)) + e.periodNs;
        if (next <= h.now) {
          // Late: this release is already due; the job that just ended counts as one activation.
          h.overrun(t, next);
          arr[e.ref] = (e.absolute ? next : h.now) + e.periodNs;
          continue;
        }
        arr[e.ref] = next + e.periodNs;
        h.sleepUntil(t, next, Block.Timer);
        return Action.Block;
      }
      case Op.Suspend: h.suspend(t, e.ref); return Action.Block;
      case Op.Resume: h.resume(e.ref); continue;
      case Op.Fork: if (e.ref >= 0) h.fork(e.ref, t); continue;
      case Op.Yield: return Action.Yield;
      case Op.Exit: return Action.Exit;
      case Op.Lock:
        if (h.lock(t, e.ref)) continue;
        return Action.Block;
      case Op.Unlock: h.unlock(t, e.ref); continue;
      case Op.Wait: h.condWait(t, e.ref, e.ref2); return Action.Block;
      case Op.Signal: h.signal(e.ref, false); continue;
      case Op.Broad: h.signal(e.ref, true); continue;
      case Op.Barrier:
        if (h.barrier(t, e.ref)) continue;
        return Action.Block;
      case Op.SemPost: h.semPost(e.ref); continue;
      case Op.SemWait: // a wait that finds a post passes through, as a pending wakeup would
        if (h.semWait(t, e.ref)) { h.passThrough(t, Block.Suspend); continue; }
        return Action.Block;
    }
  }
  return Action.Yield;
}

/**
 * The CPU work (ns at full capacity) of the `run` event `t`'s program reaches next without
 * blocking, for a task between events. A drawn size is drawn now and kept in `t.nextWorkNs`,
 * so `step` runs exactly the size reported (this moves the draw earlier, which only a scheduler
 * that asks sees). +Infinity for a `runtime` event (bounded by time, not work); 0 when the
 * program blocks, yields or exits first.
 */
export function workAhead(h: ProgramHost, t: Task, cs: CSpec): number {
  if (t.nextWorkNs >= 0) return t.nextWorkNs;
  const phases = cs.phases;
  let phase = t.phase, iter = t.phaseIter, ev = t.event, loops = t.loopsLeft;
  for (let budget = 0; budget < 10_000; budget++) {
    if (phase >= phases.length) {
      if (loops > 0) loops--;
      if (loops === 0 || phases.length === 0) return 0;
      phase = 0; iter = 0; ev = 0;
    }
    const ph = phases[phase];
    if (ev >= ph.events.length) {
      ev = 0;
      if (++iter >= ph.loop && ph.loop > 0) { phase++; iter = 0; }
      continue;
    }
    const e = ph.events[ev++];
    switch (e.op) {
      case Op.Run:
        if (e.constNs >= 0) { if (e.constNs <= 0) continue; return e.constNs; }
        t.nextWorkNs = h.drawNs(e.dist!);
        return t.nextWorkNs;
      case Op.Runtime: return Number.POSITIVE_INFINITY;
      case Op.Resume: case Op.Fork: case Op.Unlock: case Op.Signal: case Op.Broad: case Op.SemPost: continue;
      default: return 0;
    }
  }
  return 0;
}
