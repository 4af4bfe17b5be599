import { describe, expect, it } from "vitest";
import { BpfMemory } from "../../sim/ebpf/memory.js";

describe("BpfMemory", () => {
  it("hands out zero-filled, separated regions above the NULL page", () => {
    const m = new BpfMemory();
    const a = m.alloc(12, { name: "a", writable: true, kind: "map_value" });
    const b = m.alloc(8, { name: "b", writable: true, kind: "map_value" });
    expect(a).toBeGreaterThanOrEqual(4096);
    expect(b).toBeGreaterThan(a + 12);
    expect(m.readU64(a)).toBe(0n);
    m.writeU32(a + 8, 0xdeadbeef);
    expect(m.readU32(a + 8)).toBe(0xdeadbeef);
    expect(m.accessible(a + 12, 4, false)).toBe(true); // padding up to the granule belongs to a
    expect(m.accessible(a + 14, 4, false)).toBe(false); // crosses into the guard granule
    expect(m.accessible(0, 1, false)).toBe(false);
    expect(() => m.readU8(b + 8)).toThrow(/outside/);
  });

  it("refuses writes to frozen regions but lets the host fill them", () => {
    const m = new BpfMemory();
    const r = m.alloc(16, { name: "rodata", writable: true, kind: "rodata" });
    m.writeU64(r, 7n);
    m.freeze(r + 3);
    expect(() => m.writeU8(r, 1)).toThrow(/writable/);
    expect(m.accessible(r, 8, false)).toBe(true);
    m.hostBytes(r, 16)[15] = 9;
    expect(m.readU8(r + 15)).toBe(9);
    expect(m.describe(r + 15)).toBe("rodata+15");
  });

  it("grows keeping every region's contents and address", () => {
    const m = new BpfMemory();
    const a = m.alloc(8, { name: "a", writable: true, kind: "stack" });
    m.bytes(a, 8)[0] = 5;
    const big = m.alloc(1 << 20, { name: "big", writable: true, kind: "map_value", align: 4096 });
    expect(big % 4096).toBe(0);
    expect(m.readU8(a)).toBe(5);
    expect(m.describe(a)).toBe("a+0");
    m.writeU64(big + (1 << 20) - 8, -1n);
    expect(m.readU64(big + (1 << 20) - 8)).toBe(0xffffffffffffffffn);
  });

  it("a retired region faults until revived, then comes back zero-filled at the same address", () => {
    const m = new BpfMemory();
    const a = m.alloc(24, { name: "obj", writable: true, kind: "kernel_object" });
    const b = m.alloc(8, { name: "next", writable: true, kind: "map_value" });
    m.writeU64(a + 16, 5n);
    m.retire(a);
    expect(m.accessible(a, 8, false)).toBe(false);
    expect(m.accessible(a + 16, 8, true)).toBe(false);
    expect(m.accessible(b, 8, true)).toBe(true);
    expect(() => m.retire(a + 8)).toThrow(/does not start a region/);
    m.revive(a);
    expect(m.readU64(a + 16)).toBe(0n);
    m.writeU64(a + 16, 6n);
    expect(m.describe(a + 16)).toBe("obj+16");
  });
});
