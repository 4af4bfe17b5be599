import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EventQueue } from "../../sim/heap.js";

describe("EventQueue", () => {
  it("pops in (time, insertion order), ties first-in first-out", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 500 }), (times) => {
      const q = new EventQueue(2);
      times.forEach((t, i) => q.push(t, 0, i, 0));
      const expected = times.map((t, i) => [t, i]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      const got: number[][] = [];
      while (q.size > 0) { q.pop(); got.push([q.popTime, q.popA]); }
      expect(got).toEqual(expected);
    }));
  });

  it("interleaved pushes and pops keep the order (a DES hold pattern)", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 300 }), (deltas) => {
      const q = new EventQueue(1);
      q.push(0, 0, 0, 0);
      let last = -1;
      for (const d of deltas) {
        q.pop();
        expect(q.popTime).toBeGreaterThanOrEqual(last);
        last = q.popTime;
        q.push(q.popTime + d, 0, 0, 0);
        q.push(q.popTime + (d >> 1), 0, 0, 0);
      }
    }));
  });
});
