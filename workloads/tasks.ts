/**
 * One task object: its own keys (instance, delay, loop, phases and our extensions), its phases
 * (or the events written inline when there is a single phase) and scheduling properties.
 * The result is a draft: events keep their paths for the whole-workload checks (checks.ts).
 */
import type { ArrivalSpec, PhaseSettings, RequestBlock } from "../sim/plan.js";
import { at, boolean, fail, micros, number, object, warn, warnKey, type Ctx } from "./ctx.js";
import { eventName, parseEvent, type Located } from "./events.js";
import { originalKey, type JObject, type JValue } from "./json.js";
import { PROP_KEYS, parseProps, type Prop, type Props, type RawPolicy, type Taskgroup } from "./props.js";
import { phaseSettings } from "./phase_settings.js";
import { resolveSched, type Sched } from "./sched.js";

export interface PhaseDraft {
  readonly name: string;
  readonly path: string;
  readonly loop: number;
  readonly events: readonly Located[];
  /** What the phase changes when it starts (rt-app applies phase properties per phase). */
  readonly set?: PhaseSettings;
}

export interface TaskDraft {
  readonly name: string;
  readonly path: string;
  /** `instance` as written, or null when absent (fork targets then become fork-only). */
  readonly instance: Prop<number> | null;
  readonly delayUs: number;
  readonly loop: number;
  readonly phases: readonly PhaseDraft[];
  readonly sched: Sched;
  readonly arrivals: ArrivalSpec | null;
  /** `fork_only` as written, or null. */
  readonly forkOnly: boolean | null;
  readonly expectedRunUs: number | null;
  readonly requestOn: RequestBlock | null;
  /** `wake_sync`: the task's wakeups of others stand for pipe or socket writes (SCX_WAKE_SYNC). */
  readonly wakeSync: boolean;
  /** Taskgroups the phases move the task to (their cgroups exist too). */
  readonly phaseTaskgroups: readonly Prop<Taskgroup>[];
}

const TASK_KEYS = new Set(["instance", "delay", "loop", "phases", "arrivals", "fork_only", "expected_run", "request", "wake_sync"]);
const REQUEST_BLOCKS: readonly RequestBlock[] = ["sleep", "timer", "suspend"];
export const MAX_INSTANCES = 100_000;
const LOOP = "-1 (forever) or an integer ≥ 1";

export function parseTask(ctx: Ctx, name: string, v: JValue, path: string, defaultPolicy: RawPolicy): TaskDraft {
  const obj = object(ctx, v, path, "a task object");
  const get = (key: string) => obj.get(key);
  const instance = obj.has("instance")
    ? { value: number(ctx, get("instance"), at(path, "instance"), `a whole number of instances from 0 to ${MAX_INSTANCES}`,
        { min: 0, max: MAX_INSTANCES, integer: true }), path: at(path, "instance") }
    : null;
  const delayUs = obj.has("delay") ? micros(ctx, get("delay"), at(path, "delay")) : 0;
  const loopGiven = obj.has("loop") ? parseLoop(ctx, get("loop"), at(path, "loop")) : null;
  const arrivals = obj.has("arrivals") ? parseArrivals(ctx, get("arrivals"), at(path, "arrivals")) : null;
  const forkOnly = obj.has("fork_only") ? boolean(ctx, get("fork_only"), at(path, "fork_only")) : null;
  const expectedRunUs = obj.has("expected_run") ? micros(ctx, get("expected_run"), at(path, "expected_run")) : null;
  const requestOn = obj.has("request") ? parseRequest(ctx, get("request"), at(path, "request")) : null;
  const wakeSync = obj.has("wake_sync") ? boolean(ctx, get("wake_sync"), at(path, "wake_sync")) : false;
  const taskProps = parseProps(ctx, obj, path);

  let phases: PhaseDraft[];
  const phaseProps: Props[] = [];
  if (obj.has("phases")) {
    const po = object(ctx, get("phases"), at(path, "phases"), "an object of phases");
    if (po.size === 0) fail(ctx, at(path, "phases"), "at least one phase", po);
    phases = [];
    for (const [pname, pv] of po) {
      const ppath = at(at(path, "phases"), pname);
      const pobj = object(ctx, pv, ppath, "a phase object");
      const orig = originalKey(po, pname);
      if (orig !== undefined) warn(ctx, ppath, `repeated phase name "${orig}"; this one is named ${pname}`);
      phaseProps.push(parseProps(ctx, pobj, ppath));
      const loop = pobj.has("loop") ? parseLoop(ctx, pobj.get("loop"), at(ppath, "loop")) : 1;
      phases.push({ name: pname, path: ppath, loop, events: parseEvents(ctx, pobj, ppath, name, new Set(["loop"])) });
    }
    for (const key of obj.keys()) {
      if (TASK_KEYS.has(key) || PROP_KEYS.has(key)) continue;
      if (eventName(key) !== null) warn(ctx, at(path, key), "event beside \"phases\" ignored (rt-app ignores it too)");
      else warnKey(ctx, obj, key, path);
    }
  } else {
    // Single phase written inline: rt-app's "loop" then counts whole passes, as a task loop does.
    phases = [{ name: "main", path, loop: 1, events: parseEvents(ctx, obj, path, name, TASK_KEYS) }];
  }

  let loop = loopGiven ?? -1;
  if (arrivals) {
    checkArrivals(ctx, path, instance, delayUs, loopGiven, forkOnly);
    if (requestOn !== null) fail(ctx, at(path, "request"), "nothing with arrivals (an open-loop task's request is its whole life)", requestOn);
    loop = 1;
  }
  if (forkOnly === true && instance && instance.value > 0) {
    fail(ctx, instance.path, "no instance count on a fork_only task (fork events start it)", instance.value);
  }
  if (forkOnly === false && instance && instance.value === 0) {
    fail(ctx, at(path, "fork_only"), "true or nothing with instance 0 (such a task only starts by fork)", false);
  }
  const sched = resolveSched(ctx, path, taskProps, phaseProps, defaultPolicy);
  const sets = phaseSettings(ctx, taskProps, phaseProps, defaultPolicy);
  phases = phases.map((p, i) => (sets[i] ? { ...p, set: sets[i] } : p));
  const phaseTaskgroups = phaseProps.flatMap((p) => (p.taskgroup ? [p.taskgroup] : []));
  return { name, path, instance, delayUs, loop, phases, sched, arrivals, forkOnly, expectedRunUs, requestOn, wakeSync, phaseTaskgroups };
}

function parseEvents(ctx: Ctx, obj: JObject, path: string, task: string, ownKeys: ReadonlySet<string>): Located[] {
  const events: Located[] = [];
  for (const [key, v] of obj) {
    if (ownKeys.has(key) || PROP_KEYS.has(key)) continue;
    if (TASK_KEYS.has(key)) { warn(ctx, at(path, key), "a task key, not a phase key; ignored"); continue; }
    if (eventName(key) === null) { warnKey(ctx, obj, key, path); continue; }
    events.push(...parseEvent(ctx, key, v, at(path, key), task));
  }
  if (events.length === 0) fail(ctx, path, "at least one event the simulator models (run, sleep, timer ...)", obj);
  return events;
}

function parseRequest(ctx: Ctx, v: JValue | undefined, path: string): RequestBlock {
  const found = REQUEST_BLOCKS.find((b) => b === v);
  return found ?? fail(ctx, path, '"sleep", "timer" or "suspend" (the block that ends a request)', v);
}

export function parseLoop(ctx: Ctx, v: JValue | undefined, path: string): number {
  if (v === -1) return -1;
  return number(ctx, v, path, LOOP, { min: 1, max: 1e15, integer: true });
}

function parseArrivals(ctx: Ctx, v: JValue | undefined, path: string): ArrivalSpec {
  const obj = object(ctx, v, path, 'an object {"process": "poisson"|"periodic", "rate": per second, "max"?}');
  for (const key of obj.keys()) if (!["process", "rate", "max"].includes(key)) warnKey(ctx, obj, key, path);
  const process = obj.get("process") ?? "poisson";
  if (process !== "poisson" && process !== "periodic") return fail(ctx, at(path, "process"), '"poisson" or "periodic"', process);
  const rate = number(ctx, obj.get("rate"), at(path, "rate"), "arrivals per second, > 0 and ≤ 1e7", { above: 0, max: 1e7 });
  if (!obj.has("max")) return { process, rate };
  const max = number(ctx, obj.get("max"), at(path, "max"), "an integer ≥ 1 (arrivals before stopping)", { min: 1, max: 1e15, integer: true });
  return { process, rate, max };
}

/** Each arrival starts one fresh instance that runs the phases once: other knobs would conflict. */
function checkArrivals(ctx: Ctx, path: string, instance: Prop<number> | null, delayUs: number,
                       loopGiven: number | null, forkOnly: boolean | null): void {
  if (instance && instance.value !== 1) {
    fail(ctx, instance.path, "no instance count with arrivals (each arrival starts its own instance)", instance.value);
  }
  if (delayUs !== 0) fail(ctx, at(path, "delay"), "no delay with arrivals (they start at time 0)", delayUs);
  if (loopGiven !== null && loopGiven !== 1) {
    fail(ctx, at(path, "loop"), "1 with arrivals (each arrival runs the phases once)", loopGiven);
  }
  if (forkOnly === true) fail(ctx, at(path, "fork_only"), "false with arrivals (arrivals start the task)", true);
}
