/**
 * Load a workload by built-in name or file path, with parameters as they come from a command
 * line (strings) or from code (numbers, booleans). Every failure is a one-line WorkloadError.
 */
import { readInputText } from "./input_file.js";
import { InputError } from "../sim/errors.js";
import type { WorkloadPlan } from "../sim/plan.js";
import { BUILTINS, findBuiltin, type Builtin, type ParamSpec, type ParamValue } from "./builtin/index.js";
import { WorkloadError, renderGot } from "./errors.js";
import { joinPath } from "./json.js";
import { parseWorkload, parseWorkloadObject } from "./parse.js";

export function loadWorkload(nameOrFile: string, params: Readonly<Record<string, ParamValue>> = {}): WorkloadPlan {
  const builtin = findBuiltin(nameOrFile);
  if (builtin) return parseWorkloadObject(builtin.build(resolveParams(builtin, params)), builtin.name);
  const keys = Object.keys(params);
  if (keys.length > 0) {
    throw err(nameOrFile, joinPath("params", keys[0]!), "no parameters (they apply to built-in workloads only)", params[keys[0]!]);
  }
  if (!/\.json$/i.test(nameOrFile) && !/[\\/]/.test(nameOrFile)) {
    throw err(nameOrFile || "workload", "", `a built-in workload (${BUILTINS.map((b) => b.name).join(", ")}) or a .json file`, nameOrFile);
  }
  let text: string;
  try {
    text = readInputText(nameOrFile, "workload");
  } catch (e) {
    throw e instanceof InputError ? new WorkloadError(e) : e;
  }
  return parseWorkload(text, nameOrFile);
}

/** A run's parameters of workload `name` with the built-in's defaults filled in; {} for a file. */
export function filledParams(name: string, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const b = findBuiltin(name);
  return b ? resolveParams(b, given) : {};
}

/** Defaults filled in, strings converted, every value checked against its ParamSpec. */
export function resolveParams(b: Builtin, given: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(b.params)) out[key] = spec.default;
  for (const [key, raw] of Object.entries(given)) {
    const spec = Object.hasOwn(b.params, key) ? b.params[key] : undefined;
    if (!spec) throw err(b.name, joinPath("params", key), `one of ${Object.keys(b.params).join(", ")}`, key);
    out[key] = convert(b.name, key, spec, raw);
  }
  return out;
}

function convert(file: string, key: string, spec: ParamSpec, raw: ParamValue): ParamValue {
  const path = joinPath("params", key);
  if (typeof spec.default === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (raw === "true" || raw === "1" || raw === 1) return true;
    if (raw === "false" || raw === "0" || raw === 0) return false;
    throw err(file, path, "true or false", raw);
  }
  if (typeof spec.default === "string") {
    if (typeof raw === "string") return raw;
    throw err(file, path, "a string", raw);
  }
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  const ok = Number.isFinite(n) && n >= lo && n <= hi && (!spec.integer || Number.isInteger(n));
  if (!ok) throw err(file, path, `${spec.integer ? "an integer" : "a number"} ${range(lo, hi)}`, raw);
  return n;
}

function range(lo: number, hi: number): string {
  if (Number.isFinite(lo) && Number.isFinite(hi)) return `from ${lo} to ${hi}`;
  if (Number.isFinite(lo)) return `≥ ${lo}`;
  if (Number.isFinite(hi)) return `≤ ${hi}`;
  return "";
}

function err(file: string, path: string, expected: string, got: unknown): WorkloadError {
  return new WorkloadError({ file, path, expected, got: renderGot(got) });
}
