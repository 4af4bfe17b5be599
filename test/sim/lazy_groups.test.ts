/**
 * RunResult.groups builds each GroupResult when read (a run may name a million tasks), yet reads
 * as the plain object it was: same keys in the same order, same JSON, same structured clone. A
 * result taken mid-run stays what it was when the run goes on; a final one keeps the recorder's
 * columns, so the machine refuses to run on after it.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hog, plan, poisson } from "../helpers/plan.js";
import { attach, machine } from "../helpers/machine.js";
import { SimpleScheduler } from "../../schedulers/simple.js";
import type { Machine } from "../../sim/machine.js";
import type { RunResult } from "../../sim/result.js";

const END = 1e8;

function run(names: readonly string[] = ["h", "n", "p"]): Machine {
  const specs = names.map((name, i) => (i % 3 === 2 ? poisson(name, 2000, 200) : hog(name, i % 3 === 1 ? 5 : 0)));
  const m = machine(plan(specs), { cpus: 2, durationNs: END });
  attach(m, (scx) => new SimpleScheduler(scx, { fifo: false, slice_us: 3000 }));
  return m;
}

/** The groups copied into plain data properties, as an eager builder would have made them. */
function plainGroups(r: RunResult): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, g] of Object.entries(r.groups)) Object.defineProperty(out, name, { value: structuredClone(g), enumerable: true, writable: true, configurable: true });
  return out;
}

describe("RunResult.groups built on read", () => {
  it("reads, stringifies and clones as plain data, in the workload's order, a task named __proto__ included", () => {
    const m = run(["web", "__proto__", "batch", "2", "db"]);
    m.runToEnd();
    const r = m.result(0, [], true);
    const plain = plainGroups(r);
    expect(Object.keys(r.groups)).toEqual(Object.keys(plain));
    expect(Object.hasOwn(r.groups, "__proto__")).toBe(true);
    expect(JSON.stringify(r.groups)).toBe(JSON.stringify(plain));
    expect(structuredClone(r)).toEqual({ ...r, groups: plain });
    expect(r.groups.web).toEqual(r.groups.web);
  });

  it("a result taken mid-run is a snapshot: running on changes none of its groups", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: END - 1 }), (cut) => {
      const m = run();
      m.runFor(cut);
      const mid = m.result();
      const before = JSON.stringify(mid.groups);
      m.runToEnd();
      const end = m.result();
      expect(JSON.stringify(mid.groups) === before).toBe(true);
      expect(end.groups.h!.cpuNs).toBeGreaterThanOrEqual(mid.groups.h!.cpuNs);
    }), { numRuns: 6 });
  });

  it("a final result equals a copying one, and the machine then refuses to run on", () => {
    const a = run(), b = run();
    a.runToEnd();
    b.runToEnd();
    const copied = a.result(), final = b.result(0, [], true);
    expect(JSON.stringify(final)).toBe(JSON.stringify(copied));
    expect(() => b.runFor(1e6)).toThrow(/final result/);
    expect(() => a.runFor(1e6)).not.toThrow();
  });
});
