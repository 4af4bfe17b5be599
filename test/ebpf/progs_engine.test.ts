import { describe, expect, it } from "vitest";
import { compileProgram } from "../../sim/ebpf/engine.js";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { clangTestsEnabled, compileBpf, elfSection } from "./clang.js";
import { testEnv } from "./asm.js";
import { runReference } from "./reference.js";

const CTX_WORDS = 32;
const INPUTS: ReadonlyArray<readonly bigint[]> = [
  [0x0123456789abcdefn, 0xfedcba9876543210n, 37n],
  [5n, 0n, 0n],
  [(1n << 63n), (1n << 64n) - 1n, 63n],
  [0xffffffff80000000n, 0xffffffffffffffffn, 0x8000000000000000n],
  [1000n, 7n, 12n],
];

function setup(inputs: readonly bigint[]): { memory: BpfMemory; ctx: number } {
  const memory = new BpfMemory();
  const ctx = memory.alloc(CTX_WORDS * 8, { name: "ctx", writable: true, kind: "ctx" });
  inputs.forEach((v, k) => memory.writeU64(ctx + 8 * k, v));
  return { memory, ctx };
}

describe.runIf(clangTestsEnabled())("BPF C programs built by clang-19 -mcpu=v4", () => {
  it("eng_isa: every instruction class clang emits gives the reference's results", () => {
    const text = elfSection(compileBpf("eng_isa.bpf.c"), ".text");
    const prog = { name: "eng_isa", section: ".text", insns: text, kfuncNames: [] };
    for (const inputs of INPUTS) {
      const e = setup(inputs);
      const compiled = compileProgram(prog, testEnv({}, e.memory));
      compiled.run(e.ctx);
      const r = setup(inputs);
      const tops = Array.from({ length: 8 }, (_, k) => r.memory.alloc(512, { name: `frame ${k}`, writable: true, kind: "stack" }) + 512);
      const ref = runReference(text, r.memory, tops, BigInt(r.ctx), 100_000_000);
      expect(e.memory.bytes(e.ctx, CTX_WORDS * 8)).toEqual(r.memory.bytes(r.ctx, CTX_WORDS * 8));
      expect(compiled.lastR0()).toBe(ref.regs[0]);
    }
  });

  it("eng_isa: hand-checked outputs (division, atomics, cmpxchg, the may_goto loop)", () => {
    const text = elfSection(compileBpf("eng_isa.bpf.c"), ".text");
    const e = setup([1000n, 7n, 12n]);
    compileProgram({ name: "eng_isa", section: ".text", insns: text, kfuncNames: [] }, testEnv({}, e.memory)).run(e.ctx);
    const out = (k: number): bigint => e.memory.readU64(e.ctx + 64 + 8 * k);
    expect(out(1)).toBe(1000n / 7n);
    expect(out(2)).toBe(1000n / 7n);
    expect(out(3)).toBe(1000n % 13n);
    expect(out(16)).toBe(12n); // cmpxchg saw c (the xchg stored it) and swapped in a
    expect(out(17)).toBe(1000n); // now holds a: the compare fails
    expect(out(21)).toBe(1000n);
    expect(out(11)).toBe(1000n + 12n); // the fetch sees the earlier non-fetch add of c
    expect(out(12)).toBe(1000n + 12n + 5n);
    const z = setup([5n, 0n, 0n]);
    compileProgram({ name: "eng_isa", section: ".text", insns: text, kfuncNames: [] }, testEnv({}, z.memory)).run(z.ctx);
    expect(z.memory.readU64(z.ctx + 64 + 8)).toBe(0n); // b == 0 guarded in C
  });
});
