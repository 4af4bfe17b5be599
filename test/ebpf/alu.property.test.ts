import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ALU, CLS, JMP } from "../../sim/ebpf/isa.js";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { aluK, aluR, exit, jK, jR, ld64, program, testEnv, type Insn } from "./asm.js";
import { runReference } from "./reference.js";

const interesting64 = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, (1n << 63n), (1n << 64n) - 1n, (1n << 63n) - 1n),
  fc.bigInt({ min: -1000n, max: 1000n }),
  // Below 2^52 the runtime divides in doubles: cover that path and its edges.
  fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }),
  fc.constantFrom((1n << 52n) - 1n, 1n << 52n, (1n << 52n) + 1n),
);
const imm32 = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, -1, 31, 32, 63, 0x7fffffff, -0x80000000), fc.integer({ min: -70, max: 70 }));
const reg = fc.integer({ min: 0, max: 9 });
const plainOps = [ALU.ADD, ALU.SUB, ALU.MUL, ALU.DIV, ALU.OR, ALU.AND, ALU.LSH, ALU.RSH, ALU.NEG, ALU.MOD, ALU.XOR, ALU.MOV, ALU.ARSH];

/** One ALU/ALU64 instruction of any kind, including signed div/mod, movsx and byte swaps. */
const aluInsn: fc.Arbitrary<Insn> = fc.oneof(
  fc.tuple(fc.constantFrom(CLS.ALU, CLS.ALU64), fc.constantFrom(...plainOps), reg, reg, imm32, fc.boolean(), fc.boolean()).map(
    ([cls, op, d, s, imm, useReg, signed]) => {
      const off = signed && (op === ALU.DIV || op === ALU.MOD) ? 1 : 0;
      return useReg ? aluR(cls, op, d, s, off) : aluK(cls, op, d, imm, off);
    }),
  fc.tuple(fc.constantFrom(CLS.ALU, CLS.ALU64), reg, reg, fc.constantFrom(8, 16, 32)).map(([cls, d, s, bits]) =>
    aluR(cls, ALU.MOV, d, s, cls === CLS.ALU && bits === 32 ? 16 : bits)),
  fc.tuple(fc.constantFrom(0x04 | 0xd0, 0x0c | 0xd0, 0x07 | 0xd0), reg, fc.constantFrom(16, 32, 64)).map(([op, d, bits]) =>
    aluK(op & 7, op & 0xf8, d, bits)),
);

const jumpOps = [JMP.JEQ, JMP.JGT, JMP.JGE, JMP.JSET, JMP.JNE, JMP.JSGT, JMP.JSGE, JMP.JLT, JMP.JLE, JMP.JSLT, JMP.JSLE];

function seed(values: bigint[]): Insn[] {
  return values.flatMap((v, r) => ld64(r, v));
}

function check(insns: Insn[]): void {
  const memory = new BpfMemory();
  const compiled = compileProgram(program(insns), testEnv({}, memory), { captureRegs: true });
  compiled.run(0);
  const ref = runReference(program(insns).insns, memory, [1 << 20]);
  const got: bigint[] = [];
  for (let r = 0; r < 10; r++) {
    got.push((BigInt(compiled.exitRegs[2 * r + 1]! >>> 0) << 32n) | BigInt(compiled.exitRegs[2 * r]! >>> 0));
  }
  expect(got).toEqual(ref.regs.slice(0, 10));
  expect(compiled.lastR0()).toBe(ref.regs[0]);
}

describe("engine against the BigInt reference", () => {
  it("random straight-line ALU/ALU64 programs leave every register as the reference does", () => {
    fc.assert(
      fc.property(fc.array(interesting64, { minLength: 10, maxLength: 10 }), fc.array(aluInsn, { minLength: 1, maxLength: 40 }), (init, body) => {
        check([...seed(init), ...body, exit()]);
      }),
      { numRuns: 400 },
    );
  });

  it("random programs with forward conditional jumps (JMP and JMP32) agree too", () => {
    const jump = fc.tuple(fc.constantFrom(CLS.JMP, CLS.JMP32), fc.constantFrom(...jumpOps), reg, reg, imm32, fc.boolean(), fc.nat(6));
    const item = fc.oneof(aluInsn.map((i) => ({ alu: i })), jump.map((j) => ({ jump: j })));
    fc.assert(
      fc.property(fc.array(interesting64, { minLength: 10, maxLength: 10 }), fc.array(item, { minLength: 1, maxLength: 40 }), (init, items) => {
        const body: Insn[] = items.map((it, k) => {
          if ("alu" in it) return it.alu;
          const [cls, op, d, s, imm, useReg, dist] = it.jump;
          const off = Math.min(dist, items.length - k - 1); // stays inside the body or lands on exit
          return useReg ? jR(cls, op, d, s, off) : jK(cls, op, d, imm, off);
        });
        check([...seed(init), ...body, exit()]);
      }),
      { numRuns: 300 },
    );
  });
});
