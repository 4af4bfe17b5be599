import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ALU, CLS, JMP } from "../../sim/ebpf/isa.js";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { structure } from "../../sim/ebpf/structure.js";
import { aluK, aluR, exit, jK, jR, ld64, mov64, program, testEnv, type Insn } from "./asm.js";
import { runReference } from "./reference.js";

const COUNTER = 8;
const reg = fc.integer({ min: 0, max: 9 }).filter((r) => r !== COUNTER);
const imm = fc.oneof(fc.integer({ min: -40, max: 40 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
const aluOps = [ALU.ADD, ALU.SUB, ALU.MUL, ALU.OR, ALU.AND, ALU.XOR, ALU.MOV, ALU.LSH, ALU.RSH];
const condOps = [JMP.JEQ, JMP.JNE, JMP.JGT, JMP.JSGE, JMP.JLT, JMP.JSET];

/**
 * A slot is two instructions: `r8 -= 1`, then a payload (ALU on any register but r8, a forward
 * conditional jump, a backward `if r8 s> 0` jump, or exit). Jumps land on slot starts only, so
 * every cycle passes a decrement and every run ends: loops of any shape (nested, overlapping,
 * entered past their head, latch first) without a budget.
 */
type Slot =
  | { kind: "alu"; cls: number; op: number; d: number; s: number; k: number; useReg: boolean }
  | { kind: "fwd"; cls: number; op: number; d: number; s: number; k: number; useReg: boolean; dist: number }
  | { kind: "back"; dist: number }
  | { kind: "exit" };

const slot: fc.Arbitrary<Slot> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("alu" as const), cls: fc.constantFrom(CLS.ALU, CLS.ALU64), op: fc.constantFrom(...aluOps), d: reg, s: fc.integer({ min: 0, max: 9 }), k: imm, useReg: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fwd" as const), cls: fc.constantFrom(CLS.JMP, CLS.JMP32), op: fc.constantFrom(...condOps), d: fc.integer({ min: 0, max: 9 }), s: fc.integer({ min: 0, max: 9 }), k: imm, useReg: fc.boolean(), dist: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("back" as const), dist: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "exit" as const }) },
);

function assemble(init: bigint[], rounds: number, slots: Slot[]): Insn[] {
  const head = [...init.flatMap((v, r) => ld64(r, v)), mov64(COUNTER, rounds)];
  const base = head.length;
  const at = (k: number): number => base + 2 * k; // index of slot k's decrement
  const body: Insn[] = [];
  slots.forEach((s, k) => {
    body.push(aluK(CLS.ALU64, ALU.SUB, COUNTER, 1));
    const here = at(k) + 1;
    switch (s.kind) {
      case "alu": body.push(s.useReg ? aluR(s.cls, s.op, s.d, s.s) : aluK(s.cls, s.op, s.d, s.op === ALU.LSH || s.op === ALU.RSH ? s.k & 31 : s.k)); break;
      case "fwd": {
        const t = at(Math.min(k + s.dist, slots.length)); // the last target is the final exit
        body.push(s.useReg ? jR(s.cls, s.op, s.d, s.s, t - here - 1) : jK(s.cls, s.op, s.d, s.k, t - here - 1));
        break;
      }
      case "back": body.push(jK(CLS.JMP, JMP.JSGT, COUNTER, 0, at(Math.max(0, k - s.dist)) - here - 1)); break;
      case "exit": body.push(exit()); break;
    }
  });
  return [...head, ...body, exit()];
}

function agree(insns: Insn[]): void {
  const memory = new BpfMemory();
  const compiled = compileProgram(program(insns), testEnv({}, memory), { captureRegs: true });
  compiled.run(0);
  const ref = runReference(program(insns).insns, memory, [1 << 20]);
  const got: bigint[] = [];
  for (let r = 0; r < 10; r++) got.push((BigInt(compiled.exitRegs[2 * r + 1]! >>> 0) << 32n) | BigInt(compiled.exitRegs[2 * r]! >>> 0));
  expect(got).toEqual(ref.regs.slice(0, 10));
}

describe("structured control flow", () => {
  it("programs with loops of any shape leave every register as the reference interpreter does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(slot, { minLength: 1, maxLength: 30 }),
        (init, rounds, slots) => agree(assemble(init, rounds, slots)),
      ),
      { numRuns: 400 },
    );
  });

  it("a loop entered past its head (latch first, as clang lays it out) is structured, through the head", () => {
    // 0: ja 3 (enter at the condition) · 1-2: latch · 3: body · 4: back to the latch · 5: exit
    const plan = structure(0, 6, [{ from: 0, to: 3 }, { from: 4, to: 1 }]);
    expect(plan).not.toBeNull();
    expect(plan!.redirect.get(0)).toEqual({ entry: 3, via: 1 });
    expect(plan!.dispatch.get(1)).toEqual([{ entry: 3, via: 3 }]);
    expect(plan!.scopes.get(1)!.map((s) => s.kind)).toEqual(["loop", "block"]);
  });

  it("loops that overlap without nesting have no plan (the translator keeps its dispatch loop)", () => {
    expect(structure(0, 8, [{ from: 4, to: 1 }, { from: 6, to: 3 }])).toBeNull();
    // 2: r1 -= 1 · 3: r0 += 1 · 4: back to 2 while r1 > 0 · 5: back to 3 while r0 < 8
    const insns = [mov64(0, 0), mov64(1, 3), aluK(CLS.ALU64, ALU.SUB, 1, 1), aluK(CLS.ALU64, ALU.ADD, 0, 1),
      jK(CLS.JMP, JMP.JSGT, 1, 0, -3), jK(CLS.JMP, JMP.JLT, 0, 8, -3), exit()];
    const p = compileProgram(program(insns), testEnv());
    expect(p.source).toContain("switch(pc)");
    expect(p.run(0)).toBe(runReferenceR0(insns));
  });

  it("a latch-first loop entered at its condition compiles without the dispatch loop", () => {
    // 2: ja to the condition at 5 · 3: r1 -= 1 · 4: r0 += 10 · 5: back to 3 while r1 > 0
    const insns = [mov64(0, 0), mov64(1, 4), encodeJa(2), aluK(CLS.ALU64, ALU.SUB, 1, 1), aluK(CLS.ALU64, ALU.ADD, 0, 10),
      jK(CLS.JMP, JMP.JSGT, 1, 0, -3), exit()];
    const p = compileProgram(program(insns), testEnv());
    expect(p.source).not.toContain("switch(pc)");
    expect(p.run(0)).toBe(runReferenceR0(insns));
  });
});

function encodeJa(off: number): Insn {
  return jK(CLS.JMP, JMP.JA, 0, 0, off);
}

function runReferenceR0(insns: Insn[]): number {
  return Number(BigInt.asIntN(32, runReference(program(insns).insns, new BpfMemory(), [1 << 20]).regs[0]!));
}
