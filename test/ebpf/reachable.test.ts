import { describe, expect, it } from "vitest";
import { assemble, encode } from "../../sim/ebpf/isa.js";
import { firstReachable } from "../../sim/ebpf/obj/reachable.js";

const movK = (d: number, k: number): Uint8Array => encode(0xb7, d, 0, 0, k);
const jeqK = (d: number, k: number, off: number): Uint8Array => encode(0x15, d, 0, off, k);
const jeq32K = (d: number, k: number, off: number): Uint8Array => encode(0x16, d, 0, off, k);
const ldx = (d: number, s: number, off: number): Uint8Array => encode(0x79, d, s, off, 0);
const call = (id: number): Uint8Array => encode(0x85, 0, 0, 0, id);
const exit = (): Uint8Array => encode(0x95, 0, 0, 0, 0);
const poison = (): Uint8Array => ldx(0, 1, 8);

/** Index of the first reachable instruction among `targets` in a program starting at 0. */
const reach = (insns: Uint8Array[], targets: number[]): number => firstReachable(assemble(insns), [0], new Set(targets));

describe("reachability with CO-RE constants folded", () => {
  it("a guard on a known zero makes the guarded instruction dead; on a known one, live", () => {
    expect(reach([movK(1, 0), jeqK(1, 0, 1), poison(), exit()], [2])).toBe(-1);
    expect(reach([movK(1, 1), jeqK(1, 0, 1), poison(), exit()], [2])).toBe(2);
  });

  it("a register loaded from memory, or clobbered by a call, is unknown: both ways stay live", () => {
    expect(reach([ldx(1, 10, -8), jeqK(1, 0, 1), poison(), exit()], [2])).toBe(2);
    expect(reach([movK(1, 0), call(5), jeqK(1, 0, 1), poison(), exit()], [3])).toBe(3);
  });

  it("callee-saved registers keep their constants across a call; 32-bit jumps compare the low half", () => {
    expect(reach([movK(6, 0), call(5), jeqK(6, 0, 1), poison(), exit()], [3])).toBe(-1);
    const wide = [encode(0x18, 1, 0, 0, 0), encode(0, 0, 0, 0, 1)]; // r1 = 1 << 32
    expect(reach([...wide, jeq32K(1, 0, 1), poison(), exit()], [3])).toBe(-1);
    expect(reach([...wide, jeqK(1, 0, 1), poison(), exit()], [3])).toBe(3);
  });

  it("a constant that differs on two incoming paths becomes unknown at the join", () => {
    // 0: r2 = *(r10-8); 1: if r2 == 0 goto 4; 2: r1 = 0; 3: goto 5; 4: r1 = 1; 5: if r1 == 0 goto 7; 6: poison; 7: exit
    const p = [ldx(2, 10, -8), jeqK(2, 0, 2), movK(1, 0), encode(0x05, 0, 0, 1, 0), movK(1, 1), jeqK(1, 0, 1), poison(), exit()];
    expect(reach(p, [6])).toBe(6);
  });
});
