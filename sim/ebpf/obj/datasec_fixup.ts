/**
 * clang leaves DATASEC sizes and variable offsets unset in object files; the real numbers are the
 * ELF section sizes and symbol values. Fix them up once after parsing, as libbpf does, so every
 * later reader can trust the BTF.
 */
import { Btf, type BtfType } from "./btf_types.js";
import type { ElfObject } from "./elf.js";
import { fail } from "./errors.js";

export function fixDatasecs(btf: Btf, elf: ElfObject): Btf {
  const types: BtfType[] = btf.types.map((t) => {
    if (t.kind !== "datasec") return t;
    const sec = elf.sectionByName(t.name);
    if (sec === undefined) return t;
    const vars = t.vars.map((v) => {
      const name = btf.type(v.type).name;
      const sym = elf.symbolIn(sec.index, name);
      const offset = sym?.value ?? v.offset;
      if (offset + v.size > sec.size) fail(`.BTF: variable ${name} (${v.size} bytes at ${offset}) is outside section ${t.name}`);
      return { ...v, offset };
    });
    return { ...t, size: sec.size, vars };
  });
  return new Btf(types, btf.what);
}
