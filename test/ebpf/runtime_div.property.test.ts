import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { HI, sdiv64, smod64, udiv64, umod64 } from "../../sim/ebpf/runtime.js";

const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const result = (l: number): bigint => BigInt.asUintN(64, (BigInt(HI[0]!) << 32n) | BigInt(l >>> 0));

/** Operands around the 2^52 bound below which division is done in doubles. */
const operand = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 52n) + 5n }),
  fc.bigInt({ min: (1n << 52n) - 1000n, max: (1n << 52n) + 1000n }),
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);

describe("64-bit division runtime", () => {
  it("udiv64/umod64/sdiv64/smod64 agree with BigInt on operands near and below 2^52", () => {
    fc.assert(fc.property(operand, operand, (a, b) => {
      const args = [lo(a), hi(a), lo(b), hi(b)] as const;
      const sa = BigInt.asIntN(64, a), sb = BigInt.asIntN(64, b);
      expect(result(udiv64(...args))).toBe(b === 0n ? 0n : a / b);
      expect(result(umod64(...args))).toBe(b === 0n ? a : a % b);
      expect(result(sdiv64(...args))).toBe(BigInt.asUintN(64, sb === 0n ? 0n : BigInt.asIntN(64, sa / sb)));
      expect(result(smod64(...args))).toBe(BigInt.asUintN(64, sb === 0n ? sa : sa % sb));
    }), { numRuns: 3000 });
  });
});
