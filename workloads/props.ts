/**
 * Scheduling properties, which rt-app allows on a task and on each phase: policy, priority
 * (nice), cpus, taskgroup and the SCHED_DEADLINE parameters. Here each is checked on its own;
 * sched.ts merges task and phase values into the one set the plan holds per task.
 */
import { at, fail, name, number, object, warn, warnUnknown, type Ctx } from "./ctx.js";
import type { JObject, JValue } from "./json.js";

export const RAW_POLICIES = [
  "SCHED_OTHER", "SCHED_BATCH", "SCHED_IDLE", "SCHED_EXT", "SCHED_FIFO", "SCHED_RR", "SCHED_DEADLINE",
] as const;
export type RawPolicy = (typeof RAW_POLICIES)[number];

export interface Taskgroup {
  /** null for the root group ("" or "/"). */
  readonly path: string | null;
  /** cpu.weight when the object form gives one. */
  readonly weight: number | null;
}

/** A property value and where it was written (errors found when merging point there). */
export interface Prop<T> {
  readonly value: T;
  readonly path: string;
}

export interface Props {
  policy?: Prop<RawPolicy>;
  priority?: Prop<number>;
  nice?: Prop<number>;
  cpus?: Prop<readonly number[]>;
  taskgroup?: Prop<Taskgroup>;
  "dl-runtime"?: Prop<number>;
  "dl-period"?: Prop<number>;
  "dl-deadline"?: Prop<number>;
}

const IGNORED = ["util_min", "util_max", "membind_nodes", "nodes_membind"];
const DL_KEYS = ["dl-runtime", "dl-period", "dl-deadline"] as const;

/** Keys handled here, at task and phase level. */
export const PROP_KEYS: ReadonlySet<string> = new Set([
  "policy", "priority", "nice", "cpus", "taskgroup", ...DL_KEYS, ...IGNORED,
]);

/** Largest CPU number we accept; the topology decides which ones exist. */
export const MAX_CPU = 4095;

export function parseProps(ctx: Ctx, obj: JObject, path: string): Props {
  const props: Props = {};
  const get = (key: string) => ({ v: obj.get(key), p: at(path, key) });
  if (obj.has("policy")) {
    const { v, p } = get("policy");
    props.policy = { value: parsePolicy(ctx, v, p), path: p };
  }
  if (obj.has("priority")) {
    const { v, p } = get("priority");
    const what = "an integer priority (nice -20..19, or 1..99 for SCHED_FIFO/SCHED_RR)";
    props.priority = { value: number(ctx, v, p, what, { min: -20, max: 99, integer: true }), path: p };
  }
  if (obj.has("nice")) {
    const { v, p } = get("nice");
    props.nice = { value: parseNice(ctx, v, p), path: p };
  }
  if (obj.has("cpus")) {
    const { v, p } = get("cpus");
    props.cpus = { value: parseCpus(ctx, v, p), path: p };
  }
  if (obj.has("taskgroup")) {
    const { v, p } = get("taskgroup");
    props.taskgroup = { value: parseTaskgroup(ctx, v, p), path: p };
  }
  for (const key of DL_KEYS) {
    if (!obj.has(key)) continue;
    const { v, p } = get(key);
    props[key] = { value: number(ctx, v, p, "microseconds ≥ 0", { min: 0, max: 1e12 }), path: p };
  }
  for (const key of IGNORED) {
    if (obj.has(key)) warn(ctx, at(path, key), "not modelled; ignored");
  }
  return props;
}

export function parsePolicy(ctx: Ctx, v: JValue | undefined, path: string): RawPolicy {
  if (typeof v !== "string" || !(RAW_POLICIES as readonly string[]).includes(v)) {
    return fail(ctx, path, `one of ${RAW_POLICIES.join(", ")}`, v);
  }
  return v as RawPolicy;
}

export function parseNice(ctx: Ctx, v: JValue | undefined, path: string): number {
  return number(ctx, v, path, "a nice value, an integer from -20 to 19", { min: -20, max: 19, integer: true });
}

function parseCpus(ctx: Ctx, v: JValue | undefined, path: string): number[] {
  if (!Array.isArray(v) || v.length === 0) return fail(ctx, path, "a non-empty array of CPU numbers", v);
  const cpus = v.map((c, i) =>
    number(ctx, c, at(path, i), `a CPU number, an integer from 0 to ${MAX_CPU}`, { min: 0, max: MAX_CPU, integer: true }));
  return [...new Set(cpus)].sort((a, b) => a - b); // a mask: order and repeats carry no meaning
}

function parseTaskgroup(ctx: Ctx, v: JValue | undefined, path: string): Taskgroup {
  if (typeof v === "string") return { path: cgroupPath(ctx, v, path), weight: null };
  const obj = object(ctx, v, path, 'a cgroup path, or an object {"path", "cpu.weight"}');
  warnUnknown(ctx, obj, path, new Set(["path", "cpu.weight", "cpu.max"]));
  if (obj.has("cpu.max")) warn(ctx, at(path, "cpu.max"), "bandwidth limits are not modelled; ignored");
  const p = cgroupPath(ctx, name(ctx, obj.get("path"), at(path, "path"), 'a cgroup path starting with "/"'), at(path, "path"));
  const w = obj.get("cpu.weight");
  const weight = w === undefined ? null
    : number(ctx, w, at(path, "cpu.weight"), "an integer cpu.weight from 1 to 10000", { min: 1, max: 10000, integer: true });
  return { path: p, weight };
}

/** "" and "/" are the root (null); otherwise "/a/b" with no empty segment. */
function cgroupPath(ctx: Ctx, s: string, path: string): string | null {
  if (s === "" || s === "/") return null;
  if (!/^(\/[^/]+)+$/.test(s)) return fail(ctx, path, 'a cgroup path such as "/app/web"', s);
  return s;
}
