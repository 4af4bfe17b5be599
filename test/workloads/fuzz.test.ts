/**
 * Property tests: whatever comes in, the parser returns a plan that satisfies the invariants or
 * throws a one-line WorkloadError, never anything else, and it finishes.
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../workloads/builtin/index.js";
import { GOT_MAX, WorkloadError } from "../../workloads/errors.js";
import { parseJsonText, type JValue } from "../../workloads/json.js";
import { loadWorkload, resolveParams } from "../../workloads/load.js";
import { parseWorkload, parseWorkloadObject } from "../../workloads/parse.js";
import { checkPlan } from "./helpers.js";

/** Run `fn`; a plan must be valid, an error must be a one-line WorkloadError. */
function planOrWorkloadError(fn: () => import("../../sim/plan.js").WorkloadPlan): void {
  let plan;
  try {
    plan = fn();
    outcomes.plans++;
  } catch (e) {
    if (!(e instanceof WorkloadError)) throw e;
    outcomes.errors++;
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.got.length).toBeLessThanOrEqual(GOT_MAX);
    return;
  }
  checkPlan(plan);
}

/** Counts, so a test can check the fuzz reaches both outcomes (not only early errors). */
const outcomes = { plans: 0, errors: 0 };

const dir = new URL("./fixtures/", import.meta.url);
const texts = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => readFileSync(new URL(f, dir), "utf8"));
const toPlain = (v: JValue): unknown =>
  v instanceof Map ? Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x)])) : Array.isArray(v) ? v.map(toPlain) : v;
const bases: unknown[] = [
  ...texts.map((t) => toPlain(parseJsonText(t, "f"))),
  ...BUILTINS.map((b) => b.build(resolveParams(b, {}))),
];

const TOKENS = ['{', '}', '[', ']', '"', ':', ',', "/", "*", "\\", "1", "-", "0", ".", "e", "a", " ", "\n", "true", "null",
  '"tasks"', '"run"', '"loop"', '"phases"', '"barrier"', '"fork"', '"suspend"', "-1", "1e999"];

describe("any text", () => {
  it("arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => planOrWorkloadError(() => parseWorkload(s, "f.json"))), { numRuns: 500 });
  });

  it("strings made of JSON tokens", () => {
    const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 200 }).map((a) => a.join(""));
    fc.assert(fc.property(tokenText, (s) => planOrWorkloadError(() => parseWorkload(s, "f.json"))), { numRuns: 1000 });
  });

  it("valid JSON documents", () => {
    fc.assert(fc.property(fc.json(), (s) => planOrWorkloadError(() => parseWorkload(s, "f.json"))), { numRuns: 300 });
  });

  it("fixture texts with characters cut, inserted or replaced", () => {
    const edit = fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (i, edits) => {
      let s = texts[i]!;
      for (const [at, cut, ins] of edits) {
        const p = at % (s.length + 1);
        s = s.slice(0, p) + ins + s.slice(p + cut);
      }
      planOrWorkloadError(() => parseWorkload(s, "f.json"));
    }), { numRuns: 1000 });
  });
});

/** Every path to a value inside `v` (object keys and array indexes); cycles are not followed. */
function paths(v: unknown, prefix: (string | number)[] = [], seen = new Set<unknown>()): (string | number)[][] {
  const out = [prefix];
  if (v === null || typeof v !== "object" || seen.has(v)) return out;
  seen.add(v);
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i], seen)));
  else for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k], seen));
  return out;
}

type Mutation = { kind: "set" | "delete" | "add"; at: number; key: string; value: unknown };

function mutate(base: unknown, muts: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(base);
  for (const m of muts) {
    const all = paths(root);
    const path = all[m.at % all.length]!;
    if (path.length === 0) { if (m.kind === "set") root = m.value; continue; }
    const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root);
    const last = path[path.length - 1]!;
    if (m.kind === "set") parent[last] = m.value;
    else if (m.kind === "delete") { if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last]; }
    else if (parent !== null && typeof parent === "object" && !Array.isArray(parent)) parent[m.key] = m.value;
  }
  return root;
}

const KEYS = ["run", "run1", "sleep", "runtime", "timer", "fork", "barrier", "suspend", "resume", "lock", "unlock", "wait", "signal",
  "broad", "sync", "yield", "exit", "mem", "phases", "loop", "instance", "delay", "arrivals", "fork_only", "expected_run", "cpus",
  "priority", "nice", "policy", "taskgroup", "dl-runtime", "dl-period", "global", "duration", "dist", "mean", "of", "ref", "mutex", "period"];
const SPECIAL = [NaN, -0, Infinity, -Infinity, -1, 0, 1, 2.5, 1e300, 2 ** 53, "", "unique", "SCHED_FIFO", "SCHED_DEADLINE",
  "a", "hog", "server", "make", "cc", "/g", { dist: "exp", mean: 5 }, { ref: "m", mutex: "m" }, { ref: "x", period: 0 }, [], {}, [0, 1], null, true];
const value = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2, withBigInt: true, withNullPrototype: true, withDate: true }),
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("set", "delete", "add"),
  at: fc.nat(),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })),
  value,
});

describe("any object", () => {
  it("mutated valid workloads (fixtures and built-ins)", () => {
    outcomes.plans = outcomes.errors = 0;
    fc.assert(fc.property(fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, muts) =>
      planOrWorkloadError(() => parseWorkloadObject(mutate(bases[i], muts), "f.json"))), { numRuns: 2000 });
    // both paths exercised: many mutants still parse, many are rejected
    expect(outcomes.plans).toBeGreaterThan(200);
    expect(outcomes.errors).toBeGreaterThan(200);
  });

  it("arbitrary values", () => {
    fc.assert(fc.property(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true, withSet: true }), (v) =>
      planOrWorkloadError(() => parseWorkloadObject(v, "f.json"))), { numRuns: 300 });
  });
});

describe("any parameters", () => {
  it("built-in params as a command line could give them", () => {
    const names = BUILTINS.map((b) => b.name);
    const params = fc.dictionary(
      fc.oneof(fc.constantFrom("n", "nice", "rate", "mean_us", "loops", "fps", "helpers", "jobs", "parallel", "workers", "groups"), fc.string({ maxLength: 5 })),
      fc.oneof(fc.integer({ min: -5, max: 70 }), fc.double(), fc.boolean(), fc.string({ maxLength: 6 }), fc.constantFrom("1", "0", "1e3", "-0")),
      { maxKeys: 3 },
    );
    fc.assert(fc.property(fc.constantFrom(...names), params, (name, p) => planOrWorkloadError(() => loadWorkload(name, p))), { numRuns: 1000 });
  });
});

// No timing assertions (they flake on a loaded machine): each input is large enough that a
// quadratic pass over it would run into the test timeout below, which is the guard.
describe("large inputs stay linear", { timeout: 60_000 }, () => {

  it("20 000 repeated run/sleep keys in one phase", () => {
    const body = Array.from({ length: 10_000 }, () => '"run": 10, "sleep": 5').join(", ");
    let p: ReturnType<typeof parseWorkload> | undefined;
    p = parseWorkload(`{"tasks": {"t": {${body}}}}`, "big.json");
    expect(p!.tasks[0]!.phases[0]!.events).toHaveLength(20_000);
  });

  it("a string of 200 000 escapes", () => {
    const text = `{"tasks": {"t": {"run": 1, "note": "${"\\n".repeat(200_000)}"}}}`;
    expect(parseWorkload(text, "big.json").tasks).toHaveLength(1);
  });

  it("a chain of 5 000 forks and 5 000 suspend/resume pairs", () => {
    const tasks: Record<string, unknown> = { root: { loop: 1, run: 1, fork: "t0" } };
    for (let i = 0; i < 5000; i++) tasks[`t${i}`] = { instance: 0, loop: 1, run: 1, ...(i < 4999 ? { fork: `t${i + 1}` } : {}) };
    for (let i = 0; i < 5000; i++) {
      tasks[`s${i}`] = { suspend: "", run: 1 };
      tasks[`r${i}`] = { run: 1, resume: `s${i}`, barrier: "all" };
    }
    let p: ReturnType<typeof parseWorkloadObject> | undefined;
    p = parseWorkloadObject({ tasks }, "big.json");
    expect(p!.tasks.filter((t) => t.forkOnly)).toHaveLength(5000);
    expect(p!.barriers).toEqual({ all: 5000 });
  });
});
