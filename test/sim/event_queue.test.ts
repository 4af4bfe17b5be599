import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EventQueue } from "../../sim/event_queue.js";
import { SplitEventQueue } from "../../sim/split_queue.js";
import { FarQueue } from "../../sim/far_queue.js";

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

  it("every event comes back with its own kind and arguments, over the whole int32 range", () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 7 }), int32, int32), { maxLength: 400 }), (evs) => {
      const q = new EventQueue(1);
      evs.forEach(([t, k, a, b]) => q.push(t * 1e9 + 0.5, k, a, b));
      const expected = evs.map(([t, k, a, b], i) => ({ t: t * 1e9 + 0.5, k, a, b, i })).sort((x, y) => x.t - y.t || x.i - y.i);
      for (const e of expected) {
        expect(q.peekTime()).toBe(e.t);
        q.pop();
        expect([q.popTime, q.popKind, q.popA, q.popB]).toEqual([e.t, e.k, e.a, e.b]);
      }
      expect(q.size).toBe(0);
      expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    }));
  });
});

/**
 * Replays `ops` ([push?, gap after the last pop, near?]) on one EventQueue and on a
 * SplitEventQueue, expecting the same pops; an event at infinity always goes far.
 */
function expectSplitPopsAsOneHeap(ops: readonly (readonly [boolean, number, boolean])[]): void {
  const one = new EventQueue(1), two = new SplitEventQueue(1);
  let id = 0, base = 0;
  const check = () => {
    expect(two.size).toBe(one.size);
    expect(two.peekTime()).toBe(one.peekTime());
    if (one.size === 0) return;
    one.pop(); two.pop();
    expect([two.popTime, two.popKind, two.popA, two.popB]).toEqual([one.popTime, one.popKind, one.popA, one.popB]);
    if (Number.isFinite(one.popTime)) base = one.popTime;
  };
  for (const [push, dt, near] of ops) {
    if (!push) { check(); continue; }
    const t = base + dt, kind = near && Number.isFinite(t) ? 0 : 1;
    one.push(t, kind, id, -id);
    if (kind === 0) two.pushNear(t, kind, id, -id); else two.push(t, kind, id, -id);
    id++;
  }
  expect(two.countKind(0) + two.countKind(1)).toBe(one.size);
  while (one.size > 0) check();
  expect(two.size).toBe(0);
}

describe("SplitEventQueue", () => {
  it("pops exactly as one heap would, whichever half each event went to", () => {
    // Pops interleaved with pushes, ties frequent.
    const op = fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 }), fc.boolean());
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), expectSplitPopsAsOneHeap));
  });
});

describe("FarQueue", () => {
  it("pops exactly as one heap would, with gaps from ties to past the calendar's span and infinity", () => {
    // Through SplitEventQueue at its real sizes (fewer events than start the calendar: the
    // calendar's own paths are the tiny-calendar test's below).
    const gap = fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3_000_000 }),
      fc.integer({ min: 0, max: 10_000_000_000 }),
      fc.constant(Number.POSITIVE_INFINITY),
    );
    const op = fc.tuple(fc.boolean(), gap, fc.boolean());
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), expectSplitPopsAsOneHeap), { numRuns: 300 });
  });

  it("popDue stops at the first event later than its bound and leaves it queued", () => {
    const q = new SplitEventQueue(1);
    q.push(5_000_000_000, 1, 1, 0);
    q.push(10, 1, 2, 0);
    q.pushNear(20, 0, 3, 0);
    expect(q.popDue(15)).toBe(true);
    expect(q.popA).toBe(2);
    expect(q.popDue(15)).toBe(false);
    expect(q.size).toBe(2);
    expect(q.popDue(Number.POSITIVE_INFINITY) && q.popA).toBe(3);
    expect(q.popDue(4_999_999_999)).toBe(false);
    expect(q.popDue(5_000_000_000) && q.popA).toBe(1);
    expect(q.popDue(Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe("FarQueue on a tiny calendar", () => {
  it("pops exactly as one heap, across window moves, calendar wraps, overflow refills and jumps", () => {
    // 8 buckets of 4 ns, the calendar on past 2 events in the heap: a gap of 0..100 ns crosses
    // every path (calendar on and off, window moves, wraps, overflow refills and jumps) many times.
    const op = fc.tuple(fc.boolean(), fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 100 }), fc.constant(Number.POSITIVE_INFINITY)));
    fc.assert(fc.property(fc.array(op, { maxLength: 300, size: "large" }), (ops) => {
      const one = new EventQueue(1), two = new FarQueue(1, 4, 8, 2);
      let id = 0, base = 0;
      const check = () => {
        expect(two.n).toBe(one.size);
        two.settle();
        if (one.size === 0) return;
        expect(two.headTime()).toBe(one.peekTime());
        one.pop(); two.pop();
        expect([two.popTime, two.popKind, two.popA, two.popB]).toEqual([one.popTime, one.popKind, one.popA, one.popB]);
        if (Number.isFinite(one.popTime)) base = one.popTime;
      };
      let seq = 0;
      for (const [push, dt] of ops) {
        if (!push) { check(); continue; }
        one.push(base + dt, 1, id, -id);
        two.pushSeq(base + dt, seq++, 1, id, -id);
        id++;
      }
      while (one.size > 0) check();
      expect(two.n).toBe(0);
    }), { numRuns: 500 });
  });
});
