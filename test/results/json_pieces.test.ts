/**
 * `run --json` writes the RunResult in pieces (results/io/json_pieces.ts) so a result with
 * hundreds of thousands of groups never has to be one string; the pieces must join to exactly
 * what JSON.stringify(value, null, 2) gives, and no piece may hold a whole outer container.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prettyJsonPieces, prettyJsonPiecesByKey } from "../../results/io/json_pieces.js";

const withHoles = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constant(() => 1), tie("object"), tie("array")),
  object: fc.dictionary(fc.string({ maxLength: 4 }), tie("value"), { maxKeys: 5 }),
  array: fc.array(tie("value"), { maxLength: 5 }),
}));

describe("prettyJsonPieces", () => {
  it("joins to JSON.stringify(value, null, space) at any layout depth and space (none, 1, 2), holes (undefined, functions) included", () => {
    fc.assert(fc.property(fc.oneof(withHoles.object, withHoles.array), fc.integer({ min: 0, max: 4 }), fc.constantFrom("", " ", "  "), (v, depth, space) => {
      expect([...prettyJsonPieces(v, depth, space)].join("")).toBe(JSON.stringify(v, null, space));
    }), { numRuns: 500 });
  });

  it("by key: joins to JSON.stringify(value, null, space) whatever depth each top-level key gets", () => {
    fc.assert(fc.property(withHoles.object, fc.func(fc.integer({ min: 0, max: 4 })), fc.constantFrom("", " ", "  "), (v, depthOf, space) => {
      expect([...prettyJsonPiecesByKey(v, depthOf, space)].join("")).toBe(JSON.stringify(v, null, space));
    }), { numRuns: 300 });
  });

  it("keeps each group of a many-group result in its own small pieces", () => {
    const groups: Record<string, { tasks: number; name: string }> = {};
    for (let i = 0; i < 10_000; i++) groups[`t${i}`] = { tasks: 1, name: `t${i}` };
    const result = { schema: "x", groups, tasks: [{ pid: 1 }], empty: {}, none: [] };
    const pieces = [...prettyJsonPieces(result)];
    expect(pieces.join("")).toBe(JSON.stringify(result, null, 2));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(200);
  });
});
