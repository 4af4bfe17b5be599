/**
 * The two kinds of failure scxlab knows. `InputError` is the user's: a flag, a workload file, a
 * topology, a scheduler name or option that cannot be used; the CLI prints its one-line message
 * and exits 2. `EngineBug` is ours: a broken invariant of the simulator; the CLI exits 1. Every
 * input error of every layer is an InputError (subclasses only name where it came from), so the
 * edge needs one `instanceof`, not a list.
 */

/** Where bad input was found and what was wrong with it. */
export interface InputErrorInfo {
  /** The file name (or built-in name, or flag) the input came from; "" when there is none. */
  readonly file: string;
  /** JSON path such as `tasks.web.phases.p1.run`, or "" for the whole input. */
  readonly path: string;
  /** What would have been accepted, phrased to follow "expected". */
  readonly expected: string;
  /** What was found, already rendered; "" when there is nothing to show. */
  readonly got: string;
  /** 1-based position in the text, for syntax errors. */
  readonly line?: number;
  readonly column?: number;
}

/**
 * Bad user input. Built from an `InputErrorInfo` (the message is formatted from it) or from an
 * already worded one-line message (flags whose wording needs more than expected/got).
 */
export class InputError extends Error implements InputErrorInfo {
  readonly file: string;
  readonly path: string;
  readonly expected: string;
  readonly got: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(info: InputErrorInfo | string) {
    super(oneLine(typeof info === "string" ? info : formatInputError(info)));
    this.name = new.target.name;
    const i: InputErrorInfo = typeof info === "string" ? { file: "", path: "", expected: "", got: "" } : info;
    this.file = i.file;
    this.path = i.path;
    this.expected = i.expected;
    this.got = i.got;
    this.line = i.line;
    this.column = i.column;
  }
}

/** `file:line:col: path: expected X, got Y`, with the parts that are empty left out. */
export function formatInputError(i: InputErrorInfo): string {
  const where = i.file === "" ? "" : i.line === undefined ? i.file : `${i.file}:${i.line}:${i.column ?? 1}`;
  const head = [where, i.path].filter((s) => s !== "").join(": ");
  const body = `expected ${i.expected}${i.got === "" ? "" : `, got ${i.got}`}`;
  return oneLine(head === "" ? body : `${head}: ${body}`);
}

/** A workload whose tasks wake each other at one instant forever: simulated time cannot pass. */
export class WorkloadStall extends InputError {}

/** A broken invariant of the simulator itself: never the user's fault, never exit code 2. */
export class EngineBug extends Error {
  constructor(message: string) {
    super(`scxlab: ${message} (engine bug)`);
    this.name = "EngineBug";
  }
}

/** Throws an EngineBug with `message` unless `cond` holds. */
export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new EngineBug(message);
}

/** 1-based line and column of the character at `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
  }
  return { line, column: end - lineStart + 1 };
}

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
  return s.replace(/[\r\n\u2028\u2029]+/g, " ").trim();
}
