/**
 * Named variables of the global-data sections, from the object's BTF DATASECs: the `.rodata*`
 * variables user space may set before load (`-o name=value`), and the `uei` user exit info
 * UEI_RECORD fills on exit.
 */
import type { Btf } from "./btf_types.js";
import { BTF_LINKAGE_EXTERN } from "./btf_types.js";

/** A variable in a global-data map. */
export interface GlobalVar {
  readonly name: string;
  /** Index of its global-data map in BpfObject.maps. */
  readonly map: number;
  readonly offset: number;
  readonly size: number;
  /** Type id in the object's BTF. */
  readonly typeId: number;
  /** "u64", "bool", "char[16]", ... */
  readonly typeName: string;
}

/** Where the user exit info lives, with its members' offsets (relative to `offset`). */
export interface UeiLocation extends GlobalVar {
  readonly members: Readonly<Record<string, { readonly offset: number; readonly size: number }>>;
  /** The `uei_dump` buffer newer scx headers define beside it (UEI_RECORD copies the dump there). */
  readonly dump?: GlobalVar;
}

/** Variables of every data section, given section name → map index. */
export function globalVars(btf: Btf, dataMaps: ReadonlyMap<string, number>): GlobalVar[] {
  const out: GlobalVar[] = [];
  btf.types.forEach((t) => {
    if (t.kind !== "datasec") return;
    const map = dataMaps.get(t.name);
    if (map === undefined) return;
    for (const v of t.vars) {
      const vt = btf.type(v.type);
      if (vt.kind !== "var" || vt.linkage === BTF_LINKAGE_EXTERN) continue;
      out.push({ name: vt.name, map, offset: v.offset, size: v.size, typeId: vt.type, typeName: btf.describe(btf.skipQualifiers(vt.type)) });
    }
  });
  return out;
}

/** The `uei` variable, when the object defines one in a writable data section. */
export function findUei(btf: Btf, vars: readonly GlobalVar[], isRodata: (map: number) => boolean): UeiLocation | undefined {
  const v = vars.find((x) => x.name === "uei" && !isRodata(x.map));
  if (v === undefined) return undefined;
  const t = btf.resolved(v.typeId);
  const members: Record<string, { offset: number; size: number }> = {};
  if (t.kind === "struct") for (const m of t.members) if (m.bitSize === 0) members[m.name] = { offset: m.bitOffset / 8, size: btf.sizeOf(m.type) };
  const dump = vars.find((x) => x.name === "uei_dump" && !isRodata(x.map));
  return { ...v, members, ...(dump ? { dump } : {}) };
}
