/**
 * JSON as rt-app files are actually written: comments, trailing commas and repeated keys
 * ("run" twice in one phase). Objects become Maps so that key order survives even for keys
 * like "0" that plain JS objects would move to the front. A repeated key is renamed the way
 * rt-app's workgen does it (run, run1, run2 ...), and the rename is remembered so the grammar
 * can tell an intended event repeat from an accidental duplicate property.
 */
import { WorkloadError, renderGot } from "./errors.js";

export type JValue = null | boolean | number | string | JValue[] | JObject;
export type JObject = Map<string, JValue>;

/** Deeper nesting than any workload needs; also keeps recursion far from the stack limit. */
export const MAX_DEPTH = 64;

const renames = new WeakMap<JObject, Map<string, string>>(); // renamed key → key as written
const counters = new WeakMap<JObject, Map<string, number>>(); // key → next suffix to try

/** The key as written in the file, when `key` is a rename of a repeated one. */
export function originalKey(obj: JObject, key: string): string | undefined {
  return renames.get(obj)?.get(key);
}

export function isObject(v: unknown): v is JObject {
  return v instanceof Map;
}

/** Parse workload text. Errors carry line:column of the offending character. */
export function parseJsonText(text: string, file: string): JValue {
  const p = new TextParser(text, file);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.pos < text.length) p.fail("end of input");
  return value;
}

class TextParser {
  pos = 0;
  constructor(private readonly s: string, private readonly file: string) {
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1; // a BOM is not content
  }

  fail(expected: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.s.length; i++) {
      if (this.s[i] === "\n") { line++; lineStart = i + 1; }
    }
    const got = at >= this.s.length ? "end of input" : renderGot(this.s[at]);
    throw new WorkloadError({ file: this.file, path: "", expected, got, line, column: at - lineStart + 1 });
  }

  skipSpace(): void {
    const s = this.s;
    for (;;) {
      const c = s[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") { this.pos++; continue; }
      if (c === "/" && s[this.pos + 1] === "/") {
        const end = s.indexOf("\n", this.pos);
        this.pos = end < 0 ? s.length : end + 1;
        continue;
      }
      if (c === "/" && s[this.pos + 1] === "*") {
        const end = s.indexOf("*/", this.pos + 2);
        if (end < 0) this.fail("the end of a /* comment */", s.length);
        this.pos = end + 2;
        continue;
      }
      return;
    }
  }

  value(depth: number): JValue {
    if (depth > MAX_DEPTH) this.fail(`nesting at most ${MAX_DEPTH} deep`);
    const c = this.s[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.s.startsWith(word, this.pos)) { this.pos += word.length; return v; }
    }
    return this.fail("a JSON value");
  }

  object(depth: number): JObject {
    const obj: JObject = new Map();
    this.pos++; // {
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === "}") { this.pos++; return obj; }
      if (this.s[this.pos] !== '"') this.fail(obj.size === 0 ? 'a string key or "}"' : "a string key");
      const key = this.string();
      this.skipSpace();
      if (this.s[this.pos] !== ":") this.fail('":" after the key');
      this.pos++;
      this.skipSpace();
      const v = this.value(depth + 1);
      obj.set(obj.has(key) ? rename(obj, key) : key, v);
      this.skipSpace();
      if (this.s[this.pos] === ",") { this.pos++; continue; } // a trailing comma is fine
      if (this.s[this.pos] === "}") { this.pos++; return obj; }
      this.fail('"," or "}"');
    }
  }

  array(depth: number): JValue[] {
    const arr: JValue[] = [];
    this.pos++; // [
    for (;;) {
      this.skipSpace();
      if (this.s[this.pos] === "]") { this.pos++; return arr; }
      arr.push(this.value(depth + 1));
      this.skipSpace();
      if (this.s[this.pos] === ",") { this.pos++; continue; }
      if (this.s[this.pos] === "]") { this.pos++; return arr; }
      this.fail('"," or "]"');
    }
  }

  string(): string {
    const s = this.s;
    let out = "";
    let start = this.pos + 1; // start of the current run of plain characters
    for (let i = start; i < s.length; i++) {
      const c = s[i];
      if (c === '"') { this.pos = i + 1; return out + s.slice(start, i); }
      if (c !== "\\") continue;
      out += s.slice(start, i);
      const e = s[i + 1];
      const simple = e === undefined ? undefined : ESCAPES[e];
      const hex = s.slice(i + 2, i + 6);
      if (simple !== undefined) {
        out += simple;
        i += 1;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(hex)) {
        out += String.fromCharCode(parseInt(hex, 16));
        i += 5;
      } else {
        this.fail("a valid escape such as \\n or \\u00e9", i + 1);
      }
      start = i + 1;
    }
    return this.fail('a closing "', s.length);
  }

  number(): number {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail("a number");
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * rt-app/workgen naming for a repeated key: the first free key+N, N = 1, 2, ... A counter per
 * key keeps thousands of repeats (long run/sleep sequences) linear.
 */
function rename(obj: JObject, key: string): string {
  let next = counters.get(obj);
  if (!next) { next = new Map(); counters.set(obj, next); }
  let n = next.get(key) ?? 1;
  while (obj.has(key + n)) n++;
  next.set(key, n + 1);
  const fresh = key + n;
  let m = renames.get(obj);
  if (!m) { m = new Map(); renames.set(obj, m); }
  m.set(fresh, key);
  return fresh;
}

/** `a.b`, `a["odd key"]`, `a[3]`: bare when the key is a plain word, quoted otherwise. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z0-9_-]+$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
