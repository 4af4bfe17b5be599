/**
 * Task programs: the workload plan compiled once into per-spec event lists with resolved ids,
 * and `step`, which executes a task's events from where it stands until it has CPU work to do
 * (RUN), blocks (BLOCK), yields (YIELD) or ends (EXIT). Zero-time events (resume, fork, lock,
 * signal...) run here, while the task holds its CPU.
 */
import type { DurationSpec, EventSpec, PhaseSettings, TaskSpec, WorkloadPlan } from "./plan.js";
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
  /** What the phase changes when it starts (PhaseSpec.set), or null. */
  readonly set: PhaseSettings | null;
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

/** Distinct programs remembered for sharing (beyond, a spec unlike the earlier ones compiles its own). */
const MAX_SHARED_PROGRAMS = 4096;

/** Compiles a plan; ids are assigned in order of first appearance. */
export function compilePlan(plan: WorkloadPlan): CompiledPlan {
  // A map beside each list: a workload may name a million tasks (groups, suspend points).
  const ids = (list: string[]) => {
    const index = new Map<string, number>();
    return (name: string) => {
      let i = index.get(name);
      if (i === undefined) { i = list.length; list.push(name); index.set(name, i); }
      return i;
    };
  };
  const suspendRefs: string[] = [], mutexes: string[] = [], condvars: string[] = [], barrierNames: string[] = [], shared: string[] = [], semaphores: string[] = [];
  const sref = ids(suspendRefs), mref = ids(mutexes), cref = ids(condvars), bref = ids(barrierNames), shref = ids(shared), semref = ids(semaphores);
  const groups: string[] = [];
  const groupOf = ids(groups);
  const specIndex = new Map(plan.tasks.map((t, i) => [t.name, i]));
  // Specs written alike (a generated workload of many names) share one compiled program: their
  // refs resolve to the same ids, which the first of them assigned.
  const compiled = new Map<string, { phases: readonly CPhase[]; nTimers: number }>();
  const specs = plan.tasks.map((spec): CSpec => {
    const key = JSON.stringify(spec.phases);
    const known = compiled.get(key);
    if (known !== undefined) return { spec, phases: known.phases, nTimers: known.nTimers, groupIdx: groupOf(spec.name) };
    const timers: string[] = [];
    const tref = ids(timers);
    const ev = (e: EventSpec): CEvent => {
      switch (e.kind) {
        case "run": return timed(Op.Run, e.us);
        case "runtime": return timed(Op.Runtime, e.us);
        case "sleep": return timed(Op.Sleep, e.us);
        case "timer": return cEvent(Op.Timer, e.shared ? shref(e.ref) : tref(e.ref), e.shared ? 1 : 0, Math.round(e.periodUs * 1000), e.mode === "absolute");
        case "suspend": return cEvent(Op.Suspend, sref(e.ref));
        case "resume": return cEvent(Op.Resume, sref(e.ref));
        case "fork": return cEvent(Op.Fork, specIndex.get(e.task) ?? -1);
        case "yield": return cEvent(Op.Yield);
        case "exit": return cEvent(Op.Exit);
        case "lock": return cEvent(Op.Lock, mref(e.ref));
        case "unlock": return cEvent(Op.Unlock, mref(e.ref));
        case "wait": return cEvent(Op.Wait, cref(e.ref), mref(e.mutex));
        case "signal": return cEvent(Op.Signal, cref(e.ref));
        case "broad": return cEvent(Op.Broad, cref(e.ref));
        case "barrier": return cEvent(Op.Barrier, bref(e.ref));
        case "sem_post": return cEvent(Op.SemPost, semref(e.ref));
        case "sem_wait": return cEvent(Op.SemWait, semref(e.ref));
      }
    };
    const phases = spec.phases.map((p) => ({ loop: p.loop, events: p.events.map(ev), set: p.set ?? null }));
    if (compiled.size < MAX_SHARED_PROGRAMS) compiled.set(key, { phases, nTimers: timers.length });
    return { spec, phases, nTimers: timers.length, groupIdx: groupOf(spec.name) };
  });
  const barriers = barrierNames.map((name) => ({ name, need: plan.barriers[name] ?? 1 }));
  return { specs, groups, suspendRefs, mutexes, condvars, barriers, semaphores, sharedTimers: shared.length };
}

/**
 * Every compiled event is built by this one literal: one shape for all (object spreads gave
 * each event a map of its own, ~0.5 KB apiece in a workload of a million task names).
 */
function cEvent(op: Op, ref = 0, ref2 = 0, periodNs = 0, absolute = false, constNs = -1, dist: DurationSpec | null = null): CEvent {
  return { op, constNs, dist, ref, ref2, periodNs, absolute };
}

/** An event that takes a duration: constant (ns) or drawn from `d`. */
function timed(op: Op, d: DurationSpec): CEvent {
  return typeof d === "number" ? cEvent(op, 0, 0, 0, false, Math.round(d * 1000), null) : cEvent(op, 0, 0, 0, false, -1, d);
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
  /** A phase with settings starts: rt-app changes the thread's attributes (sched_change.ts). */
  applyPhase(t: Task, set: PhaseSettings): void;
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
      if (phases[0].set !== null) h.applyPhase(t, phases[0].set);
    }
    const ph = phases[t.phase];
    if (t.event >= ph.events.length) {
      t.event = 0;
      if (++t.phaseIter >= ph.loop && ph.loop > 0) {
        t.phase++;
        t.phaseIter = 0;
        if (t.phase < phases.length && phases[t.phase].set !== null) h.applyPhase(t, phases[t.phase].set!);
      }
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
