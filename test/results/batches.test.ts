import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { batches } from "../../results/io/batches.js";

describe("batches", () => {
  it("joins pieces in order, and every batch but the last reaches a megabyte", () => {
    const piece = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom("x".repeat(300_000), "y".repeat(1 << 20)));
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const out = [...batches(pieces)];
      expect(out.join("")).toBe(pieces.join(""));
      for (const b of out.slice(0, -1)) expect(b.length).toBeGreaterThanOrEqual(1 << 20);
      if (out.length > 0) expect(out[out.length - 1].length).toBeGreaterThan(0);
    }), { numRuns: 60 });
  });
});
