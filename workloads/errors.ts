/**
 * Bad workload input, as a value with context. The CLI prints `message` (always one line) and
 * exits with code 2; tests match the fields. Engine bugs are never WorkloadErrors.
 */
import { InputError, type InputErrorInfo } from "../sim/errors.js";

/** Where bad workload input was found: the common input-error shape. */
export type WorkloadErrorInfo = InputErrorInfo;

/** Bad workload input (a file, a built-in's parameters, a trace). */
export class WorkloadError extends InputError {}

/** Longest rendering of a found value; longer ones end with "…". */
export const GOT_MAX = 40;

/**
 * A found value as compact JSON, cut to GOT_MAX characters. Handles what JSON.stringify cannot
 * (undefined, NaN, cycles, bigint, our Map-based objects) and stops early on huge values, so
 * rendering an error never costs more than the error is worth.
 */
export function renderGot(value: unknown): string {
  if (value === undefined) return "nothing";
  const out: string[] = [];
  let length = 0;
  const seen = new Set<object>();
  const emit = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length <= GOT_MAX;
  };
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v === "boolean") return emit(String(v));
    if (typeof v === "number") return emit(Number.isFinite(v) ? JSON.stringify(v) : String(v));
    if (typeof v === "string") return emit(JSON.stringify(v));
    if (typeof v === "bigint") return emit(`${v}n`);
    if (v === undefined) return emit("undefined");
    if (typeof v !== "object") return emit(`a ${typeof v}`);
    if (seen.has(v)) return emit("[circular]");
    seen.add(v);
    const ok = Array.isArray(v) ? walkList(v) : walkEntries(entriesOf(v));
    seen.delete(v);
    return ok;
  };
  const walkList = (items: readonly unknown[]): boolean => {
    if (!emit("[")) return false;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && !emit(",")) return false;
      if (!walk(items[i])) return false;
    }
    return emit("]");
  };
  const walkEntries = (entries: Iterable<[string, unknown]>): boolean => {
    if (!emit("{")) return false;
    let first = true;
    for (const [k, item] of entries) {
      if (!first && !emit(",")) return false;
      first = false;
      if (!emit(`${JSON.stringify(k)}:`) || !walk(item)) return false;
    }
    return emit("}");
  };
  walk(value);
  const text = oneLine(out.join(""));
  return text.length <= GOT_MAX ? text : `${text.slice(0, GOT_MAX - 1)}…`;
}

function entriesOf(v: object): Iterable<[string, unknown]> {
  // String() throws on some keys (null-prototype objects); only a key's kind matters here
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [typeof k === "string" ? k : `[${typeof k}]`, x] as [string, unknown]);
  return Object.entries(v);
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, " ");
}
