/**
 * `JSON.stringify(value, null, space)` in pieces, for results too big to be one string: a run
 * with hundreds of thousands of task names gives a RunResult whose text passes V8's limit on
 * string length (about 512 MB), where one `JSON.stringify` throws. The outer `depth` levels (for
 * a RunResult: its keys, then each group or task) are laid out here; everything below them is
 * stringified whole, so each piece stays small. Joined, the pieces are exactly
 * `JSON.stringify(value, null, space)`.
 */

/** The pieces of `JSON.stringify(value, null, space)`, the outer `depth` levels laid out one by one. */
export function* prettyJsonPieces(value: unknown, depth = 2, space = "  "): Generator<string> {
  yield* pieces(value, "", depth, space);
}

/**
 * As prettyJsonPieces for an object whose top-level values need layouts of their own: the value
 * under `key` is laid out `depthOf(key)` levels deep (a shallow field stays one piece, a deep
 * one such as a list of windows with their groups is opened down to each group).
 */
export function* prettyJsonPiecesByKey(value: Readonly<Record<string, unknown>>, depthOf: (key: string) => number, space = "  "): Generator<string> {
  if (typeof value.toJSON === "function") yield whole(value, "", space);
  else yield* objectPieces(value, "", depthOf, space);
}

function* pieces(value: unknown, indent: string, depth: number, space: string): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    yield whole(value, indent, space);
    return;
  }
  const inner = indent + space;
  const open = space === "" ? "" : `\n${inner}`;
  const close = space === "" ? "" : `\n${indent}`;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? "[" : ","}${open}`;
      const v: unknown = value[i];
      if (omitted(v)) yield "null";
      else yield* pieces(v, inner, depth - 1, space);
    }
    yield `${close}]`;
    return;
  }
  yield* objectPieces(value, indent, () => depth - 1, space);
}

/** An object's pieces, the value under each key laid out `depthOf(key)` levels deep. */
function* objectPieces(value: object, indent: string, depthOf: (key: string) => number, space: string): Generator<string> {
  const inner = indent + space;
  const open = space === "" ? "" : `\n${inner}`;
  const close = space === "" ? "" : `\n${indent}`;
  let first = true;
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (omitted(v)) continue;
    yield `${first ? "{" : ","}${open}${JSON.stringify(key)}:${space === "" ? "" : " "}`;
    first = false;
    yield* pieces(v, inner, depthOf(key), space);
  }
  yield first ? "{}" : `${close}}`;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

/** A value stringified whole, its lines indented to sit at `indent`; strings never hold a raw newline. */
function whole(value: unknown, indent: string, space: string): string {
  const text = JSON.stringify(value, null, space) ?? "null";
  return indent === "" ? text : text.replace(/\n/g, `\n${indent}`);
}
