/**
 * Extern symbols of an object: kfuncs (functions in `.ksyms`, often `__weak`) and `.kconfig`
 * variables. kconfig externs get their own read-only global-data map, laid out like libbpf's
 * (each variable at its natural alignment), filled from scxlab's kernel configuration.
 */
import type { Btf } from "./btf_types.js";
import { type ElfObject, SHN_UNDEF, STB_WEAK } from "./elf.js";
import { fail } from "./errors.js";
import { essentialName } from "./core_spec.js";
import type { KconfigValue } from "./kconfig.js";
import { isModelledPercpu, percpuDeclError } from "./percpu_ksyms.js";
import type { MapDef } from "./map_defs.js";
import { BPF_MAP_TYPE_ARRAY } from "../maps/map_types.js";

export interface KfuncExtern {
  /** The kernel function's name: the symbol without a `___flavor` suffix (`scx_bpf_dispatch___compat` → `scx_bpf_dispatch`). */
  readonly name: string;
  /** The extern's own symbol name. */
  readonly symbol: string;
  readonly weak: boolean;
  /** Whether scxlab provides it; an unavailable weak kfunc resolves to 0. */
  readonly available: boolean;
}

export interface Externs {
  /** By symbol name. */
  readonly kfuncs: ReadonlyMap<string, KfuncExtern>;
  /** Typed kernel variables (`extern int x __ksym __weak`) scxlab's kernel lacks: each reads as NULL. */
  readonly absentKsymVars: ReadonlySet<string>;
  /** Typed per-CPU kernel variables scxlab's kernel has (percpu_ksyms.ts), by symbol name. */
  readonly percpuKsymVars: ReadonlySet<string>;
  /** kconfig variable name → offset in the kconfig map. */
  readonly kconfigOffsets: ReadonlyMap<string, number>;
  /** The kconfig map, when the object declares any kconfig extern. */
  readonly kconfigMap: MapDef | undefined;
}

/** Classify undefined symbols; `kfuncAvailable` says which kfuncs scxlab implements. */
export function collectExterns(elf: ElfObject, btf: Btf, kfuncAvailable: (name: string) => boolean, kconfig: ReadonlyMap<string, KconfigValue>): Externs {
  const ksyms = datasecNames(btf, ".ksyms");
  const kcfg = datasecNames(btf, ".kconfig");
  const kfuncs = new Map<string, KfuncExtern>();
  const kconfigVars: { name: string; typeId: number; weak: boolean }[] = [];
  const absentKsymVars = new Set<string>();
  const percpuKsymVars = new Set<string>();
  for (const s of elf.symbols) {
    if (s.shndx !== SHN_UNDEF || s.name === "" || s.index === 0) continue;
    const weak = s.bind === STB_WEAK;
    const k = ksyms.get(s.name);
    if (k !== undefined) {
      if (btf.type(k).kind !== "func") {
        if (isModelledPercpu(s.name)) {
          const t = btf.type(k);
          const why = percpuDeclError(s.name, btf, t.kind === "var" ? t.type : k);
          if (why !== undefined) fail(why);
          percpuKsymVars.add(s.name);
          continue;
        }
        if (!weak) fail(`kernel variable ${s.name} is not provided by scxlab (declare it __weak to read NULL)`);
        absentKsymVars.add(s.name);
        continue;
      }
      const name = essentialName(s.name);
      const available = kfuncAvailable(name);
      if (!available && !weak) fail(`kfunc ${name} is not provided by scxlab (declare it __weak to test for it with bpf_ksym_exists)`);
      kfuncs.set(s.name, { name, symbol: s.name, weak, available });
      continue;
    }
    const c = kcfg.get(s.name);
    if (c !== undefined) {
      kconfigVars.push({ name: s.name, typeId: c, weak });
      continue;
    }
    if (btf.find("func", s.name) !== undefined) fail(`extern function ${s.name} lives in another BPF object; link the objects first (bpftool gen object), scxlab loads one object`);
    fail(`extern ${s.name} is neither a kfunc (.ksyms) nor a kconfig variable (.kconfig)`);
  }
  const { offsets, map } = kconfigMap(btf, kconfigVars, kconfig);
  return { kfuncs, absentKsymVars, percpuKsymVars, kconfigOffsets: offsets, kconfigMap: map };
}

/** Names of the variables/functions a DATASEC lists, to their VAR/FUNC type id. */
function datasecNames(btf: Btf, section: string): Map<string, number> {
  const out = new Map<string, number>();
  const id = btf.find("datasec", section);
  if (id === undefined) return out;
  const ds = btf.type(id);
  if (ds.kind === "datasec") for (const v of ds.vars) out.set(btf.type(v.type).name, v.type);
  return out;
}

/** Longest kconfig value we lay out (strings included). */
const MAX_KCONFIG_SIZE = 256;

function kconfigMap(btf: Btf, vars: readonly { name: string; typeId: number; weak: boolean }[], kconfig: ReadonlyMap<string, KconfigValue>): { offsets: Map<string, number>; map: MapDef | undefined } {
  const offsets = new Map<string, number>();
  if (vars.length === 0) return { offsets, map: undefined };
  let off = 0;
  const placed = vars.map((v) => {
    const t = btf.type(v.typeId);
    const typeId = t.kind === "var" ? t.type : v.typeId;
    const size = btf.sizeOf(typeId);
    if (size === 0 || size > MAX_KCONFIG_SIZE) fail(`kconfig extern ${v.name}: size ${size} is not 1..${MAX_KCONFIG_SIZE} bytes`);
    const align = Math.min(8, size & -size || 1);
    off = Math.ceil(off / align) * align;
    offsets.set(v.name, off);
    const at = off;
    off += size;
    return { ...v, typeId, at, size };
  });
  const bytes = new Uint8Array(Math.max(8, Math.ceil(off / 8) * 8));
  const dv = new DataView(bytes.buffer);
  for (const v of placed) writeKconfig(btf, v, kconfig.get(v.name), dv, bytes);
  return {
    offsets,
    map: {
      spec: { name: ".kconfig", type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: bytes.length, maxEntries: 1, mapFlags: 0 },
      origin: "kconfig", sectionIndex: -1, symOffset: 0, initial: bytes, readonly: true,
    },
  };
}

function writeKconfig(btf: Btf, v: { name: string; typeId: number; weak: boolean; at: number; size: number }, value: KconfigValue | undefined, dv: DataView, bytes: Uint8Array): void {
  if (value === undefined) {
    if (!v.weak) fail(`kconfig extern ${v.name} is not set in scxlab's kernel configuration (declare it __weak to read 0)`);
    return;
  }
  const t = btf.resolved(v.typeId);
  if (typeof value === "string" && value !== "y" && value !== "n" && value !== "m") {
    if (t.kind !== "array") fail(`kconfig extern ${v.name} is a string option; declare it as a char array`);
    const n = Math.min(value.length, v.size - 1);
    for (let i = 0; i < n; i++) bytes[v.at + i] = value.charCodeAt(i) & 0xff;
    return;
  }
  if (t.kind !== "int" && t.kind !== "enum" && t.kind !== "enum64") fail(`kconfig extern ${v.name}: type ${btf.describe(v.typeId)} cannot hold its value`);
  const n = typeof value === "number" ? BigInt(value) : value === "y" ? 1n : value === "m" ? 2n : 0n;
  if (t.kind === "int" && t.bool && value === "m") fail(`kconfig extern ${v.name} is a module (m); declare it as enum libbpf_tristate`);
  switch (v.size) {
    case 1: dv.setUint8(v.at, Number(n) & 0xff); break;
    case 2: dv.setUint16(v.at, Number(n) & 0xffff, true); break;
    case 4: dv.setUint32(v.at, Number(BigInt.asUintN(32, n)), true); break;
    case 8: dv.setBigUint64(v.at, BigInt.asUintN(64, n), true); break;
    default: fail(`kconfig extern ${v.name}: size ${v.size} is not an integer size`);
  }
}
