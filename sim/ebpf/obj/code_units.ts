/**
 * The functions of an object's executable sections. A function in `.text` is a subprogram,
 * linked into the programs that call it or take its address; every function in any other
 * executable section (`struct_ops/...`, `syscall`, ...) is an entry program.
 */
import { type ElfObject, type ElfSection, SHF_EXECINSTR, SHT_PROGBITS, STT_FUNC } from "./elf.js";
import { fail } from "./errors.js";

export interface CodeUnit {
  readonly name: string;
  readonly section: ElfSection;
  /** First instruction, as an index into the section. */
  readonly start: number;
  /** Instruction slots. */
  readonly len: number;
  readonly entry: boolean;
}

export interface CodeUnits {
  readonly entries: readonly CodeUnit[];
  /** Units per section index, sorted by start. */
  readonly bySection: ReadonlyMap<number, readonly CodeUnit[]>;
  /** Units by section index and first instruction. */
  readonly starts: ReadonlyMap<number, ReadonlyMap<number, CodeUnit>>;
}

export function isCodeSection(s: ElfSection): boolean {
  return s.type === SHT_PROGBITS && (s.flags & SHF_EXECINSTR) !== 0;
}

export function findCodeUnits(elf: ElfObject): CodeUnits {
  const bySection = new Map<number, CodeUnit[]>();
  const starts = new Map<number, Map<number, CodeUnit>>();
  const entries: CodeUnit[] = [];
  for (const s of elf.sections) {
    if (!isCodeSection(s)) continue;
    if (s.size % 8 !== 0) fail(`section ${s.name}: size ${s.size} is not a whole number of instructions`);
    const units: CodeUnit[] = [];
    for (const sym of elf.symbolsOf(s.index)) {
      if (sym.type !== STT_FUNC) continue;
      if (sym.value % 8 !== 0 || sym.size % 8 !== 0 || sym.size === 0 || sym.value + sym.size > s.size) {
        fail(`function ${sym.name} in ${s.name}: bounds ${sym.value}+${sym.size} are not whole instructions inside the section`);
      }
      units.push({ name: sym.name, section: s, start: sym.value / 8, len: sym.size / 8, entry: s.name !== ".text" });
    }
    units.sort((a, b) => a.start - b.start);
    for (let i = 1; i < units.length; i++) {
      if (units[i]!.start < units[i - 1]!.start + units[i - 1]!.len) fail(`functions ${units[i - 1]!.name} and ${units[i]!.name} overlap in ${s.name}`);
    }
    if (units.length === 0 && s.size > 0) fail(`section ${s.name} has code but no function symbol`);
    bySection.set(s.index, units);
    starts.set(s.index, new Map(units.map((u) => [u.start, u])));
    for (const u of units) if (u.entry) entries.push(u);
  }
  return { entries, bySection, starts };
}

/** The unit starting exactly at instruction `insn` of section `sec`, or undefined. */
export function unitAt(units: CodeUnits, sec: number, insn: number): CodeUnit | undefined {
  return units.starts.get(sec)?.get(insn);
}
