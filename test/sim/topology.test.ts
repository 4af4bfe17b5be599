import { describe, expect, it } from "vitest";
import { distance, Distance, resolveTopology, TopologyError, type TopologyJson } from "../../sim/topology.js";

describe("topology", () => {
  it("2s-2llc-8c-smt: 16 CPUs, SMT siblings numbered Linux-style, 4 LLCs over 2 nodes", () => {
    const t = resolveTopology("2s-2llc-8c-smt");
    expect(t.nrCpus).toBe(16);
    expect(t.nrLlcs).toBe(4);
    expect(t.nrNodes).toBe(2);
    expect(t.sibling[0]).toBe(8);
    expect(distance(t, 0, 8)).toBe(Distance.Smt);
    expect(distance(t, 0, 1)).toBe(Distance.Core);
    expect(distance(t, 0, 2)).toBe(Distance.Llc);
    expect(distance(t, 0, 4)).toBe(Distance.Numa);
  });

  it("a CPU count gives a flat machine; JSON shapes and CPU lists are accepted", () => {
    expect(resolveTopology("6").nrLlcs).toBe(1);
    expect(resolveTopology({ nodes: 1, llcsPerNode: 2, coresPerLlc: 3, threadsPerCore: 1 }).llcCpus[1]).toEqual(Int32Array.from([3, 4, 5]));
    const t = resolveTopology({ cpus: [{ core: 0, llc: 0, node: 0, capacity: 1024 }, { core: 1, llc: 0, node: 0, capacity: 512 }] });
    expect(t.capacity[1]).toBe(512);
  });

  it("bad topologies are one-line errors naming what was expected", () => {
    expect(() => resolveTopology("nope")).toThrow(TopologyError);
    expect(() => resolveTopology("nope")).toThrow(/expected a CPU count, a JSON file, or one of/);
    expect(() => resolveTopology({ nodes: 0, llcsPerNode: 1, coresPerLlc: 1, threadsPerCore: 1 })).toThrow(/nodes: expected an integer ≥ 1, got 0/);
    expect(() => resolveTopology({ cpus: [{ core: 0, llc: -1, node: 0, capacity: 1024 }] })).toThrow(/cpus\[0\]\.llc/);
  });

  it("what a bad topology holds is shown as the file has it, and short: 1e999, a missing key, a huge array", () => {
    // Hostile files: shapes the type does not allow, as JSON.parse would hand them over.
    const bad = (x: unknown) => resolveTopology(x as TopologyJson);
    const flat = { llcsPerNode: 1, coresPerLlc: 1, threadsPerCore: 1 };
    expect(() => bad({ nodes: Infinity, ...flat })).toThrow(/nodes: expected an integer ≥ 1, got Infinity$/);
    expect(() => bad({ cpus: [{ core: 0, llc: 0, node: 0 }] })).toThrow(/cpus\[0\]\.capacity: expected an integer 1\.\.4096, got nothing$/);
    for (const big of [{ nodes: new Array(100_000).fill(1), ...flat }, { cpus: [new Array(100_000).fill(1)] }]) {
      let message = "";
      try { bad(big); } catch (e) { message = (e as Error).message; }
      expect(message).toMatch(/got \[1,1,1.*…$/);
      expect(message.length).toBeLessThan(200);
    }
  });
});
