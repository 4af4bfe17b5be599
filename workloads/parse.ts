/**
 * rt-app JSON dialect → WorkloadPlan. Text or an already-built object goes in; a plan comes out,
 * or a WorkloadError with a one-line message. Nothing else is thrown, whatever the input.
 */
import { basename } from "node:path";
import type { CgroupSpec, TaskSpec, WorkloadPlan } from "../sim/plan.js";
import { fail, object, warn, warnKey, type Ctx } from "./ctx.js";
import { resolveTasks } from "./checks.js";
import { checkResources, parseGlobal } from "./global.js";
import { joinPath, originalKey, parseJsonText, type JValue } from "./json.js";
import { fromPlain } from "./plain.js";
import { checkMutexes, checkTimeAdvances } from "./liveness.js";
import { parseTask, type TaskDraft } from "./tasks.js";

/** Parse workload text (JSON with rt-app's comments, trailing commas and repeated keys). */
export function parseWorkload(text: string, file: string): WorkloadPlan {
  return planOf(parseJsonText(String(text), file), file);
}

/** Parse a workload given as a JS value (a built-in's output, or JSON.parse output). */
export function parseWorkloadObject(obj: unknown, file: string): WorkloadPlan {
  return planOf(fromPlain(obj, file), file);
}

/** The plan's name: the file name without directory and .json, or the built-in's name. */
export function workloadName(file: string): string {
  return basename(file).replace(/\.json$/i, "") || file;
}

const TOP_KEYS = new Set(["global", "tasks", "resources"]);

/**
 * A phase with "loop": -1 repeats forever. PhaseSpec.loop is a count (the kernel counts it
 * down), so forever is written as the largest exact count: no run gets anywhere near it.
 */
export const PHASE_FOREVER = Number.MAX_SAFE_INTEGER;

function planOf(root: JValue, file: string): WorkloadPlan {
  const ctx: Ctx = { file, warnings: [] };
  const top = object(ctx, root, "", 'an object with "tasks"');
  for (const key of top.keys()) if (!TOP_KEYS.has(key)) warnKey(ctx, top, key, "");
  const global = parseGlobal(ctx, top.get("global"));
  checkResources(ctx, top.get("resources"));
  const tasksObj = object(ctx, top.get("tasks"), "tasks", "an object of tasks");
  if (tasksObj.size === 0) fail(ctx, "tasks", "at least one task", tasksObj);

  const drafts: TaskDraft[] = [];
  for (const [name, v] of tasksObj) {
    const path = joinPath("tasks", name);
    if (name === "") fail(ctx, path, "a non-empty task name", name);
    const orig = originalKey(tasksObj, name);
    if (orig !== undefined) warn(ctx, path, `repeated task name "${orig}"; this one is named ${name}`);
    drafts.push(parseTask(ctx, name, v, path, global.defaultPolicy));
  }
  const resolved = resolveTasks(ctx, drafts);
  for (const t of drafts) {
    checkMutexes(ctx, t);
    checkTimeAdvances(ctx, t, resolved.barriers);
  }
  const tasks: TaskSpec[] = drafts.map((t) => ({
    name: t.name,
    instances: resolved.instances.get(t.name)!,
    delayUs: t.delayUs,
    loop: t.loop,
    phases: t.phases.map((p) => ({
      name: p.name, loop: p.loop === -1 ? PHASE_FOREVER : p.loop, events: p.events.map((l) => l.event), ...(p.set ? { set: p.set } : {}),
    })),
    nice: t.sched.nice,
    policy: t.sched.policy,
    ...(t.sched.rtPriority !== undefined ? { rtPriority: t.sched.rtPriority } : {}),
    ...(t.sched.sliceUs !== null ? { sliceUs: t.sched.sliceUs } : {}),
    cpus: t.sched.cpus,
    taskgroup: t.sched.taskgroup?.value.path ?? null,
    arrivals: t.arrivals,
    forkOnly: resolved.forkOnly.get(t.name)!,
    expectedRunUs: t.expectedRunUs,
    deadline: t.sched.deadline,
    requestOn: t.requestOn,
    ...(t.wakeSync ? { wakeSync: true } : {}),
  }));
  return {
    name: workloadName(file),
    durationS: global.durationS,
    tasks,
    cgroups: cgroupsOf(ctx, drafts),
    barriers: resolved.barriers,
    warnings: ctx.warnings,
  };
}

/** Every cgroup a task names, in first-use order; weights given twice must agree. */
function cgroupsOf(ctx: Ctx, drafts: readonly TaskDraft[]): CgroupSpec[] {
  const weights = new Map<string, number | null>();
  for (const tg of drafts.flatMap((t) => (t.sched.taskgroup ? [t.sched.taskgroup] : []).concat(t.phaseTaskgroups))) {
    if (tg.value.path === null) continue;
    const { path, weight } = tg.value;
    const known = weights.get(path);
    if (known !== undefined && known !== null && weight !== null && known !== weight) {
      fail(ctx, joinPath(tg.path, "cpu.weight"), `${known}, the cpu.weight ${path} has elsewhere`, weight);
    }
    if (known === undefined || known === null) weights.set(path, weight);
  }
  return [...weights].map(([path, weight]) => ({ path, weight: weight ?? 100 }));
}
