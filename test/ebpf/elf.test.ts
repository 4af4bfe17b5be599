import { describe, expect, it } from "vitest";
import { BpfMemory } from "../../sim/ebpf/memory.js";
import { BpfObjectError, loadBpfObject } from "../../sim/ebpf/obj/index.js";
import { readElf, R_BPF_64_32, R_BPF_64_64, STT_FUNC } from "../../sim/ebpf/obj/elf.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

function refusal(bytes: Uint8Array): string {
  try {
    loadBpfObject(bytes, "x.bpf.o", new BpfMemory());
  } catch (e) {
    expect(e).toBeInstanceOf(BpfObjectError);
    return (e as Error).message;
  }
  return "loaded";
}

describe("ELF reader", () => {
  it("refuses non-ELF and short input with one line", () => {
    expect(refusal(new Uint8Array(10))).toBe("x.bpf.o: not an ELF object: 10 bytes is shorter than an ELF64 header");
    expect(refusal(new Uint8Array(64))).toBe("x.bpf.o: not an ELF object (bad magic)");
  });

  it("keeps a refusal on one line even when a name from the object holds control characters", () => {
    expect(new BpfObjectError("x.bpf.o", "field a\nb\x00c is not in the model").message).toBe("x.bpf.o: field a\\u000ab\\u0000c is not in the model");
  });
});

describe.runIf(clangTestsEnabled())("ELF reader on clang-19 objects", () => {
  it("reads sections, symbols and relocations of a BPF object", () => {
    const elf = readElf(compileBpf("ld_basic.bpf.c"));
    expect(elf.sectionByName("struct_ops/ld_enqueue")?.size).toBeGreaterThan(0);
    const fn = elf.symbols.find((s) => s.name === "ld_enqueue")!;
    expect([fn.type, elf.sections[fn.shndx]!.name]).toEqual([STT_FUNC, "struct_ops/ld_enqueue"]);
    const rels = elf.rels.get(elf.sectionByName("struct_ops/ld_enqueue")!.index)!;
    expect(rels.filter((r) => r.type === R_BPF_64_64).map((r) => r.sym.name)).toContain("arr");
    expect(rels.filter((r) => r.type === R_BPF_64_32).map((r) => r.sym.name)).toEqual([".text", "scx_bpf_not_in_scxlab", "scx_bpf_dsq_insert"]);
  });

  it("refuses a wrong machine, a big-endian or 32-bit header and a section table past the end", () => {
    const real = compileBpf("ld_basic.bpf.c");
    const patch = (at: number, bytes: number[]): Uint8Array => { const b = real.slice(); b.set(bytes, at); return b; };
    expect(refusal(patch(18, [62, 0]))).toBe("x.bpf.o: ELF machine 62 is not EM_BPF (247): not a BPF object");
    expect(refusal(patch(5, [2]))).toBe("x.bpf.o: ELF is not little-endian (only little-endian BPF objects are supported)");
    expect(refusal(patch(4, [1]))).toBe("x.bpf.o: ELF class 1 is not ELF64");
    expect(refusal(patch(60, [0xff, 0x7f]))).toMatch(/^x\.bpf\.o: ELF: section header table at offset \d+ \(\+2097088\) is past the end/);
  });

  it("refuses a relocation type or a CO-RE kind it does not know, naming it", () => {
    const real = compileBpf("ld_basic.bpf.c");
    const elf = readElf(real);
    const relSec = elf.sections.find((x) => x.name === ".relstruct_ops/ld_enqueue")!;
    const b = real.slice();
    b[relSec.data.byteOffset - real.byteOffset + 8] = 2; // first relocation (ld_imm64 of arr) becomes R_BPF_64_ABS64
    expect(refusal(b)).toMatch(/^x\.bpf\.o: program ld_enqueue: struct_ops\/ld_enqueue insn \d+: relocation type 2 against arr on opcode 0x18 is not supported$/);

    const core = compileBpf("ld_core.bpf.c");
    const ext = readElf(core).sectionByName(".BTF.ext")!;
    const dv = new DataView(ext.data.buffer, ext.data.byteOffset, ext.data.byteLength);
    const firstKind = dv.getUint32(4, true) + dv.getUint32(24, true) + 4 + 8 + 12; // hdr_len + core_relo_off + rec_size + group header + kind
    const c = core.slice();
    new DataView(c.buffer).setUint32(ext.data.byteOffset - core.byteOffset + firstKind, 13, true);
    expect(refusal(c)).toMatch(/^x\.bpf\.o: struct_ops\/ld_core: insn \d+: unsupported CO-RE relocation kind 13$/);
  });
});
