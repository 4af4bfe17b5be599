/**
 * Scheduler options: declared once per policy with types, defaults and a one-line meaning, and
 * resolved from `-o key=value` strings (or plain values from scripts) with precise errors.
 */
import { InputError } from "../sim/errors.js";

export type OptionSpec =
  | { readonly type: "boolean"; readonly default: boolean; readonly doc: string }
  | { readonly type: "number"; readonly default: number; readonly doc: string; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  | { readonly type: "string"; readonly default: string; readonly doc: string; readonly choices?: readonly string[] };

export type OptionSchema = Readonly<Record<string, OptionSpec>>;

/** The filled option values of a schema. */
export type OptionValues<S extends OptionSchema> = {
  readonly [K in keyof S]: S[K] extends { type: "boolean" } ? boolean : S[K] extends { type: "number" } ? number : string;
};

export type RawOptions = Readonly<Record<string, string | number | boolean>>;

/** A bad scheduler option: the message is one line naming the scheduler, key, expectation. */
export class OptionError extends InputError {}

export function defineOptions<S extends OptionSchema>(s: S): S {
  return s;
}

/** Applies defaults and validates; unknown keys are errors. */
export function resolveOptions<S extends OptionSchema>(scheduler: string, schema: S, raw: RawOptions): OptionValues<S> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in schema)) {
      const known = Object.keys(schema);
      throw new OptionError(`scheduler ${scheduler}: unknown option "${key}" (options: ${known.length ? known.join(", ") : "none"})`);
    }
  }
  for (const [key, spec] of Object.entries(schema)) {
    const v = raw[key];
    out[key] = v === undefined ? spec.default : coerce(scheduler, key, spec, v);
  }
  return out as OptionValues<S>;
}

function coerce(scheduler: string, key: string, spec: OptionSpec, v: string | number | boolean): string | number | boolean {
  const bad = (expected: string) => new OptionError(`scheduler ${scheduler}: option ${key}: expected ${expected}, got ${JSON.stringify(v)}`);
  switch (spec.type) {
    case "boolean": {
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "1" || v === "") return true;
      if (v === "false" || v === "0") return false;
      throw bad("true or false");
    }
    case "number": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      const range = `${spec.min !== undefined ? ` ≥ ${spec.min}` : ""}${spec.max !== undefined ? ` ≤ ${spec.max}` : ""}`;
      const what = `${spec.integer ? "an integer" : "a number"}${range}`;
      if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n))) throw bad(what);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) throw bad(what);
      return n;
    }
    case "string": {
      const s = String(v);
      if (spec.choices && !spec.choices.includes(s)) throw bad(`one of ${spec.choices.join(", ")}`);
      return s;
    }
  }
}
