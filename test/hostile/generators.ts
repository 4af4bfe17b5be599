/**
 * fast-check generators of hostile input for the CLI (issue 19's "done when"): workload files,
 * flag lists, topology files, perf traces, merge inputs and scheduler module files. Each mixes
 * well-formed values (so that runs really happen) with the values that once broke scxlab: zero
 * and sub-nanosecond durations, floods of arrivals, endless zero-time loops, CPUs the machine
 * lacks, absurd sizes, wrong types, prototype keys. Valid runs are kept short: every simulated
 * length a generator can produce is at most 50 ms.
 */
import fc from "fast-check";

/** A JSON value of any type, shallow: what a mistyped field may hold. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, "", "x", "1", [], {}, [1], -1, 0, 1e308, -1e-300, "NaN", "__proto__"),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true }),
);

/** µs durations: mostly ordinary, sometimes zero, under a nanosecond, or a heavy-tailed distribution. */
const micros: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 20_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 0.0001, 0.0004) },
  { weight: 2, arbitrary: fc.record({ dist: fc.constant("pareto"), scale: fc.constantFrom(0.0001, 0.001, 1, 100), shape: fc.constantFrom(1.01, 1.5, 2.5) }) },
  { weight: 1, arbitrary: fc.record({ dist: fc.constant("exp"), mean: fc.constantFrom(0.001, 10, 1000) }) },
);

const syncRef = fc.constantFrom("m", "x", "y");

/** One event of a phase: [key, value]. Sync events may leave tasks blocked for good, or ping-ponging at one instant. */
const event: fc.Arbitrary<[string, unknown]> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom("run", "runtime", "sleep"), micros) },
  { weight: 1, arbitrary: fc.tuple(fc.constant("timer"), fc.record({ ref: fc.constantFrom("t", "unique"), period: micros })) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("sem_post", "sem_wait", "resume", "barrier"), syncRef) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("fork", "yield"), fc.constantFrom("a", "b")) },
);

/** A task object: a run first (so that most loops spend time), more events, task-level settings. */
const taskObject: fc.Arbitrary<Record<string, unknown>> = fc.record({
  first: micros,
  events: fc.array(event, { minLength: 0, maxLength: 4 }),
  loop: fc.constantFrom(-1, -1, 1, 3, 1e6),
  instance: fc.constantFrom(1, 1, 2, 8, 1000),
  arrivals: fc.option(fc.record({ rate: fc.constantFrom(10, 1000, 1e5, 1e7), process: fc.constantFrom("poisson", "periodic") }), { nil: undefined, freq: 4 }),
  cpus: fc.option(fc.constantFrom([0], [1, 3], [0, 1]), { nil: undefined, freq: 4 }),
  nice: fc.option(fc.constantFrom(-20, 0, 19), { nil: undefined, freq: 3 }),
}).map((t) => {
  const o: Record<string, unknown> = { run: t.first };
  if (t.arrivals !== undefined) o.arrivals = t.arrivals;
  else { o.loop = t.loop; o.instance = t.instance; }
  if (t.cpus !== undefined) o.cpus = t.cpus;
  if (t.nice !== undefined) o.nice = t.nice;
  t.events.forEach(([k, v], i) => { o[k in o ? `${k}${i}` : k] = v; });
  return o;
});

/** Replaces one node of a JSON document (found by walking `path` choices) with `value`. */
function spoil(doc: unknown, path: readonly number[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  if (copy === null || typeof copy !== "object") return value;
  let node = copy as Record<string, unknown>;
  for (let d = 0; d < path.length; d++) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const k = keys[path[d]! % keys.length]!;
    const child = node[k];
    if (d === path.length - 1 || child === null || typeof child !== "object") { node[k] = value; break; }
    node = child as Record<string, unknown>;
  }
  return copy;
}

/** Values that once broke scxlab, or are simply of the wrong kind, for `spoil`. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  junk,
  fc.constantFrom(0.0004, 1e13, 1e15, -1, 1e8, 100_001, 4097, [99], [], { dist: "pareto", scale: 0.0001, shape: 1 }, "__proto__"),
);

/** A valid-looking document, spoiled in one place about one time in three. */
function sometimesSpoiled(doc: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(doc, fc.option(fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), hostileValue), { freq: 2 }))
    .map(([d, s]) => (s === null ? d : spoil(d, s[0], s[1])));
}

/** The text of an rt-app-dialect workload file: mostly runnable, now and then spoiled or broken text. */
export const workloadText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 12,
    arbitrary: sometimesSpoiled(fc.record({
      tasks: fc.dictionary(fc.constantFrom("a", "b", "c", "w\u202e", "__proto__"), taskObject, { minKeys: 1, maxKeys: 3 }),
      global: fc.option(fc.record({ duration: fc.constantFrom(0, -1, 0.01, 0.05) }), { nil: undefined }),
    }).map((w) => (w.global === undefined ? { tasks: w.tasks } : w))).map((w) => JSON.stringify(w) ?? ""),
  },
  { weight: 1, arbitrary: fc.constantFrom("", "{", "\ufeff{\"tasks\":{}}", "[".repeat(5000), "{\"tasks\": {\"a\": {\"run\": 1}}} trailing", "null") },
);

/** A topology file's text: the structured form or a list of CPUs (consistent, then maybe spoiled), or junk. */
export const topologyText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: sometimesSpoiled(fc.record({
      nodes: fc.constantFrom(1, 2), llcsPerNode: fc.constantFrom(1, 2), coresPerLlc: fc.constantFrom(1, 2, 4), threadsPerCore: fc.constantFrom(1, 2),
    })).map((t) => JSON.stringify(t) ?? ""),
  },
  {
    weight: 3,
    arbitrary: sometimesSpoiled(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom(1, 2), fc.constantFrom(1024, 512)).map(([cores, perLlc, cap]) => ({
      cpus: Array.from({ length: cores }, (_, i) => ({ core: i, llc: Math.floor(i / perLlc), node: 0, capacity: i % 2 === 0 ? 1024 : cap })),
    }))).map((t) => JSON.stringify(t) ?? ""),
  },
  { weight: 1, arbitrary: junk.map((v) => JSON.stringify(v) ?? "") },
);

/** A scheduler for run's -s: built-ins of different shapes, fair, and names that do not exist. */
export const schedulerName = fc.constantFrom("fair", "simple", "central", "stride", "rusty", "qmap", "lavd", "nosuch");

/** Flags of `run` (after -s/-w, which the caller sets), valid or not; lengths stay ≤ 50 ms. */
export const runFlags: fc.Arbitrary<string[]> = fc.tuple(
  fc.constantFrom(["--duration", "0.02"], ["--duration", "0"], ["--duration", "-1"], ["--duration", "abc"], ["--duration", "1e-12"], ["--duration", "0.05", "--duration", "0.01"]),
  fc.subarray([
    ["--cpus", "2"], ["--cpus", "0"], ["--cpus", "4097"], ["--cpus", "x"], ["--topology", "2x8-smt"], ["--topology", "nosuch"],
    ["--seed", "7"], ["--seed", "-1"], ["--seed", "1e99"], ["--overheads", "off"], ["--overheads", "maybe"],
    ["--warmup", "0.01"], ["--warmup", "5"], ["--crash-at", "0.01"], ["--crash-at", "-1"], ["--antagonists", "2"], ["--antagonists", "1e9"],
    ["-p", "n=3"], ["-p", "__proto__=1"], ["-p", "="], ["-o", "slice_us=0"], ["-o", "nosuch=1"], ["-o", "constructor=1"],
    ["--max-tasks", "500"], ["--max-tasks", "0"], ["--max-tasks", "1e12"], ["--bogus-flag"], ["--json"],
  ], { maxLength: 4 }),
).map(([d, rest]) => [...d, ...rest.flat()]);

/** Built-in workloads (and one that does not exist) for flag cases. */
export const builtinWorkload = fc.constantFrom("mixed", "hogs", "server", "pipe", "schbench", "nosuch");

/**
 * A perf trace derived from a real one: lines dropped, duplicated, swapped or cut, bytes
 * replaced, numbers made huge or negative.
 */
export function traceText(real: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.constantFrom("drop", "dup", "cut", "num", "byte", "swap"), fc.nat(), fc.nat());
  return fc.tuple(fc.constantFrom(...real), fc.array(edit, { maxLength: 6 })).map(([text, edits]) => {
    const lines = text.split("\n");
    for (const [kind, i0, j0] of edits) {
      if (lines.length === 0) break;
      const i = i0 % lines.length, j = j0 % lines.length;
      switch (kind) {
        case "drop": lines.splice(i, 1); break;
        case "dup": lines.splice(i, 0, lines[i]!); break;
        case "cut": lines[i] = lines[i]!.slice(0, j0 % (lines[i]!.length + 1)); break;
        case "num": lines[i] = lines[i]!.replace(/\d+/, ["-1", "99999999999999999999", "0", "1e308"][j0 % 4]!); break;
        case "byte": lines[i] = lines[i]!.slice(0, j0 % (lines[i]!.length + 1)) + ["\u0000", "\u202e", "]", ":", "=="][j0 % 5] + lines[i]!.slice(j0 % (lines[i]!.length + 1)); break;
        case "swap": [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break;
      }
    }
    return lines.join("\n");
  });
}

/** A JSON document with one node replaced by a hostile value. */
export function mutatedJson(doc: unknown): fc.Arbitrary<unknown> {
  return fc.tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), hostileValue).map(([path, value]) => spoil(doc, path, value));
}

/**
 * A hostile act a scheduler module does on its `after`-th call of a callback; "loop" never
 * returns (the run's watchdog ejects it after 5 s of wall time, so the suite draws it rarely).
 */
export type ModuleAct =
  | { kind: "write"; field: string }
  | { kind: "reenter" }
  | { kind: "zeroTimer"; delay: number }
  | { kind: "async" }
  | { kind: "throw"; what: number }
  | { kind: "badKfunc" }
  | { kind: "loop" }
  | { kind: "none" };

export const moduleAct: fc.Arbitrary<ModuleAct> = fc.oneof(
  { arbitrary: fc.constant({ kind: "loop" as const }), weight: 1 },
  fc.record({ kind: fc.constant("write" as const), field: fc.constantFrom("cpu", "pid", "place", "slot", "sumExecNs", "cpusAllowed", "weight", "slice", "dsqVtime", "foo") }),
  fc.constant({ kind: "reenter" as const }),
  fc.record({ kind: fc.constant("zeroTimer" as const), delay: fc.constantFrom(0, -1, -1e9, 1e-9) }),
  fc.constant({ kind: "async" as const }),
  fc.record({ kind: fc.constant("throw" as const), what: fc.integer({ min: 0, max: 5 }) }),
  fc.constant({ kind: "badKfunc" as const }),
  fc.constant({ kind: "none" as const }),
);

const THROWN = [
  "Object.create(null)",
  "(() => { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('getter'); } }); return e; })()",
  "new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } })",
  "undefined",
  "42",
  "new RangeError('\\u202e\\u0007 spoof\\nsecond line')",
];

/**
 * The source of a scheduler module file (a default-exported factory) that queues on a user DSQ
 * and does `act` on the `after`-th call of `cb`. "reenter" calls the module's own ops from
 * inside a callback; "badKfunc" calls a dispatch-only kfunc from enqueue.
 */
export function moduleSource(act: ModuleAct, cb: "enqueue" | "dispatch" | "running" | "stopping", after: number): string {
  const body = (() => {
    switch (act.kind) {
      case "write": return `p && (p[${JSON.stringify(act.field)}] = 1);`;
      case "reenter": return `ops.enqueue(p ?? null, 0); ops.dispatch(0, null);`;
      case "zeroTimer": return `const id = scx.timerCreate(() => scx.timerStart(id, ${act.delay})); scx.timerStart(id, ${act.delay});`;
      case "async": return `return Promise.reject(new Error("async callback"));`;
      case "throw": return `throw ${THROWN[act.what]};`;
      case "badKfunc": return `scx.dsqMoveToLocal(0);`;
      case "loop": return `for (;;) {}`;
      case "none": return "";
    }
  })();
  return `export default (scx) => {
  let n = 0;
  const act = (p) => { ${body} };
  const ops = {
    name: "hostile",
    init() { return scx.createDsq(0, -1); },
    select_cpu(p, prev) { return prev; },
    enqueue(p, f) { scx.dsqInsert(p, 0, 500000, f); if (${JSON.stringify(cb)} === "enqueue" && ++n === ${after}) return act(p); },
    dispatch(cpu) { scx.dsqMoveToLocal(0); if (${JSON.stringify(cb)} === "dispatch" && ++n === ${after}) return act(null); },
    running(p) { if (${JSON.stringify(cb)} === "running" && ++n === ${after}) return act(p); },
    stopping(p) { if (${JSON.stringify(cb)} === "stopping" && ++n === ${after}) return act(p); },
  };
  return ops;
};
`;
}
