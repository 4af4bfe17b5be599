import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ALU, ATOMIC, CALL_HELPER, CALL_KFUNC, CALL_PSEUDO, CLS, JMP, MAY_GOTO, PSEUDO, encode } from "../../sim/ebpf/isa.js";
import { compileProgram, invokeBpfFunction } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfRuntimeError, type BpfCallArgs } from "../../sim/ebpf/program.js";
import { aluK, atomic, call, exit, ja, jK, ld64, ldPseudo, ldx, mov64, movR, program, st, stx, testEnv, type Insn } from "./asm.js";
import { runReference } from "./reference.js";

const R10_OFFSETS = [-8, -16, -512];

function region(m: BpfMemory, size = 64, writable = true): number {
  return m.alloc(size, { name: "val", writable, kind: "map_value" });
}

function runBoth(insns: Insn[], size = 64): { engine: Uint8Array; reference: Uint8Array; r0: bigint; refR0: bigint } {
  const m1 = new BpfMemory(), m2 = new BpfMemory();
  const a1 = region(m1, size), a2 = region(m2, size);
  expect(a1).toBe(a2);
  const compiled = compileProgram(program([...ld64(1, BigInt(a1)), ...insns]), testEnv({}, m1));
  compiled.run(0);
  const stackTop = m2.alloc(512, { name: "stack", writable: true, kind: "stack" }) + 512;
  const ref = runReference(program([...ld64(1, BigInt(a2)), ...insns]).insns, m2, [stackTop]);
  return { engine: m1.bytes(a1, size).slice(), reference: m2.bytes(a2, size).slice(), r0: compiled.lastR0(), refR0: ref.regs[0]! };
}

describe("loads, stores and atomics", () => {
  it("random stores and (sign-extending) loads of every size and alignment agree with the reference", () => {
    const size = fc.constantFrom<1 | 2 | 4 | 8>(1, 2, 4, 8);
    const op = fc.oneof(
      fc.tuple(fc.constant("st" as const), size, fc.nat(56), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
      fc.tuple(fc.constant("stx" as const), size, fc.nat(56), fc.integer({ min: 2, max: 5 })),
      fc.tuple(fc.constant("ldx" as const), size, fc.nat(56), fc.integer({ min: 2, max: 5 }), fc.boolean()),
      fc.tuple(fc.constant("ld64" as const), fc.integer({ min: 2, max: 5 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
    );
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
      const insns: Insn[] = ops.flatMap((o): Insn[] => {
        switch (o[0]) {
          case "st": return [st(o[1], 1, o[2], o[3])];
          case "stx": return [stx(o[1], 1, o[3], o[2])];
          case "ldx": return [ldx(o[1], o[3], 1, o[2], o[4] && o[1] !== 8)];
          default: return ld64(o[1], o[2]);
        }
      });
      const r = runBoth([...insns, movR(0, 2), aluK(CLS.ALU64, ALU.ADD, 0, 0), exit()]);
      expect(r.engine).toEqual(r.reference);
      expect(r.r0).toBe(r.refR0);
    }), { numRuns: 200 });
  });

  it("atomic add/or/and/xor (with and without fetch), xchg and cmpxchg on 32 and 64 bits", () => {
    const ops = [ATOMIC.ADD, ATOMIC.OR, ATOMIC.AND, ATOMIC.XOR, ATOMIC.XCHG, ATOMIC.CMPXCHG];
    fc.assert(fc.property(
      fc.constantFrom<4 | 8>(4, 8), fc.constantFrom(...ops), fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean(),
      (n, op, fetch, init, operand, equal) => {
        const imm = op === ATOMIC.XCHG || op === ATOMIC.CMPXCHG ? op : op | (fetch ? ATOMIC.FETCH : 0);
        const insns: Insn[] = [
          ...ld64(2, init), stx(8, 1, 2, 8),
          ...ld64(0, equal ? init : init ^ 1n), ...ld64(3, operand),
          atomic(n, 1, 3, 8, imm),
          ldx(8, 4, 1, 8),
          // r0 = r0 ^ r3 ^ r4 exposes R0 (cmpxchg), the fetched r3 and the memory word
          encode(CLS.ALU64 | ALU.XOR | 0x08, 0, 3, 0, 0), encode(CLS.ALU64 | ALU.XOR | 0x08, 0, 4, 0, 0),
          exit(),
        ];
        const r = runBoth(insns);
        expect(r.engine).toEqual(r.reference);
        expect(r.r0).toBe(r.refR0);
      }), { numRuns: 300 });
  });
});

describe("calls", () => {
  it("bpf-to-bpf calls get their own R10 frame, keep R6-R9 and may write the caller's stack", () => {
    // main: r6 = 7; *(u64 *)(r10 - 8) = 5; r1 = r10 - 8; call sub; r0 += r6; r0 += *(u64 *)(r10 - 8); exit
    // sub:  r6 = 1000; *(u64 *)(r10 - 8) = 1; *(u64 *)(r1) += 100 (via load/add/store); r0 = r10 - caller frame? -> r0 = 1; exit
    const insns: Insn[] = [
      mov64(6, 7), st(8, 10, -8, 5), movR(1, 10), aluK(CLS.ALU64, ALU.ADD, 1, -8),
      call(CALL_PSEUDO, 4),
      encode(CLS.ALU64 | ALU.ADD | 0x08, 0, 6, 0, 0), ldx(8, 2, 10, -8), encode(CLS.ALU64 | ALU.ADD | 0x08, 0, 2, 0, 0), exit(),
      mov64(6, 1000), st(8, 10, -8, 1), ldx(8, 3, 1, 0), aluK(CLS.ALU64, ALU.ADD, 3, 100), stx(8, 1, 3, 0), ldx(8, 0, 10, -8), exit(),
    ];
    const p = compileProgram(program(insns), testEnv());
    // r0 = 1 (from sub) + 7 (r6 kept) + 105 (the caller's slot updated through the pointer)
    expect(p.run(0)).toBe(113);
  });

  it("helpers get R1-R5 and return R0 (numbers sign-extend; ret64 gives the full 64 bits)", () => {
    const seen: number[] = [];
    const helpers = {
      7: (a: BpfCallArgs): number => { seen.push(a.u(1), a.s(2), a.u32(3), a.s32(4), a.u(5)); return -22; },
      9: (a: BpfCallArgs): number => a.ret64(a.u64(1) * 3n),
    };
    const insns: Insn[] = [
      mov64(1, 1), mov64(2, -2), ...ld64(3, 0x1_ffff_fffen), mov64(4, -4), ...ld64(5, 1n << 40n),
      call(CALL_HELPER, 7), movR(6, 0),
      ...ld64(1, 0x5555_5555_5555_5555n), call(CALL_HELPER, 9), encode(CLS.ALU64 | ALU.ADD | 0x08, 0, 6, 0, 0), exit(),
    ];
    const p = compileProgram(program(insns), testEnv({ helpers }));
    p.run(0);
    expect(seen).toEqual([1, -2, 0xfffffffe, -4, 2 ** 40]);
    expect(p.lastR0()).toBe(BigInt.asUintN(64, 0x5555_5555_5555_5555n * 3n - 22n));
  });

  it("refuses an unknown helper at load, and faults only when an absent kfunc is reached", () => {
    expect(() => compileProgram(program([call(CALL_HELPER, 999), exit()]), testEnv())).toThrow(/helper 999 is not supported/);
    const p = compileProgram({ ...program([jK(CLS.JMP, JMP.JEQ, 1, 0, 1), call(CALL_KFUNC, 0), mov64(0, 3), exit()]), kfuncNames: ["scx_bpf_gone"] }, testEnv());
    expect(p.run(0)).toBe(3);
    expect(() => p.run(1)).toThrow(/insn 1: call to kfunc scx_bpf_gone/);
  });

  it("a helper can run a callback whose address the program took (bpf_loop style)", () => {
    const memory = new BpfMemory();
    const loop = (a: BpfCallArgs): number => {
      const n = a.u32(1), fn = a.u(2), ctx = a.ptr(3);
      let i = 0;
      for (; i < n; i++) if (invokeBpfFunction(memory, fn, i, ctx, 0, 0, 0) !== 0) { i++; break; }
      return i;
    };
    // main: ctx at r10-8 = 0; bpf_loop(10, cb, r10-8); r0 = *(u64*)(r10-8) * 1000 + r0; exit
    // cb(i, ctx): *ctx += i; return i == 4
    const insns: Insn[] = [
      st(8, 10, -8, 0), mov64(1, 10), ...ldPseudo(2, PSEUDO.FUNC, 12), movR(3, 10), aluK(CLS.ALU64, ALU.ADD, 3, -8),
      call(CALL_HELPER, 181), movR(6, 0), ldx(8, 0, 10, -8), aluK(CLS.ALU64, ALU.MUL, 0, 1000), encode(CLS.ALU64 | ALU.ADD | 0x08, 0, 6, 0, 0), exit(),
      ja(0),
      ldx(8, 3, 2, 0), encode(CLS.ALU64 | ALU.ADD | 0x08, 3, 1, 0, 0), stx(8, 2, 3, 0), mov64(0, 0), jK(CLS.JMP, JMP.JNE, 1, 4, 1), mov64(0, 1), exit(),
    ];
    const p = compileProgram(program(insns), testEnv({ helpers: { 181: loop } }, memory));
    expect(p.run(0)).toBe((0 + 1 + 2 + 3 + 4) * 1000 + 5);
  });

  it("gotol jumps by its 32-bit immediate", () => {
    const p = compileProgram(program([encode(CLS.JMP32 | JMP.JA, 0, 0, 0, 1), mov64(0, 1), mov64(0, 2), exit()]), testEnv());
    expect(p.run(0)).toBe(2);
  });

  it("ld_imm64 src 1 and src 2 yield the map and map-value addresses the env gives", () => {
    const p = compileProgram(program([...ldPseudo(1, PSEUDO.MAP_FD, 1), ...ldPseudo(0, PSEUDO.MAP_VALUE, 0, 24), encode(CLS.ALU64 | ALU.SUB | 0x08, 0, 1, 0, 0), exit()]),
      testEnv({ maps: [0x10000, 0x20000] }));
    expect(p.run(0)).toBe(0x10000 + 24 - 0x20000);
  });
});

describe("run-time enforcement", () => {
  const expectFault = (f: () => unknown, insn: number, msg: RegExp): void => {
    try { f(); } catch (e) {
      expect(e).toBeInstanceOf(BpfRuntimeError);
      const err = e as BpfRuntimeError;
      expect(err.insnIndex).toBe(insn);
      expect(err.message).toMatch(msg);
      return;
    }
    throw new Error("no fault");
  };

  it("an endless loop ends at the instruction budget", () => {
    const p = compileProgram(program([mov64(0, 0), aluK(CLS.ALU64, ALU.ADD, 0, 1), ja(-2), exit()], "spin"), testEnv(), { insnBudget: 10_000 });
    expectFault(() => p.run(0), 2, /spin: insn 2: instruction budget of 10000 exceeded/);
  });

  it("NULL, out-of-region and read-only accesses fault with the address named", () => {
    const m = new BpfMemory();
    const ro = m.alloc(16, { name: "rodata", writable: true, kind: "rodata" });
    m.freeze(ro);
    const env = testEnv({}, m);
    expectFault(() => compileProgram(program([mov64(1, 0), ldx(8, 0, 1, 0), exit()]), env).run(0), 1, /invalid read of 8 bytes at unmapped address 0x0/);
    expectFault(() => compileProgram(program([...ld64(1, BigInt(ro)), ldx(8, 0, 1, 12), exit()]), env).run(0), 2, /invalid read of 8 bytes at rodata\+12/);
    expectFault(() => compileProgram(program([...ld64(1, BigInt(ro)), st(4, 1, 0, 1), exit()]), env).run(0), 2, /read-only write of 4 bytes at rodata\+0/);
    expectFault(() => compileProgram(program([...ld64(1, 1n << 32n), ldx(1, 0, 1, 0), exit()]), env).run(0), 2, /invalid read/);
    expect(compileProgram(program([...ld64(1, BigInt(ro)), ldx(8, 0, 1, 8), exit()]), env).run(0)).toBe(0);
  });

  it("the stack is bounded by its frame and R10 cannot be written", () => {
    expectFault(() => compileProgram(program([movR(1, 10), ldx(8, 0, 1, 0), exit()]), testEnv()).run(0), 1, /invalid read/);
    expectFault(() => compileProgram(program([mov64(10, 0), exit()]), testEnv()).run(0), 0, /R10/);
    for (const off of R10_OFFSETS) {
      expect(compileProgram(program([st(8, 10, off, 9), ldx(8, 0, 10, off), exit()]), testEnv()).run(0)).toBe(9);
    }
  });

  it("unbounded recursion stops at the frame limit and the engine recovers", () => {
    const env = testEnv();
    const p = compileProgram(program([call(CALL_PSEUDO, -1), exit()]), env);
    expectFault(() => p.run(0), 0, /call depth/);
    expect(compileProgram(program([mov64(0, 4), exit()]), env).run(0)).toBe(4);
  });

  it("atomics must be naturally aligned", () => {
    const m = new BpfMemory();
    const v = region(m);
    expectFault(() => compileProgram(program([...ld64(1, BigInt(v)), mov64(2, 1), atomic(8, 1, 2, 4, ATOMIC.ADD), exit()]), testEnv({}, m)).run(0), 3, /misaligned atomic access of 8 bytes at val\+4/);
  });

  it("a helper that grows the memory mid-program leaves the program's accesses working", () => {
    const m = new BpfMemory();
    const v = region(m);
    const grow = (): number => m.alloc(1 << 20, { name: "big", writable: true, kind: "map_value" });
    // r6 = v; *(u64 *)(r6 + 0) = 41; r0 = grow(); *(u32 *)(r0 + 8) = 1; r1 = *(u64 *)(r6 + 0); r1 += 1; *(u64 *)(r6 + 8) = r1; r0 = r1; exit
    const insns = [...ld64(6, BigInt(v)), st(8, 6, 0, 41), call(CALL_HELPER, 1), st(4, 0, 8, 1), ldx(8, 1, 6, 0), aluK(CLS.ALU64, ALU.ADD, 1, 1), stx(8, 6, 1, 8), movR(0, 1), exit()];
    expect(compileProgram(program(insns), testEnv({ helpers: { 1: grow } }, m)).run(0)).toBe(42);
    expect(m.readU64(v + 8)).toBe(42n);
  });

  it("may_goto falls through 8M times, then jumps", () => {
    const p = compileProgram(program([mov64(0, 0), encode(MAY_GOTO, 0, 0, 2, 0), aluK(CLS.ALU64, ALU.ADD, 0, 1), ja(-3), exit()]), testEnv(), { insnBudget: 1e9 });
    expect(p.run(0)).toBe(8 * 1024 * 1024);
  });
});
