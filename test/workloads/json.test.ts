import { describe, expect, it } from "vitest";
import { MAX_DEPTH, joinPath, originalKey, parseJsonText, type JObject } from "../../workloads/json.js";
import { fromPlain } from "../../workloads/plain.js";
import { errorOf, expectMessage } from "./helpers.js";

const parse = (s: string) => parseJsonText(s, "f.json");
const plainOf = (v: unknown): unknown =>
  v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [k, plainOf(x)])) : Array.isArray(v) ? v.map(plainOf) : v;

describe("lenient JSON text", () => {
  it("reads plain JSON like JSON.parse", () => {
    const s = '{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\/"], "b": {}}';
    expect(plainOf(parse(s))).toEqual(JSON.parse(s));
  });

  it("skips /* */ and // comments and allows trailing commas, as rt-app files use them", () => {
    const v = parse('/* head */ {\n "a": 1, // one\n "b": [1, 2,], /* mid */ }\n// tail');
    expect(plainOf(v)).toEqual({ a: 1, b: [1, 2] });
  });

  it("renames repeated keys the way workgen does and remembers the original", () => {
    const v = parse('{"run": 1, "sleep": 2, "run": 3, "run": 4, "run1x": 0}') as JObject;
    expect([...v.keys()]).toEqual(["run", "sleep", "run1", "run2", "run1x"]);
    expect([...v.values()]).toEqual([1, 2, 3, 4, 0]);
    expect(originalKey(v, "run2")).toBe("run");
    expect(originalKey(v, "run")).toBeUndefined();
  });

  it("skips a renamed key already taken", () => {
    const v = parse('{"run": 1, "run1": 2, "run": 3}') as JObject;
    expect([...v.keys()]).toEqual(["run", "run1", "run2"]);
  });

  it("keeps key order even for integer-like keys", () => {
    const v = parse('{"2": "b", "1": "a", "x": 0}') as JObject;
    expect([...v.keys()]).toEqual(["2", "1", "x"]);
  });

  it("ignores a byte-order mark", () => {
    expect(parse("\ufeff[1]")).toEqual([1]);
  });

  it("reports syntax errors with line:column, expected and got", () => {
    expectMessage(() => parse('{\n  "a": 1\n  "b": 2\n}'), 'f.json:3:3: expected "," or "}", got "\\""');
    expectMessage(() => parse("[1, 2"), 'f.json:1:6: expected "," or "]", got end of input');
    expectMessage(() => parse("{'a': 1}"), "f.json:1:2: expected a string key or \"}\", got \"'\"");
    expectMessage(() => parse('{"a" 1}'), 'f.json:1:6: expected ":" after the key, got "1"');
    expectMessage(() => parse(""), "f.json:1:1: expected a JSON value, got end of input");
    expectMessage(() => parse("[1] x"), 'f.json:1:5: expected end of input, got "x"');
    expectMessage(() => parse('"abc'), 'f.json:1:5: expected a closing ", got end of input');
    expectMessage(() => parse('"a\\q"'), 'f.json:1:4: expected a valid escape such as \\n or \\u00e9, got "q"');
    expectMessage(() => parse("/* open"), "f.json:1:8: expected the end of a /* comment */, got end of input");
    expectMessage(() => parse("[tru]"), 'f.json:1:2: expected a JSON value, got "t"');
    expectMessage(() => parse("-x"), 'f.json:1:1: expected a number, got "-"');
  });

  it(`limits nesting to ${MAX_DEPTH} levels instead of overflowing the stack`, () => {
    const e = errorOf(() => parse("[".repeat(100_000)));
    expect(e.message).toBe(`f.json:1:${MAX_DEPTH + 2}: expected nesting at most ${MAX_DEPTH} deep, got "["`);
  });
});

describe("plain JS values", () => {
  it("become the same Map form, undefined properties dropped", () => {
    const v = fromPlain({ a: [1, { b: "x" }], c: undefined }, "f");
    expect(plainOf(v)).toEqual({ a: [1, { b: "x" }] });
  });

  it("reject what JSON cannot hold, with the path", () => {
    expectMessage(() => fromPlain({ a: { b: () => 1 } }, "f"), "f: a.b: expected JSON data, got a function");
    expectMessage(() => fromPlain({ a: [1, 2n] }, "f"), "f: a[1]: expected JSON data, got 2n");
    expectMessage(() => fromPlain({ d: new Date(0) }, "f"), 'f: d: expected a plain object, got {}');
    const cyc: Record<string, unknown> = {};
    cyc.me = cyc;
    expectMessage(() => fromPlain(cyc, "f"), 'f: me: expected JSON data without cycles, got {"me":[circular]}');
  });

  it("allow the same object twice when it is not a cycle", () => {
    const shared = { dist: "exp", mean: 5 };
    expect(plainOf(fromPlain({ a: shared, b: shared }, "f"))).toEqual({ a: shared, b: shared });
  });
});

describe("paths", () => {
  it("are dotted for plain keys, bracketed otherwise", () => {
    expect(joinPath("", "tasks")).toBe("tasks");
    expect(joinPath("tasks", "Binder-display")).toBe("tasks.Binder-display");
    expect(joinPath("tasks.t", "cpu.weight")).toBe('tasks.t["cpu.weight"]');
    expect(joinPath("tasks", "")).toBe('tasks[""]');
    expect(joinPath("cpus", 2)).toBe("cpus[2]");
  });
});
