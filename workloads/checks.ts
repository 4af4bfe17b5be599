/**
 * Whole-workload checks: what can only be judged with every task in view. Who starts (time 0,
 * arrivals, or fork), whether every wait has someone to end it, and how many task instances
 * meet at each barrier. A workload that could never make progress is an error here, at parse
 * time, instead of a silent hang in the middle of a sweep.
 */
import type { EventSpec } from "../sim/plan.js";
import { at, fail, warn, type Ctx } from "./ctx.js";
import type { Located } from "./events.js";
import type { TaskDraft } from "./tasks.js";

export interface Resolved {
  readonly forkOnly: ReadonlyMap<string, boolean>;
  readonly instances: ReadonlyMap<string, number>;
  readonly barriers: Readonly<Record<string, number>>;
}

type Kind = EventSpec["kind"];
type Of<K extends Kind> = Located & { readonly event: EventSpec & { kind: K } };

export function eventsOf<K extends Kind>(t: TaskDraft, kind: K): Of<K>[] {
  return t.phases.flatMap((p) => p.events).filter((l): l is Of<K> => l.event.kind === kind);
}

export function resolveTasks(ctx: Ctx, drafts: readonly TaskDraft[]): Resolved {
  const byName = new Map(drafts.map((t) => [t.name, t]));
  const forkers = new Map<string, TaskDraft[]>(); // target → tasks that fork it (once per event)
  for (const t of drafts) {
    for (const f of eventsOf(t, "fork")) {
      const target = byName.get(f.event.task);
      if (!target) fail(ctx, f.path, "the name of a task in this file", f.event.task);
      if (target.arrivals) fail(ctx, f.path, "a task without arrivals (open-loop tasks start on their own)", f.event.task);
      forkers.set(target.name, [...(forkers.get(target.name) ?? []), t]);
    }
  }
  // rt-app: a fork target is usually declared with "instance": 0; we also accept it bare
  const forkOnly = new Map(drafts.map((t) => [t.name,
    t.forkOnly === true || t.instance?.value === 0 ||
    (forkers.has(t.name) && t.instance === null && t.forkOnly === null)]));
  const instances = new Map(drafts.map((t) => [t.name,
    forkOnly.get(t.name) || t.arrivals ? 0 : t.instance?.value ?? 1]));

  const reachable = new Set(drafts.filter((t) => !forkOnly.get(t.name)).map((t) => t.name));
  for (let grew = true; grew;) {
    grew = false;
    for (const [target, fs] of forkers) {
      if (!reachable.has(target) && fs.some((f) => reachable.has(f.name))) { reachable.add(target); grew = true; }
    }
  }
  for (const t of drafts) {
    if (!reachable.has(t.name)) warn(ctx, t.path, "fork-only and never forked by a task that runs; it never runs");
  }
  // A task can end its own wait only if another copy of it may exist at the same time.
  const several = (t: TaskDraft) => (instances.get(t.name) ?? 0) > 1 || t.arrivals !== null || forkers.has(t.name);
  const live = drafts.filter((t) => reachable.has(t.name));
  const wakers = (kinds: readonly Kind[], ref: string, self: TaskDraft) =>
    live.some((u) => (u !== self || several(self)) &&
      kinds.some((k) => eventsOf(u, k).some((l) => "ref" in l.event && l.event.ref === ref)));

  checkSuspendResume(ctx, drafts, live, wakers);
  for (const t of live) {
    for (const w of eventsOf(t, "wait")) {
      if (!wakers(["signal", "broad"], w.event.ref, t)) {
        fail(ctx, at(w.path, "ref"), "a condvar that another running task signals or broadcasts", w.event.ref);
      }
    }
  }
  const barriers = countBarriers(ctx, drafts, reachable, forkOnly, instances, forkers);
  return { forkOnly, instances, barriers };
}

function checkSuspendResume(ctx: Ctx, drafts: readonly TaskDraft[], live: readonly TaskDraft[],
                            wakers: (kinds: readonly Kind[], ref: string, self: TaskDraft) => boolean): void {
  const names = new Set(drafts.map((t) => t.name));
  const points = new Set(drafts.flatMap((t) => eventsOf(t, "suspend").map((l) => l.event.ref)));
  for (const t of drafts) {
    for (const r of eventsOf(t, "resume")) {
      if (!names.has(r.event.ref) && !points.has(r.event.ref)) {
        fail(ctx, r.path, "the name of a task or of a suspend point", r.event.ref);
      }
    }
  }
  for (const t of live) {
    for (const s of eventsOf(t, "suspend")) {
      if (!wakers(["resume"], s.event.ref, t)) fail(ctx, s.path, "a name that another running task resumes", s.event.ref);
    }
  }
}

/**
 * Participants = instances of the tasks started at time 0 that use the barrier, plus, for a
 * fork-only user, one per fork event naming it in such a task (a fork inside a loop is taken to
 * re-create the same generation each time round, which is how fork-join is written).
 */
function countBarriers(ctx: Ctx, drafts: readonly TaskDraft[], reachable: ReadonlySet<string>,
                       forkOnly: ReadonlyMap<string, boolean>, instances: ReadonlyMap<string, number>,
                       forkers: ReadonlyMap<string, TaskDraft[]>): Record<string, number> {
  const count = new Map<string, number>();
  const passes = new Map<string, Map<string, number>>(); // barrier → started task → passes per instance
  for (const t of drafts) {
    const uses = eventsOf(t, "barrier");
    const refs = [...new Set(uses.map((l) => l.event.ref))];
    for (const ref of refs) {
      const first = uses.find((l) => l.event.ref === ref)!;
      let n: number;
      if (t.arrivals) {
        return fail(ctx, first.path, "a barrier in a task with a fixed number of instances (arrivals have none)", ref);
      } else if (!forkOnly.get(t.name)) {
        n = instances.get(t.name)!;
        const m = passes.get(ref) ?? new Map<string, number>();
        m.set(t.name, passesPerInstance(t, ref));
        passes.set(ref, m);
      } else if (!reachable.has(t.name)) {
        return fail(ctx, first.path, `a barrier in a task that runs (${t.name} is fork-only and never forked)`, ref);
      } else {
        const fs = forkers.get(t.name)!;
        const bad = fs.find((f) => forkOnly.get(f.name) || f.arrivals);
        if (bad) fail(ctx, first.path, `a barrier in a task forked only by tasks started at time 0 (${bad.name} is not)`, ref);
        n = fs.reduce((sum, f) => sum + instances.get(f.name)!, 0);
      }
      count.set(ref, (count.get(ref) ?? 0) + n);
    }
  }
  for (const [ref, n] of count) {
    if (n === 1) warn(ctx, "tasks", `barrier "${ref}" has a single participant; it never waits`);
    const m = passes.get(ref);
    if (m && new Set(m.values()).size > 1) {
      const list = [...m].map(([name, k]) => `${name} ${k === Infinity ? "forever" : k}`).join(", ");
      warn(ctx, "tasks", `barrier "${ref}" is passed a different number of times by its tasks (${list}); ` +
        "the last passes of the more frequent ones will block");
    }
  }
  return Object.fromEntries(count);
}

function passesPerInstance(t: TaskDraft, ref: string): number {
  let perLoop = 0;
  for (const p of t.phases) {
    const uses = p.events.filter((l) => l.event.kind === "barrier" && l.event.ref === ref).length;
    if (uses > 0) perLoop += p.loop === -1 ? Infinity : uses * p.loop;
  }
  return t.loop === -1 ? Infinity : perLoop * t.loop;
}
