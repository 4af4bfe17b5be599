import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Counters } from "../../sim/counters.js";

describe("Counters", () => {
  it("sums per name and lists names in first-use order, whatever their number", () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.constantFrom(...Array.from({ length: 20 }, (_, i) => `n${i}`)), fc.integer({ min: -5, max: 5 })), { maxLength: 300 }),
      (adds) => {
        const c = new Counters();
        const want: Record<string, number> = {};
        for (const [name, d] of adds) { c.add(name, d); want[name] = (want[name] ?? 0) + d; }
        const got = c.toRecord();
        expect(got).toEqual(want);
        expect(Object.keys(got)).toEqual(Object.keys(want));
      },
    ));
  });

  it("a name built at run time counts with its constant twin", () => {
    const c = new Counters();
    c.add("local", 1);
    c.add(["lo", "cal"].join(""), 2);
    expect(c.toRecord()).toEqual({ local: 3 });
  });
});
