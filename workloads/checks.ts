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
  const forkers = new Map<string, TaskDraft[]>(); // target → forking tasks, once per fork event
  const targets = new Map<string, string[]>(); // forker → targets
  for (const t of drafts) {
    for (const f of eventsOf(t, "fork")) {
      const target = byName.get(f.event.task);
      if (!target) fail(ctx, f.path, "the name of a task in this file", f.event.task);
      if (target.arrivals) fail(ctx, f.path, "a task without arrivals (open-loop tasks start on their own)", f.event.task);
      push(forkers, target.name, t);
      push(targets, t.name, target.name);
    }
  }
  // rt-app: "instance" defaults to 1 for every task, a fork target too (it then starts at time 0
  // and again at each fork); only "instance": 0 (or our fork_only) means "started only by fork"
  const forkOnly = new Map(drafts.map((t) => [t.name, t.forkOnly === true || t.instance?.value === 0]));
  const instances = new Map(drafts.map((t) => [t.name,
    forkOnly.get(t.name) || t.arrivals ? 0 : t.instance?.value ?? 1]));

  const reachable = new Set(drafts.filter((t) => !forkOnly.get(t.name)).map((t) => t.name));
  for (const queue = [...reachable]; queue.length > 0;) {
    for (const target of targets.get(queue.pop()!) ?? []) {
      if (!reachable.has(target)) { reachable.add(target); queue.push(target); }
    }
  }
  for (const t of drafts) {
    if (!reachable.has(t.name)) warn(ctx, t.path, "fork-only and never forked by a task that runs; it never runs");
  }
  const live = drafts.filter((t) => reachable.has(t.name));
  // A task can end its own wait only if another copy of it may exist at the same time.
  const several = (t: TaskDraft) => (instances.get(t.name) ?? 0) > 1 || t.arrivals !== null || forkers.has(t.name);
  const resumers = indexBy(live, ["resume"]);
  const posters = indexBy(live, ["sem_post"]);
  const signallers = indexBy(live, ["signal", "broad"]);
  const woken = (index: Map<string, Set<TaskDraft>>, ref: string, self: TaskDraft) => {
    const by = index.get(ref);
    return by !== undefined && by.size > (by.has(self) && !several(self) ? 1 : 0);
  };

  // Files written for rt-app before 2025 name shared suspend points ("suspend": "Browser"), which
  // rt-app now ignores: such a file still runs there, its resumes waking nobody and its suspends
  // blocking for good. So these are warnings, not errors (a run until the tasks end stops when
  // every live task is blocked for good).
  const names = new Set(drafts.map((t) => t.name));
  const warned = new Set<string>();
  for (const t of drafts) {
    for (const r of eventsOf(t, "resume")) {
      if (names.has(r.event.ref) || warned.has(r.event.ref)) continue;
      warned.add(r.event.ref);
      warn(ctx, r.path, `no task is named "${r.event.ref}", so this resume wakes nobody (a task suspends on its own name, as in rt-app since 2025)`);
    }
  }
  for (const t of live) {
    const s = eventsOf(t, "suspend")[0];
    if (s && !woken(resumers, s.event.ref, t)) {
      warn(ctx, s.path, `no other running task resumes "${s.event.ref}": the task blocks here for good, as rt-app's thread would`);
    }
    for (const w of eventsOf(t, "sem_wait")) {
      // a semaphore remembers posts, so the waiting task may post it itself
      if (!posters.has(w.event.ref)) fail(ctx, w.path, "a semaphore that a running task posts (sem_post)", w.event.ref);
    }
    for (const w of eventsOf(t, "wait")) {
      if (!woken(signallers, w.event.ref, t)) {
        fail(ctx, at(w.path, "ref"), "a condvar that another running task signals or broadcasts", w.event.ref);
      }
    }
  }
  const barriers = countBarriers(ctx, drafts, reachable, forkOnly, instances, forkers);
  return { forkOnly, instances, barriers };
}

function push<V>(m: Map<string, V[]>, key: string, v: V): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/** ref → tasks that have an event of one of `kinds` on it. */
function indexBy(tasks: readonly TaskDraft[], kinds: readonly Kind[]): Map<string, Set<TaskDraft>> {
  const index = new Map<string, Set<TaskDraft>>();
  for (const t of tasks) {
    for (const l of t.phases.flatMap((p) => p.events)) {
      if (!kinds.includes(l.event.kind) || !("ref" in l.event)) continue;
      const set = index.get(l.event.ref) ?? new Set<TaskDraft>();
      set.add(t);
      index.set(l.event.ref, set);
    }
  }
  return index;
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
    for (const [ref, use] of barrierUses(t)) {
      let n: number;
      if (t.arrivals) {
        return fail(ctx, use.path, "a barrier in a task with a fixed number of instances (arrivals have none)", ref);
      } else if (!forkOnly.get(t.name)) {
        n = instances.get(t.name)!;
        const m = passes.get(ref) ?? new Map<string, number>();
        m.set(t.name, use.passes);
        passes.set(ref, m);
      } else if (!reachable.has(t.name)) {
        return fail(ctx, use.path, `a barrier in a task that runs (${t.name} is fork-only and never forked)`, ref);
      } else {
        const fs = forkers.get(t.name)!;
        const bad = fs.find((f) => forkOnly.get(f.name) || f.arrivals);
        if (bad) fail(ctx, use.path, `a barrier in a task forked only by tasks started at time 0 (${bad.name} is not)`, ref);
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

/** Each barrier a task uses: where it first appears and how often one instance passes it. */
function barrierUses(t: TaskDraft): Map<string, { path: string; passes: number }> {
  const uses = new Map<string, { path: string; passes: number }>();
  for (const p of t.phases) {
    const inPhase = new Map<string, number>();
    for (const l of p.events) {
      if (l.event.kind !== "barrier") continue;
      const ref = l.event.ref;
      inPhase.set(ref, (inPhase.get(ref) ?? 0) + 1);
      if (!uses.has(ref)) uses.set(ref, { path: l.path, passes: 0 });
    }
    for (const [ref, k] of inPhase) uses.get(ref)!.passes += p.loop === -1 ? Infinity : k * p.loop;
  }
  if (t.loop === -1) for (const u of uses.values()) u.passes = Infinity;
  else for (const u of uses.values()) u.passes *= t.loop;
  return uses;
}
