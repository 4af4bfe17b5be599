import { describe, expect, it } from "vitest";
import { parseBtf } from "../../sim/ebpf/obj/btf.js";
import { parseBtfExt } from "../../sim/ebpf/obj/btf_ext.js";
import { readElf } from "../../sim/ebpf/obj/elf.js";
import { ObjFormatError } from "../../sim/ebpf/obj/errors.js";
import { clangTestsEnabled, compileBpf } from "./clang.js";

describe.runIf(clangTestsEnabled())(".BTF and .BTF.ext parsers", () => {
  it("parse every BTF kind clang emits, with names, sizes, members and values", () => {
    const elf = readElf(compileBpf("ld_btf.bpf.c"));
    const { btf, strings } = parseBtf(elf.sectionByName(".BTF")!.data);
    const kinds = new Set(btf.types.map((t) => t.kind));
    for (const k of ["int", "ptr", "array", "struct", "union", "enum", "enum64", "fwd", "typedef", "volatile", "const", "restrict",
      "func", "func_proto", "var", "datasec", "float", "decl_tag", "type_tag"]) expect(kinds, k).toContain(k);
    const tagged = btf.type(btf.find("struct", "tagged")!);
    expect(tagged.kind === "struct" && tagged.members.map((m) => m.name)).toEqual(["counted", "tp", "op", "u", "s", "b", "r", "cv"]);
    expect(tagged.kind === "struct" && tagged.members.map((m) => m.bitOffset / 8)).toEqual([0, 8, 16, 24, 28, 32, 40, 44]);
    const small = btf.type(btf.find("enum", "small")!);
    expect(small.kind === "enum" && [small.signed, small.values.map((v) => v.value)]).toEqual([true, [-1n, 2n]]);
    const big = btf.type(btf.find("enum64", "big")!);
    expect(big.kind === "enum64" && big.values[0]!.value).toBe(1n << 40n);
    const tag = btf.types.find((t) => t.kind === "decl_tag");
    expect(tag && tag.kind === "decl_tag" && [tag.name, tag.component, btf.type(tag.type).name]).toEqual(["scxlab_tag", 0, "tagged"]);
    expect(btf.types.find((t) => t.kind === "type_tag")?.name).toBe("scxlab_ptr");
    expect(btf.type(btf.find("fwd", "opaque")!)).toMatchObject({ union: false });
    expect(btf.sizeOf(btf.find("typedef", "ratio_t")!)).toBe(4);
    expect(btf.sizeOf(btf.find("struct", "tagged")!)).toBe(48);

    const ext = parseBtfExt(elf.sectionByName(".BTF.ext")!.data, strings);
    const funcs = ext.funcInfo.get("struct_ops/ld_btf")!;
    expect(funcs.map((f) => btf.type(f.typeId).name)).toEqual(["ld_btf"]);
    expect(ext.funcInfo.get(".text")!.map((f) => btf.type(f.typeId).name)).toEqual(["sum"]);
    expect(ext.lineInfo.get("struct_ops/ld_btf")!.every((l) => l.file.endsWith("ld_btf.bpf.c") && l.line > 0)).toBe(true);
  });

  it("refuses malformed BTF in one line: bad magic, a reference past the last type, a truncated type", () => {
    const err = (b: Uint8Array): string => {
      try { parseBtf(b); } catch (e) { expect(e).toBeInstanceOf(ObjFormatError); return (e as Error).message; }
      return "parsed";
    };
    // Type 1: int "x" (4 bytes, signed); type 2: pointer to type `target`.
    const INT = [1, (1 << 24) >>> 0, 4, (1 << 24) | 32], PTR = (target: number): number[] => [0, (2 << 24) >>> 0, target];
    expect(err(btfBytes([...INT, ...PTR(1)]))).toBe("parsed");
    const good = btfBytes([...INT, ...PTR(1)]);
    good[0] = 0;
    expect(err(good)).toBe(".BTF: bad magic (not BTF, or big-endian)");
    expect(err(btfBytes([...INT, ...PTR(3)]))).toBe(".BTF: type 2 ptr refers to type 3, past the last type 2");
    expect(err(btfBytes([...INT, ...PTR(1)].slice(0, 6)))).toMatch(/^\.BTF type section: type 2 size at offset \d+ \(\+4\) is past the end/);
  });
});

/** A .BTF section from u32 words of type records, with the string table "\0x\0". */
function btfBytes(words: readonly number[]): Uint8Array {
  const strs = [0, 0x78, 0];
  const out = new Uint8Array(24 + words.length * 4 + strs.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  dv.setUint32(4, 24, true);
  dv.setUint32(8, 0, true);
  dv.setUint32(12, words.length * 4, true);
  dv.setUint32(16, words.length * 4, true);
  dv.setUint32(20, strs.length, true);
  words.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, true));
  out.set(strs, 24 + words.length * 4);
  return out;
}
