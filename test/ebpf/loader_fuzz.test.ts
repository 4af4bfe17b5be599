import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfObjectError, loadBpfObject } from "../../sim/ebpf/obj/index.js";
import { readElf } from "../../sim/ebpf/obj/elf.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

/** Load, and report only whether it loaded or failed with a one-line BpfObjectError; anything else escapes. */
function tryLoad(bytes: Uint8Array): "ok" | "refused" {
  try {
    loadBpfObject(bytes, "fuzz.bpf.o", new BpfMemory(), { nrCpus: 2 });
    return "ok";
  } catch (e) {
    if (!(e instanceof BpfObjectError)) throw e;
    expect(e.message.startsWith("fuzz.bpf.o: ")).toBe(true);
    expect(e.message).not.toContain("\n");
    return "refused";
  }
}

describe.runIf(clangTestsEnabled())("loader on hostile bytes", () => {
  it("a real object with random bytes overwritten loads or is refused with a BpfObjectError, never crashes", () => {
    const real = compileBpf("ld_basic.bpf.c");
    const core = compileBpf("ld_core.bpf.c");
    expect(tryLoad(real)).toBe("ok");
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
    fc.assert(fc.property(fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 12 }), (useCore, edits) => {
      const b = (useCore ? core : real).slice();
      for (const e of edits) b[e.at % b.length] = e.byte;
      tryLoad(b);
    }), { numRuns: 400 });
  });

  it("headers and tables hit where they hurt (section header fields, BTF header) never crash the loader", () => {
    const real = compileBpf("ld_basic.bpf.c");
    const dv = new DataView(real.buffer, real.byteOffset, real.byteLength);
    const shoff = Number(dv.getBigUint64(40, true));
    const shnum = dv.getUint16(60, true);
    const word = fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 8, 24), fc.nat());
    fc.assert(fc.property(fc.integer({ min: 0, max: shnum - 1 }), fc.constantFrom(0, 4, 24, 28, 32, 36, 40, 44), word, (sec, field, v) => {
      const b = real.slice();
      new DataView(b.buffer).setUint32(shoff + sec * 64 + field, v >>> 0, true);
      tryLoad(b);
    }), { numRuns: 400 });
  });

  it("edits inside the sections the loader parses (BTF, BTF.ext, symbols, relocations, maps, code) never crash it", () => {
    const real = compileBpf("ld_basic.bpf.c");
    const elf = readElf(real);
    const targets = elf.sections.filter((s) => [".BTF", ".BTF.ext", ".symtab", ".maps", ".struct_ops.link", ".text"].includes(s.name) || s.name.startsWith(".rel") && !s.name.includes("debug"));
    expect(targets.length).toBeGreaterThan(6);
    const edit = fc.record({ at: fc.nat(), byte: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 1), fc.integer({ min: 0, max: 255 })) });
    fc.assert(fc.property(fc.integer({ min: 0, max: targets.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (t, edits) => {
      const sec = targets[t]!;
      const b = real.slice();
      for (const e of edits) b[sec.data.byteOffset - real.byteOffset + (e.at % sec.data.length)] = e.byte;
      tryLoad(b);
    }), { numRuns: 600 });
  });

  it("every truncation of a real object is refused cleanly", () => {
    const real = compileBpf("ld_basic.bpf.c");
    for (let n = 0; n < real.length; n += 97) expect(tryLoad(real.subarray(0, n))).toBe("refused");
  });
});
