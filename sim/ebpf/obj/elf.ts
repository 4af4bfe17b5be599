/**
 * An ELF64 little-endian relocatable object for EM_BPF, read defensively: sections with their
 * names and bytes, the symbol table, and the `.rel*` relocation sections. Only what a BPF object
 * uses; anything else (big-endian, 32-bit, RELA, extended numbering) is refused by name.
 */
import { ByteReader, StringTable } from "./bytes.js";
import { fail } from "./errors.js";

export const EM_BPF = 247;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

/** BPF relocation types (llvm_reloc.rst). */
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_32 = 10;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  /** Declared size (NOBITS sections have a size but no bytes in the file). */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  /** File bytes; empty for NOBITS. */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly bind: number;
  /** STV_* visibility (st_other & 3). */
  readonly visibility: number;
  readonly shndx: number;
  readonly value: number;
  readonly size: number;
}

export interface ElfRel {
  readonly offset: number;
  readonly type: number;
  readonly sym: ElfSymbol;
}

export interface ElfObject {
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  /** Relocations by the index of the section they patch. */
  readonly rels: ReadonlyMap<number, readonly ElfRel[]>;
  sectionByName(name: string): ElfSection | undefined;
  /** The first non-section symbol called `name` defined in section `shndx`. */
  symbolIn(shndx: number, name: string): ElfSymbol | undefined;
  /** Symbols defined in section `shndx`. */
  symbolsOf(shndx: number): readonly ElfSymbol[];
}

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;

/** Parse an ELF64 LE EM_BPF relocatable object. Throws ObjFormatError with one line. */
export function readElf(bytes: Uint8Array): ElfObject {
  const r = new ByteReader(bytes, "ELF");
  if (bytes.length < EHDR_SIZE) fail(`not an ELF object: ${bytes.length} bytes is shorter than an ELF64 header`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail("not an ELF object (bad magic)");
  if (bytes[4] !== 2) fail(`ELF class ${bytes[4]} is not ELF64`);
  if (bytes[5] !== 1) fail("ELF is not little-endian (only little-endian BPF objects are supported)");
  const machine = r.u16(18);
  if (machine !== EM_BPF) fail(`ELF machine ${machine} is not EM_BPF (247): not a BPF object`);
  const shoff = r.size64(40, "e_shoff");
  const shentsize = r.u16(58);
  const shnum = r.u16(60);
  const shstrndx = r.u16(62);
  if (shnum === 0) fail("ELF has no section headers (or uses extended numbering, unsupported)");
  if (shentsize !== SHDR_SIZE) fail(`ELF section header size ${shentsize} is not ${SHDR_SIZE}`);
  r.need(shoff, shnum * SHDR_SIZE, "section header table");
  if (shstrndx >= shnum) fail(`ELF section-name table index ${shstrndx} is out of range (${shnum} sections)`);

  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * SHDR_SIZE;
    const type = r.u32(o + 4);
    const size = r.size64(o + 32, "sh_size");
    const offset = r.size64(o + 24, "sh_offset");
    const flags = Number(r.u64(o + 8) & 0xffffffffn);
    let data: Uint8Array = new Uint8Array(0);
    if (type !== SHT_NOBITS && type !== 0) {
      r.need(offset, size, `section ${i} contents`);
      data = bytes.subarray(offset, offset + size);
    }
    raw.push({ index: i, nameOff: r.u32(o), type, flags, size, link: r.u32(o + 40), info: r.u32(o + 44), data });
  }
  const shstr = raw[shstrndx]!;
  if (shstr.type !== SHT_STRTAB) fail(`ELF section-name table (section ${shstrndx}) is not a string table`);
  const names = new StringTable(shstr.data, "ELF section names");
  const sections: ElfSection[] = raw.map((s) => ({
    index: s.index, name: s.index === 0 ? "" : names.at(s.nameOff), type: s.type, flags: s.flags,
    size: s.size, link: s.link, info: s.info, data: s.data,
  }));

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) fail("ELF has more than one symbol table");
  const symbols = symtabs.length === 1 ? readSymbols(symtabs[0]!, sections) : [];

  const rels = new Map<number, ElfRel[]>();
  for (const s of sections) {
    if (s.type === SHT_RELA) fail(`section ${s.name}: RELA relocations are not used by BPF objects (unsupported)`);
    if (s.type !== SHT_REL) continue;
    if (s.info === 0 || s.info >= sections.length) fail(`section ${s.name}: relocates section ${s.info}, which does not exist`);
    if (symtabs.length === 0 || s.link !== symtabs[0]!.index) fail(`section ${s.name}: its symbol table (section ${s.link}) is not the object's .symtab`);
    if (s.data.length % REL_SIZE !== 0) fail(`section ${s.name}: size ${s.data.length} is not a multiple of ${REL_SIZE}`);
    const rr = new ByteReader(s.data, `section ${s.name}`);
    const target = sections[s.info]!;
    const list: ElfRel[] = rels.get(s.info) ?? [];
    for (let o = 0; o < s.data.length; o += REL_SIZE) {
      const offset = rr.size64(o, "r_offset");
      const info = rr.u64(o + 8);
      const symIdx = Number(info >> 32n);
      const type = Number(info & 0xffffffffn);
      const sym = symbols[symIdx];
      if (sym === undefined || symIdx === 0) fail(`section ${s.name}: relocation at ${offset} names symbol ${symIdx}, which does not exist`);
      if (offset >= target.size) fail(`section ${s.name}: relocation offset ${offset} is outside ${target.name} (${target.size} bytes)`);
      list.push({ offset, type, sym });
    }
    rels.set(s.info, list);
  }
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  const named = new Map<string, ElfSymbol>();
  const bySection = new Map<number, ElfSymbol[]>();
  for (const sym of symbols) {
    const list = bySection.get(sym.shndx);
    if (list) list.push(sym); else bySection.set(sym.shndx, [sym]);
    if (sym.type === STT_SECTION) continue;
    const key = `${sym.shndx}:${sym.name}`;
    if (!named.has(key)) named.set(key, sym);
  }
  return {
    sections, symbols, rels,
    sectionByName: (n) => byName.get(n),
    symbolIn: (shndx, n) => named.get(`${shndx}:${n}`),
    symbolsOf: (shndx) => bySection.get(shndx) ?? [],
  };
}

function readSymbols(symtab: ElfSection, sections: readonly ElfSection[]): ElfSymbol[] {
  if (symtab.data.length % SYM_SIZE !== 0) fail(`section ${symtab.name}: size ${symtab.data.length} is not a multiple of ${SYM_SIZE}`);
  const strsec = sections[symtab.link];
  if (strsec === undefined || strsec.type !== SHT_STRTAB) fail(`section ${symtab.name}: its string table (section ${symtab.link}) is missing`);
  const strs = new StringTable(strsec.data, `section ${strsec.name}`);
  const r = new ByteReader(symtab.data, `section ${symtab.name}`);
  const out: ElfSymbol[] = [];
  for (let o = 0, i = 0; o < symtab.data.length; o += SYM_SIZE, i++) {
    const info = r.u8(o + 4);
    const shndx = r.u16(o + 6);
    if (shndx !== SHN_UNDEF && shndx < 0xff00 && shndx >= sections.length) fail(`symbol ${i}: section index ${shndx} is out of range`);
    const type = info & 0xf;
    // Section symbols carry no name of their own; call them by their section's.
    const own = strs.at(r.u32(o));
    const name = own === "" && type === STT_SECTION ? sections[shndx]?.name ?? "" : own;
    out.push({
      index: i, name, type, bind: info >> 4, visibility: r.u8(o + 5) & 3,
      shndx, value: r.size64(o + 8, "st_value"), size: r.size64(o + 16, "st_size"),
    });
  }
  return out;
}
