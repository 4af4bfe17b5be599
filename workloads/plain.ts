/**
 * Plain JS values (a built-in's output, JSON.parse output, anything a caller passes) to the
 * Map form the grammar reads. Whatever the value, the result is JSON data or a WorkloadError.
 */
import { WorkloadError, renderGot } from "./errors.js";
import { MAX_DEPTH, joinPath, type JObject, type JValue } from "./json.js";

/** Anything JSON cannot hold is rejected with its path; undefined properties are dropped, as JSON.stringify does. */
export function fromPlain(value: unknown, file: string): JValue {
  const stack = new Set<object>();
  const bad = (path: string, expected: string, v: unknown): never => {
    throw new WorkloadError({ file, path, expected, got: renderGot(v) });
  };
  const walk = (v: unknown, path: string, depth: number): JValue => {
    if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
    if (typeof v !== "object" || v === undefined) return bad(path, "JSON data", v);
    if (depth > MAX_DEPTH) return bad(path, `nesting at most ${MAX_DEPTH} deep`, v);
    if (stack.has(v)) return bad(path, "JSON data without cycles", v);
    stack.add(v);
    let out: JValue;
    if (Array.isArray(v)) {
      out = [];
      for (let i = 0; i < v.length; i++) out.push(walk(v[i], `${path}[${i}]`, depth + 1));
    } else {
      const proto = Object.getPrototypeOf(v);
      if (v instanceof Map && [...v.keys()].some((k) => typeof k !== "string")) return bad(path, "an object with string keys", v);
      const entries: [string, unknown][] | null =
        v instanceof Map ? [...v.entries()]
        : proto === Object.prototype || proto === null ? Object.entries(v) : null;
      if (entries === null) return bad(path, "a plain object", v);
      const obj: JObject = new Map();
      for (const [k, x] of entries) {
        if (x !== undefined) obj.set(k, walk(x, joinPath(path, k), depth + 1));
      }
      out = obj;
    }
    stack.delete(v);
    return out;
  };
  return walk(value, "", 0);
}
