/**
 * Map definitions found in an object: BTF-defined maps in `.maps` (each variable a struct whose
 * members encode the definition: `__uint(type, X)` is `int (*type)[X]`, `__type(key, T)` is
 * `T *key`), and the global-data sections `.data*`, `.rodata*`, `.bss*`, each a one-element
 * array whose value is the section's bytes.
 */
import type { Btf } from "./btf_types.js";
import { type ElfObject, type ElfSection, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS, SHT_PROGBITS } from "./elf.js";
import { fail } from "./errors.js";
import { BPF_MAP_TYPE_ARRAY, type BpfMapSpec } from "../maps/map_types.js";

export interface MapDef {
  readonly spec: BpfMapSpec;
  /** "maps" for `.maps` definitions, "data" for global data, "kconfig" for the extern-config map. */
  readonly origin: "maps" | "data" | "kconfig";
  /** ELF section index (global data and `.maps`), or -1 for kconfig. */
  readonly sectionIndex: number;
  /** Offset of the map's variable in `.maps` (0 for global data). */
  readonly symOffset: number;
  /** Initial value bytes for global data (none for .bss, which starts zeroed). */
  readonly initial?: Uint8Array;
  /** Global data programs may not write (`.rodata*`, `.kconfig`). */
  readonly readonly: boolean;
  /** BTF type ids of key and value in the object BTF, when declared with `__type`. */
  readonly keyType?: number;
  readonly valueType?: number;
  /** Map-in-map: the inner map template and where the `.values` initialiser starts in the definition. */
  readonly inner?: { readonly spec: BpfMapSpec; readonly valuesOffset: number };
}

/** Global data beyond this, all sections together, is refused (a hostile .bss size must not allocate gigabytes). */
const MAX_DATA_SECTION = 64 << 20;
const DATA_SECTION = /^\.(data|rodata|bss)(\..+)?$/;

/** Whether a section becomes a global-data map. */
export function isDataSection(s: ElfSection): boolean {
  return DATA_SECTION.test(s.name) && (s.flags & SHF_ALLOC) !== 0 && (s.flags & SHF_EXECINSTR) === 0
    && (s.type === SHT_PROGBITS || s.type === SHT_NOBITS) && s.size > 0;
}

/** Global-data maps, one per non-empty data section, in section order. */
export function dataMapDefs(elf: ElfObject): MapDef[] {
  let total = 0;
  return elf.sections.filter(isDataSection).map((s) => {
    total += s.size;
    if (total > MAX_DATA_SECTION) fail(`section ${s.name}: global data beyond ${MAX_DATA_SECTION} bytes in all is more than scxlab allows`);
    return {
    spec: { name: s.name, type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: s.size, maxEntries: 1, mapFlags: 0 },
    origin: "data",
    sectionIndex: s.index,
    symOffset: 0,
    // .bss needs no initial bytes: map values start zero-filled.
    ...(s.type === SHT_NOBITS ? {} : { initial: s.data }),
    readonly: s.name.startsWith(".rodata"),
  } satisfies MapDef;
  });
}

const INT_FIELDS = ["type", "max_entries", "map_flags", "key_size", "value_size", "numa_node", "map_extra", "pinning"] as const;

/** BTF-defined maps from `.maps`. */
export function btfMapDefs(elf: ElfObject, btf: Btf): MapDef[] {
  const sec = elf.sectionByName(".maps");
  if (sec === undefined) return [];
  const dsId = btf.find("datasec", ".maps") ?? fail("section .maps has no BTF description (compile with -g)");
  const ds = btf.type(dsId);
  if (ds.kind !== "datasec") fail(".maps: BTF type is not a DATASEC");
  return ds.vars.map((v) => {
    const variable = btf.type(v.type);
    if (variable.kind !== "var") fail(".maps: lists a non-variable");
    const sym = elf.symbolIn(sec.index, variable.name);
    const symOffset = sym?.value ?? v.offset;
    return parseMapStruct(btf, variable.name, variable.type, sec.index, symOffset);
  });
}

function parseMapStruct(btf: Btf, name: string, typeId: number, sectionIndex: number, symOffset: number, depth = 0): MapDef {
  const t = btf.resolved(typeId);
  if (t.kind !== "struct") fail(`map ${name}: definition is a ${t.kind}, not a struct`);
  const ints = new Map<string, number>();
  let keyType: number | undefined, valueType: number | undefined;
  let inner: MapDef["inner"];
  for (const m of t.members) {
    if ((INT_FIELDS as readonly string[]).includes(m.name)) {
      ints.set(m.name, encodedInt(btf, name, m.name, m.type));
    } else if (m.name === "key" || m.name === "value") {
      const p = btf.resolved(m.type);
      if (p.kind !== "ptr") fail(`map ${name}: ${m.name} must be declared with __type (a pointer), found ${btf.describe(m.type)}`);
      if (m.name === "key") keyType = p.type; else valueType = p.type;
    } else if (m.name === "values") {
      inner = innerTemplate(btf, name, m.type, m.bitOffset / 8, depth);
    } else {
      fail(`map ${name}: unknown map definition field "${m.name}"`);
    }
  }
  const type = ints.get("type") ?? fail(`map ${name}: no map type (__uint(type, ...))`);
  const keySize = sizeFrom(btf, name, "key", ints.get("key_size"), keyType);
  // A map-in-map's value is the inner map (an fd, 4 bytes, in the kernel's terms).
  const valueSize = inner !== undefined ? 4 : sizeFrom(btf, name, "value", ints.get("value_size"), valueType);
  const extra = ints.get("map_extra") ?? 0;
  const spec: BpfMapSpec = { name, type, keySize, valueSize, maxEntries: ints.get("max_entries") ?? 0, mapFlags: ints.get("map_flags") ?? 0, ...(extra !== 0 ? { mapExtra: extra } : {}) };
  return { spec, origin: "maps", sectionIndex, symOffset, readonly: false, ...(inner ? { inner } : {}), ...(keyType !== undefined ? { keyType } : {}), ...(valueType !== undefined ? { valueType } : {}) };
}

/** `__array(values, struct inner)` is `struct inner *values[]`: the inner map's definition. */
function innerTemplate(btf: Btf, map: string, typeId: number, valuesOffset: number, depth: number): NonNullable<MapDef["inner"]> {
  if (depth > 0) fail(`map ${map}: maps nested more than one level are not supported`);
  const a = btf.resolved(typeId);
  if (a.kind !== "array") fail(`map ${map}: values must be declared with __array, found ${btf.describe(typeId)}`);
  const p = btf.resolved(a.elem);
  if (p.kind !== "ptr") fail(`map ${map}: values must be an array of map definitions`);
  const def = parseMapStruct(btf, `${map}.inner`, p.type, -1, 0, depth + 1);
  return { spec: def.spec, valuesOffset };
}

/** `int (*name)[N]` encodes N; so does `enum { X = N } name` (libbpf's `__ulong`, for 64-bit values). */
function encodedInt(btf: Btf, map: string, field: string, typeId: number): number {
  const p = btf.resolved(typeId);
  if ((p.kind === "enum" || p.kind === "enum64") && p.values.length === 1) {
    const v = p.values[0]!.value;
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`map ${map}: ${field} ${v} is out of range`);
    return Number(v);
  }
  if (p.kind !== "ptr") fail(`map ${map}: ${field} must be declared with __uint (a pointer to an array), found ${btf.describe(typeId)}`);
  const a = btf.resolved(p.type);
  if (a.kind !== "array") fail(`map ${map}: ${field} must point to an array, found ${btf.describe(p.type)}`);
  return a.nelems;
}

function sizeFrom(btf: Btf, map: string, what: string, declared: number | undefined, typeId: number | undefined): number {
  const fromType = typeId === undefined ? undefined : btf.sizeOf(typeId);
  if (declared !== undefined && fromType !== undefined && declared !== fromType) {
    fail(`map ${map}: ${what}_size ${declared} disagrees with the ${what} type's size ${fromType}`);
  }
  return declared ?? fromType ?? 0;
}
