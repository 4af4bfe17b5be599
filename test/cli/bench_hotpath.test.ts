/**
 * Guards for the hot-path rewrites made for `bench` (issue 6): each must give exactly what the
 * code it replaced gave, so that results for a seed do not change.
 * - sim/rng.ts: Alea written out as class fields must reproduce seedrandom's alea stream.
 * - sim/histogram.ts: the clz32 bucket path must bucket every value as the Math.log2 formula did.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { Rng } from "../../sim/rng.js";
import { Histogram } from "../../sim/histogram.js";

/** The bucket formula sim/histogram.ts used before (7 sub-bits, exponents up to 48). */
function referenceBucket(v: number): number {
  const SUB_BITS = 7, SUB = 128, MAX_EXP = 48;
  if (v < 0) v = 0;
  if (v < SUB) return Math.floor(v);
  const e = Math.floor(Math.log2(v)) - SUB_BITS + 1;
  const exp = e > MAX_EXP ? MAX_EXP : e;
  const mant = Math.floor(v / 2 ** exp) - SUB / 2;
  return SUB + (exp - 1) * (SUB / 2) + Math.min(SUB / 2 - 1, Math.max(0, mant));
}

function bucketOfViaHistogram(v: number): number {
  const h = new Histogram();
  h.record(v);
  let bucket = -1;
  h.eachBucket((i) => { bucket = i; });
  return bucket;
}

describe("hot-path equivalences", () => {
  it("Rng reproduces seedrandom's alea stream, draw for draw", () => {
    for (const seed of [0, 1, 2, 7, 12345, 2 ** 31 - 1]) {
      for (const purpose of ["durations", "arrivals", "scx", "validate-observer"]) {
        const ref = seedrandom.alea(`scxlab:${seed}:${purpose}`);
        const r = new Rng(seed, purpose);
        for (let i = 0; i < 20_000; i++) {
          let u = ref();
          while (u === 0) u = ref();
          if (r.next() !== u) throw new Error(`seed ${seed} ${purpose}: draw ${i} differs`);
        }
      }
    }
  });

  it("Rng.exp and u32 follow from the same stream", () => {
    const ref = seedrandom.alea("scxlab:9:x"), r = new Rng(9, "x");
    for (let i = 0; i < 1000; i++) expect(r.exp(3)).toBe(-3 * Math.log(ref()));
    for (let i = 0; i < 1000; i++) expect(r.u32()).toBe((ref() * 4294967296) >>> 0);
  });

  it("histogram buckets match the log2 formula around every power of two and at random", () => {
    for (let k = 0; k <= 40; k++) {
      for (let d = -3; d <= 3; d++) {
        const v = 2 ** k + d;
        if (v >= 0) expect(bucketOfViaHistogram(v), `v=${v}`).toBe(referenceBucket(v));
      }
    }
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 2 ** 45, noNaN: true })), (v) => {
      expect(bucketOfViaHistogram(v)).toBe(referenceBucket(v));
    }), { numRuns: 20_000 });
  });
});
