/**
 * The arena's page allocator against a model of kernel/bpf/arena.c (a range tree of free pages,
 * first fit by address): random allocations (anywhere or at an address), frees and
 * reservations give the kernel's answers, live allocations never share a page, each page of a
 * live allocation keeps what was written to it, and unallocated pages read 0.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ARENA_PAGE, ArenaMap } from "../../sim/ebpf/maps/arena.js";
import { BPF_F_MMAPABLE, BPF_MAP_TYPE_ARENA } from "../../sim/ebpf/maps/map_types.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";

const PAGES = 24;
/** A user address whose low 32 bits are not 0, so page numbers come from a real subtraction. */
const START = 2 ** 41 + 0x3000_0000;

type Op =
  | { kind: "alloc"; count: number; at: number | null }
  | { kind: "free"; page: number; count: number }
  | { kind: "reserve"; page: number; count: number };

const ops = fc.array(fc.oneof(
  fc.record({ kind: fc.constant("alloc" as const), count: fc.integer({ min: 1, max: 6 }), at: fc.option(fc.integer({ min: 0, max: PAGES + 2 }), { nil: null }) }),
  fc.record({ kind: fc.constant("free" as const), page: fc.integer({ min: 0, max: PAGES }), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("reserve" as const), page: fc.integer({ min: 0, max: PAGES }), count: fc.integer({ min: 1, max: 4 }) }),
), { maxLength: 60 });

const FREE = 0, RESERVED = -1;

describe("arena page allocation (property)", () => {
  it("matches first fit over a free-page model; live pages never overlap and keep their contents", () => {
    fc.assert(fc.property(ops, (list) => {
      const mem = new BpfMemory();
      const arena = new ArenaMap({ name: "p", type: BPF_MAP_TYPE_ARENA, keySize: 0, valueSize: 0, maxEntries: PAGES, mapFlags: BPF_F_MMAPABLE }, mem, START);
      const lo = START % 2 ** 32;
      // Per page: FREE, RESERVED, or the tag of the allocation holding it (> 0).
      const model = new Array<number>(PAGES).fill(FREE);
      let tag = 0;
      const word = (page: number, write: number): number => arena.at(arena.hi, lo + page * ARENA_PAGE + 8, 0, write);
      for (const op of list) {
        if (op.kind === "alloc") {
          let want = -1;
          if (op.at === null) {
            for (let p = 0; p + op.count <= PAGES && want < 0; p++) if (model.slice(p, p + op.count).every((s) => s === FREE)) want = p;
          } else if (op.at + op.count <= PAGES && model.slice(op.at, op.at + op.count).every((s) => s === FREE)) {
            want = op.at;
          }
          const got = arena.allocPages(op.count, op.at === null ? undefined : lo + op.at * ARENA_PAGE);
          expect(got).toBe(want < 0 ? 0 : START + want * ARENA_PAGE);
          if (want >= 0) {
            tag++;
            for (let p = want; p < want + op.count; p++) {
              expect(mem.readU64(word(p, 0))).toBe(0n); // fresh pages are zeroed
              model[p] = tag;
              mem.writeU64(word(p, 1), BigInt(tag));
            }
          }
        } else if (op.kind === "free") {
          arena.freePages(lo + op.page * ARENA_PAGE, op.count);
          for (let p = op.page; p < Math.min(PAGES, op.page + op.count); p++) model[p] = FREE;
        } else {
          const ok = op.page + op.count <= PAGES && model.slice(op.page, op.page + op.count).every((s) => s === FREE);
          const r = arena.reservePages(lo + op.page * ARENA_PAGE, op.count);
          expect(r).toBe(op.page + op.count > PAGES ? -22 : ok ? 0 : -114);
          if (r === 0) model.fill(RESERVED, op.page, op.page + op.count);
        }
        const seen = new Set<number>();
        for (let p = 0; p < PAGES; p++) {
          const s = model[p]!;
          expect(arena.isMapped(p)).toBe(s > 0);
          expect(mem.readU64(word(p, 0))).toBe(s > 0 ? BigInt(s) : 0n);
          if (s > 0) {
            const backing = word(p, 0) - 8;
            expect(seen.has(backing)).toBe(false);
            seen.add(backing);
          }
        }
        expect(arena.size()).toBe(model.filter((s) => s > 0).length);
      }
    }), { numRuns: 200 });
  });
});
