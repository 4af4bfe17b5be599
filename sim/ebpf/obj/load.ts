/**
 * loadBpfObject: the one public entry of the loader. Reads the ELF object, its BTF and BTF.ext,
 * creates every map in the given BpfMemory (global data filled with its initial bytes), applies
 * CO-RE relocations against scxlab's kernel model, links each entry program, and reads the
 * struct_ops tables, the settable `.rodata` variables and the user exit info. Any problem with
 * the object is one BpfObjectError line naming the file.
 */
import type { BpfMemory } from "../memory.js";
import { createMapStore } from "../maps/create.js";
import { MapArray } from "../maps/map_array.js";
import { ARENA_PAGE, ArenaMap } from "../maps/arena.js";
import { parseBtf } from "./btf.js";
import { fixDatasecs } from "./datasec_fixup.js";
import { parseBtfExt, type BtfExt } from "./btf_ext.js";
import { findCodeUnits } from "./code_units.js";
import { applyCoreRelos } from "./core.js";
import { SHT_NOBITS, type ElfObject, type ElfRel, type ElfSymbol } from "./elf.js";

/** Where clang puts variables of address space 1 (`__arena` globals). */
const ARENA_SECTION = ".addr_space.1";
import { readElf } from "./elf.js";
import { BpfObjectError, ObjFormatError, fail } from "./errors.js";
import { collectExterns } from "./externs.js";
import { kernelConfig } from "./kconfig.js";
import { DEFAULT_HZ } from "../../kernel.js";
import { findUei, globalVars } from "./globals.js";
import { KERNEL_BTF, MODEL_NR_CPUS } from "./kernel_btf.js";
import { linkProgram, type LinkInput, type LoadedProgram, type SymbolTarget } from "./link.js";
import { btfMapDefs, dataMapDefs, type MapDef } from "./map_defs.js";
import { BpfObject, dataRegionName, type LoadedMap } from "./object.js";
import { PercpuKsyms } from "./percpu_ksyms.js";
import { readStructOps } from "./struct_ops.js";

export interface LoadOptions {
  /** CPUs per-CPU maps hold a copy for (default: the kernel model's NR_CPUS). */
  nrCpus?: number;
  /**
   * Which kfuncs scxlab provides. A strong extern it lacks is refused at load; a weak one links
   * (calls fault if reached) and reads as 0 through bpf_ksym_exists(). Default: all provided.
   */
  kfuncAvailable?: (name: string) => boolean;
  /** Which LLC each CPU shares (per-CPU kernel variables such as sd_llc_id); default: one LLC for all. */
  llcOf?: (cpu: number) => number;
  /** The machine's tick rate, `.kconfig`'s CONFIG_HZ (default: the kernel model's 250). */
  hz?: number;
}

/** Load a `.bpf.o` into `memory`. Throws BpfObjectError (one line: `<file>: <what>`). */
export function loadBpfObject(bytes: Uint8Array, file: string, memory: BpfMemory, opts: LoadOptions = {}): BpfObject {
  try {
    return load(bytes, file, memory, opts);
  } catch (e) {
    // RangeError: a typed array or BpfMemory allocation sized by hostile input.
    if (e instanceof ObjFormatError || e instanceof RangeError) throw new BpfObjectError(file, e.message);
    throw e;
  }
}

/**
 * The ELF reading of each object's bytes, kept while the bytes are: every run of a sweep loads
 * the same file's bytes again (into its own memory), and reading the ELF, with the relocations
 * of its debug sections, is a third of a load. Nothing writes into an ElfObject or the bytes
 * it views (code is copied before relocation).
 */
const elfs = new WeakMap<Uint8Array, ElfObject>();

function load(bytes: Uint8Array, file: string, memory: BpfMemory, opts: LoadOptions): BpfObject {
  let elf = elfs.get(bytes);
  if (elf === undefined) {
    elf = readElf(bytes);
    elfs.set(bytes, elf);
  }
  const btfSec = elf.sectionByName(".BTF") ?? fail("no .BTF section (compile with clang -g)");
  const parsed = parseBtf(btfSec.data);
  const strings = parsed.strings;
  const btf = fixDatasecs(parsed.btf, elf);
  const extSec = elf.sectionByName(".BTF.ext");
  const ext: BtfExt = extSec ? parseBtfExt(extSec.data, strings) : { funcInfo: new Map(), lineInfo: new Map(), coreRelos: new Map() };

  const externs = collectExterns(elf, btf, opts.kfuncAvailable ?? (() => true), kernelConfig(opts.hz ?? DEFAULT_HZ));
  const defs: MapDef[] = [...btfMapDefs(elf, btf), ...dataMapDefs(elf)];
  if (externs.kconfigMap) defs.push(externs.kconfigMap);
  const nrCpus = opts.nrCpus ?? MODEL_NR_CPUS;
  const maps = createMaps(defs, memory, nrCpus, file);
  const arenaData = placeArenaGlobals(elf, maps);
  const percpu = new PercpuKsyms(memory, nrCpus, externs.percpuKsymVars, { nrCpus, llcOf: opts.llcOf ?? (() => 0) });
  fillInnerMaps(elf, defs, maps);

  const units = findCodeUnits(elf);
  const code = new Map<number, Uint8Array>();
  for (const list of units.bySection.values()) {
    const sec = list[0]?.section;
    if (sec === undefined || code.has(sec.index)) continue;
    code.set(sec.index, sec.data.slice());
  }
  const poisoned = new Map<number, Map<number, string>>();
  for (const [name, relos] of ext.coreRelos) {
    const sec = elf.sectionByName(name);
    const insns = sec === undefined ? undefined : code.get(sec.index);
    if (insns === undefined) fail(`.BTF.ext: CO-RE relocations for ${name}, which is not a code section`);
    poisoned.set(sec!.index, applyCoreRelos(insns, relos, btf, KERNEL_BTF, name));
  }

  const input: LinkInput = {
    elf, units, code, rels: codeRels(elf, code), externs, poisoned,
    kconfigMap: defs.findIndex((d) => d.origin === "kconfig"),
    hasRodata: defs.some((d) => d.origin === "data" && d.readonly),
    percpuAddr: (name) => percpu.addrOf(name),
    lineInfo: new Map([...ext.lineInfo].map(([sec, l]) => [sec, [...l].sort((a, b) => a.insn - b.insn)])),
    mapTarget: mapTargets(elf, defs, arenaData),
  };
  const programs = new Map<string, LoadedProgram>();
  for (const entry of units.entries) {
    if (programs.has(entry.name)) fail(`two programs are called ${entry.name}`);
    programs.set(entry.name, linkProgram(entry, input));
  }

  const opsPrograms = new Set(units.entries.filter((u) => u.section.name.startsWith("struct_ops")).map((u) => u.name));
  const structOps = readStructOps(elf, btf, opsPrograms);
  const dataMaps = new Map<string, number>();
  defs.forEach((d, i) => { if (d.origin === "data") dataMaps.set(d.spec.name, i); });
  const vars = globalVars(btf, dataMaps);
  const uei = findUei(btf, vars, (m) => defs[m]!.readonly);
  return new BpfObject(file, memory, btf, maps, programs, structOps, vars, uei, externs.kfuncs, percpu);
}

interface ArenaGlobals {
  readonly section: number;
  readonly map: number;
  readonly size: number;
}

/**
 * `__arena` globals (section `.addr_space.1`) live in the object's one arena, in pages at its
 * end, as libbpf places them on kernels whose ld_imm64 takes any offset (all scxlab models).
 * References to them load the user address (the arena's direct value address).
 */
function placeArenaGlobals(elf: ElfObject, maps: readonly LoadedMap[]): ArenaGlobals | undefined {
  const arenas = maps.filter((m) => m.store instanceof ArenaMap);
  if (arenas.length > 1) fail(`maps ${arenas[0]!.name} and ${arenas[1]!.name} are both arenas; an object may have one`);
  const sec = elf.sectionByName(ARENA_SECTION);
  if (sec === undefined) return undefined;
  const m = arenas[0] ?? fail(`section ${ARENA_SECTION}: __arena globals need an arena map declared in .maps`);
  const arena = m.store as ArenaMap;
  if (Math.ceil(sec.size / ARENA_PAGE) > arena.pages) fail(`section ${ARENA_SECTION}: ${sec.size} bytes of __arena globals do not fit arena ${m.name} (${arena.pages} pages)`);
  arena.placeGlobals(sec.type === SHT_NOBITS ? new Uint8Array(sec.size) : sec.data);
  return { section: sec.index, map: m.index, size: sec.size };
}

function createMaps(defs: readonly MapDef[], memory: BpfMemory, nrCpus: number, file: string): LoadedMap[] {
  return defs.map((def, index) => {
    const name = def.spec.name;
    const region = def.origin === "maps" ? undefined
      : { kind: def.readonly ? "rodata" as const : "global_data" as const, writable: !def.readonly, name: dataRegionName(file, name) };
    const store = createMapStore(def.spec, memory, region ? { nrCpus, region } : { nrCpus });
    if (typeof store === "string") fail(store);
    if (def.initial !== undefined && store.storage === "keyed") {
      memory.hostBytes(store.lookupKey(new Uint8Array(4), 0), def.initial.length).set(def.initial);
    }
    const addr = memory.alloc(8, { name: `map ${name}`, writable: false, kind: "kernel_object" });
    return { index, name, def, store, addr };
  });
}

/** Put each map-in-map's `.values` initialiser (relocations in `.rel.maps`) into its slots. */
function fillInnerMaps(elf: ElfObject, defs: readonly MapDef[], maps: readonly LoadedMap[]): void {
  const sec = elf.sectionByName(".maps");
  if (sec === undefined) return;
  const mapAt = new Map<number, number>();
  defs.forEach((d, i) => { if (d.origin === "maps") mapAt.set(d.symOffset, i); });
  // Map-in-map definitions by where their `.values` start; each relocation finds its owner by binary search.
  const outer = defs.flatMap((d, i) => (d.inner === undefined ? [] : [{ i, start: d.symOffset + d.inner.valuesOffset }]))
    .sort((x, y) => x.start - y.start);
  if (outer.length === 0) return;
  for (const r of elf.rels.get(sec.index) ?? []) {
    let lo = 0, hi = outer.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (outer[mid]!.start <= r.offset) lo = mid; else hi = mid - 1;
    }
    const { i, start } = outer[lo]!;
    const d = defs[i]!, store = maps[i]!.store;
    if (r.offset < start || r.offset >= start + 8 * d.spec.maxEntries || !(store instanceof MapArray)) continue;
    if ((r.offset - start) % 8 !== 0) fail(`map ${d.spec.name}: .values entry at ${r.offset} is not pointer-aligned`);
    const j = r.sym.shndx === sec.index ? mapAt.get(r.sym.value) : undefined;
    if (j === undefined) fail(`map ${d.spec.name}: .values names ${r.sym.name}, which is not a map`);
    const want = d.inner!.spec, got = defs[j]!.spec;
    if (got.type !== want.type || got.keySize !== want.keySize || got.valueSize !== want.valueSize) {
      fail(`map ${d.spec.name}: inner map ${got.name} does not match the declared inner definition`);
    }
    store.setInner((r.offset - start) / 8, maps[j]!.addr);
  }
}

/** Relocations of code sections, by byte offset. */
function codeRels(elf: ElfObject, code: ReadonlyMap<number, Uint8Array>): Map<number, Map<number, ElfRel>> {
  const out = new Map<number, Map<number, ElfRel>>();
  for (const idx of code.keys()) {
    const m = new Map<number, ElfRel>();
    for (const r of elf.rels.get(idx) ?? []) {
      if (r.offset % 8 !== 0) fail(`relocation at ${elf.sections[idx]!.name}+${r.offset} is not on an instruction`);
      if (m.has(r.offset)) fail(`two relocations on ${elf.sections[idx]!.name}+${r.offset}`);
      m.set(r.offset, r);
    }
    out.set(idx, m);
  }
  return out;
}

/** Resolve a symbol plus addend to a `.maps` map, a global-data offset or an `__arena` global. */
function mapTargets(elf: ElfObject, defs: readonly MapDef[], arena: ArenaGlobals | undefined): (sym: ElfSymbol, addend: number) => SymbolTarget | undefined {
  const byOffset = new Map<number, number>();
  const bySection = new Map<number, number>();
  defs.forEach((d, i) => {
    if (d.origin === "maps") byOffset.set(d.symOffset, i);
    else if (d.origin === "data") bySection.set(d.sectionIndex, i);
  });
  return (sym, addend) => {
    const sec = elf.sections[sym.shndx];
    if (sec === undefined) return undefined;
    if (sec.name === ".maps") {
      const i = byOffset.get(sym.value + addend) ?? fail(`reference to ${sym.name || ".maps"}+${addend}, which is not the start of a map`);
      return { kind: "map", map: i };
    }
    if (arena !== undefined && sym.shndx === arena.section) return { kind: "value", map: arena.map, offset: sym.value + addend, limit: arena.size };
    const i = bySection.get(sym.shndx);
    if (i === undefined) return undefined;
    return { kind: "value", map: i, offset: sym.value + addend, limit: defs[i]!.spec.valueSize };
  };
}
