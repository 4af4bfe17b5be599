/**
 * The grammar's working state and small typed readers. Every reader either returns a checked
 * value or throws a WorkloadError naming the path, what was expected and what was found.
 */
import { WorkloadError, renderGot } from "./errors.js";
import { isObject, joinPath, originalKey, type JObject, type JValue } from "./json.js";

export interface Ctx {
  readonly file: string;
  readonly warnings: string[];
}

export function fail(ctx: Ctx, path: string, expected: string, got: unknown): never {
  throw new WorkloadError({ file: ctx.file, path, expected, got: renderGot(got) });
}

export function warn(ctx: Ctx, path: string, message: string): void {
  ctx.warnings.push(`${ctx.file}: ${path === "" ? "" : `${path}: `}${message}`);
}

export { joinPath as at };

/** Largest duration we accept, in µs (~11.6 days): keeps integer ns exact in a double. */
export const MAX_US = 1e12;

export function object(ctx: Ctx, v: JValue | undefined, path: string, what = "an object"): JObject {
  if (!isObject(v)) return fail(ctx, path, what, v);
  return v;
}

export function string(ctx: Ctx, v: JValue | undefined, path: string, what = "a string"): string {
  if (typeof v !== "string") return fail(ctx, path, what, v);
  return v;
}

export function name(ctx: Ctx, v: JValue | undefined, path: string, what: string): string {
  if (typeof v !== "string" || v === "") return fail(ctx, path, what, v);
  return v;
}

export function boolean(ctx: Ctx, v: JValue | undefined, path: string): boolean {
  if (typeof v !== "boolean") return fail(ctx, path, "true or false", v);
  return v;
}

export interface NumRule {
  readonly min?: number;
  readonly max?: number;
  /** min is exclusive (a strict >). */
  readonly above?: number;
  readonly integer?: boolean;
}

/** A finite number within the rule, else an error with `what` as the expectation. */
export function number(ctx: Ctx, v: JValue | undefined, path: string, what: string, rule: NumRule): number {
  const ok =
    typeof v === "number" && Number.isFinite(v) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.above === undefined || v > rule.above) &&
    (rule.max === undefined || v <= rule.max) &&
    (!rule.integer || Number.isInteger(v));
  if (!ok) return fail(ctx, path, what, v);
  return v === 0 ? 0 : v; // -0 prints as 0 and compares as 0: normalise it
}

/** Microseconds ≥ 0 (delay, expected_run, dl-*). */
export function micros(ctx: Ctx, v: JValue | undefined, path: string): number {
  if (typeof v === "number" && Number.isFinite(v) && v > MAX_US) return fail(ctx, path, `microseconds ≤ ${MAX_US}`, v);
  return number(ctx, v, path, "microseconds ≥ 0", { min: 0 });
}

/** Warn about keys not in `known`, pointing at repeated keys as such. */
export function warnUnknown(ctx: Ctx, obj: JObject, path: string, known: ReadonlySet<string>): void {
  for (const key of obj.keys()) {
    if (known.has(key)) continue;
    warnKey(ctx, obj, key, path);
  }
}

export function warnKey(ctx: Ctx, obj: JObject, key: string, path: string): void {
  const orig = originalKey(obj, key);
  if (orig !== undefined) warn(ctx, joinPath(path, key), `repeated key "${orig}" ignored (renamed ${key})`);
  else warn(ctx, joinPath(path, key), "unknown key ignored");
}
