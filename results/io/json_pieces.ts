/**
 * `JSON.stringify(value, null, 2)` in pieces, for results too big to be one string: a run with
 * hundreds of thousands of task names gives a RunResult whose text passes V8's limit on string
 * length (about 512 MB), where one `JSON.stringify` throws. The two outer levels (the result's
 * keys, then each group or task) are laid out here; everything below them is stringified whole,
 * so each piece stays small. The pieces joined are exactly `JSON.stringify(value, null, 2)`.
 */

const STEP = "  ";

/** The pieces of `JSON.stringify(value, null, 2)`, the outer `depth` levels laid out one by one. */
export function* prettyJsonPieces(value: unknown, depth = 2): Generator<string> {
  yield* pieces(value, "", depth);
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (depth <= 0 || value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    yield whole(value, indent);
    return;
  }
  const inner = indent + STEP;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    yield "[";
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? "" : ","}\n${inner}`;
      const v: unknown = value[i];
      if (omitted(v)) yield "null";
      else yield* pieces(v, inner, depth - 1);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    if (omitted(v)) continue;
    yield `${first ? "{" : ","}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* pieces(v, inner, depth - 1);
  }
  yield first ? "{}" : `\n${indent}}`;
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

/** A value stringified whole, its lines indented to sit at `indent`; strings never hold a raw newline. */
function whole(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2) ?? "null";
  return indent === "" ? text : text.replace(/\n/g, `\n${indent}`);
}
