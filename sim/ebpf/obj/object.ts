/**
 * A loaded BPF object: its maps (with their stores in BpfMemory), linked programs, struct_ops
 * descriptions, settable `.rodata` variables and the user exit info location. The glue builds a
 * BpfEnv from `mapAddr`/`mapValueAddr` and dispatches map helpers through `mapAt`.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfMapStore } from "../maps/map_types.js";
import { ArrayMap } from "../maps/array.js";
import { ArenaMap } from "../maps/arena.js";
import { createMapStore } from "../maps/create.js";
import type { Btf } from "./btf_types.js";
import { BpfObjectError, ObjFormatError } from "./errors.js";
import type { KfuncExtern } from "./externs.js";
import type { GlobalVar, UeiLocation } from "./globals.js";
import type { LoadedProgram } from "./link.js";
import { firstReachable } from "./reachable.js";
import type { MapDef } from "./map_defs.js";
import type { PercpuKsyms } from "./percpu_ksyms.js";
import { encodeRodata, type RodataValue } from "./rodata.js";
import { varAtPath } from "./var_path.js";
import type { StructOpsDesc } from "./struct_ops.js";

export interface LoadedMap {
  readonly index: number;
  readonly name: string;
  readonly def: MapDef;
  readonly store: BpfMapStore;
  /** The address standing for the map object (ld_imm64 src 1); a read-only 8-byte region. */
  readonly addr: BpfAddr;
}

/** How global-data regions are named in BpfMemory (fault messages): "scx_simple.bss". */
export function dataRegionName(file: string, mapName: string): string {
  return `${file.split("/").pop()!.replace(/\.bpf\.o$|\.o$/, "")}${mapName}`;
}

/** Largest size `resizeArray` may give a global-data section. */
const MAX_RESIZED = 64 << 20;

export class BpfObject {
  private readonly byAddr = new Map<BpfAddr, LoadedMap>();
  private sealed = false;

  constructor(
    readonly file: string,
    readonly memory: BpfMemory,
    readonly btf: Btf,
    private readonly mapList: LoadedMap[],
    readonly programs: ReadonlyMap<string, LoadedProgram>,
    readonly structOps: readonly StructOpsDesc[],
    /** Every variable of the global-data sections. */
    private readonly globalList: GlobalVar[],
    readonly uei: UeiLocation | undefined,
    readonly kfuncs: ReadonlyMap<string, KfuncExtern>,
    /** The per-CPU kernel variables the object declares and scxlab has (bpf_per_cpu_ptr). */
    readonly percpu: PercpuKsyms,
  ) {
    for (const m of mapList) this.byAddr.set(m.addr, m);
  }

  get maps(): readonly LoadedMap[] {
    return this.mapList;
  }

  get globals(): readonly GlobalVar[] {
    return this.globalList;
  }

  /** Variables of `.rodata*` that `setRodata` may set before `sealRodata`. */
  get rodata(): readonly GlobalVar[] {
    return this.globalList.filter((v) => this.mapList[v.map]!.def.readonly && this.mapList[v.map]!.def.origin === "data");
  }

  /** ld_imm64 src 1: the address standing for map `i`. */
  mapAddr(i: number): BpfAddr {
    return this.mapAt(i).addr;
  }

  /**
   * ld_imm64 src 2: address of byte `off` of single-element array map `i` (global data), or for
   * an arena the user address of its `__arena` globals plus `off` (above 2^32: a register's high
   * half marks it as an arena pointer).
   */
  mapValueAddr(i: number, off: number): BpfAddr {
    const m = this.mapAt(i);
    if (m.store instanceof ArenaMap) return m.store.userVmStart + m.store.globalsOffset + off;
    if (!(m.store instanceof ArrayMap) || m.store.percpu || m.def.spec.maxEntries !== 1) {
      throw new RangeError(`map ${m.name} has no direct value address (not a single-element array)`);
    }
    return m.store.at(0, 0) + off;
  }

  mapAt(i: number): LoadedMap {
    const m = this.maps[i];
    if (m === undefined) throw new RangeError(`map index ${i} is out of range (${this.maps.length} maps)`);
    return m;
  }

  /** The map whose object address is `addr` (a helper's map argument), or undefined. */
  mapByAddr(addr: BpfAddr): LoadedMap | undefined {
    return this.byAddr.get(addr);
  }

  mapByName(name: string): LoadedMap | undefined {
    return this.maps.find((m) => m.name === name);
  }

  /** Whether `.rodata` variables may still be set. */
  get rodataSealed(): boolean {
    return this.sealed;
  }

  /** End the window in which `.rodata` may change (call before compiling programs). */
  sealRodata(): void {
    this.sealed = true;
    // With `.rodata` final, a poisoned instruction behind a disabled option is dead code.
    const constRead = (map: number, offset: number, size: number): bigint | undefined => {
      const m = this.mapList[map];
      if (m === undefined || !m.def.readonly || offset < 0 || offset + size > m.def.spec.valueSize) return undefined;
      const b = this.memory.hostBytes(this.mapValueAddr(map, offset), size);
      let v = 0n;
      for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[k]!);
      return v;
    };
    for (const p of this.programs.values()) {
      if (p.pendingPoison === undefined) continue;
      const hit = firstReachable(p.insns, [p.functions[0]!.start], new Set(p.pendingPoison.keys()), constRead);
      if (hit >= 0) throw new BpfObjectError(this.file, p.pendingPoison.get(hit)!);
    }
  }

  /** Read a global variable's current bytes (tests, UEI reading). */
  varBytes(v: GlobalVar): Uint8Array {
    return this.memory.hostBytes(this.mapValueAddr(v.map, v.offset), v.size);
  }

  /**
   * What libbpf's bpf_map__set_value_size does for scx's RESIZABLE_ARRAY / RESIZE_ARRAY: give the
   * array variable `name`, the last in its own data section, `nelems` elements (existing bytes
   * kept, new ones zero). Only before `sealRodata`, since programs must see the final size.
   */
  resizeArray(name: string, nelems: number): void {
    const err = (what: string): BpfObjectError => new BpfObjectError(this.file, `resize ${name}: ${what}`);
    if (this.sealed) throw err("the object's data is sealed once the programs are loaded");
    const at = this.globalList.findIndex((x) => x.name === name);
    const v = this.globalList[at];
    if (v === undefined) throw err("no such global variable");
    const t = this.btf.resolved(v.typeId);
    if (t.kind !== "array") throw err(`${v.typeName} is not an array`);
    if (this.globalList.some((x) => x.map === v.map && x.offset > v.offset)) throw err("it is not the last variable of its section");
    const elem = this.btf.sizeOf(t.elem);
    const size = v.offset + elem * nelems;
    if (!Number.isInteger(nelems) || nelems < 1 || size > MAX_RESIZED) throw err(`${nelems} elements is not 1..${Math.floor((MAX_RESIZED - v.offset) / elem)}`);
    const old = this.mapList[v.map]!;
    const spec = { ...old.def.spec, valueSize: size };
    const region = { kind: old.def.readonly ? "rodata" as const : "global_data" as const, writable: !old.def.readonly, name: dataRegionName(this.file, old.name) };
    const store = createMapStore(spec, this.memory, { nrCpus: 1, region });
    if (typeof store === "string") throw err(store);
    const keep = Math.min(size, old.def.spec.valueSize);
    const from = this.mapValueAddr(v.map, 0);
    const to = store.storage === "keyed" ? store.lookupKey(new Uint8Array(4), 0) : 0;
    this.memory.hostBytes(to, size).set(this.memory.hostBytes(from, keep).slice());
    const next: LoadedMap = { ...old, def: { ...old.def, spec }, store };
    this.mapList[v.map] = next;
    this.byAddr.set(next.addr, next);
    this.globalList[at] = { ...v, size: elem * nelems };
  }

  /** A `.rodata` variable, or a member or element of one (`cpus[3]`, `topo_config.nr_llcs`), as the loaders write them. */
  private rodataVar(name: string): GlobalVar | undefined {
    try {
      return varAtPath(this.btf, this.rodata, name);
    } catch (e) {
      throw e instanceof ObjFormatError ? new BpfObjectError(this.file, e.message) : e;
    }
  }

  /**
   * What user space writes through the skeleton's `bss`/`data` after load and before attach
   * (`skel.maps.bss_data.cpu_llc_ids[3] = 1`): a writable global, or a member or element of one.
   */
  writeData(name: string, value: RodataValue): void {
    const writable = this.globalList.filter((v) => !this.mapList[v.map]!.def.readonly);
    let v: GlobalVar | undefined;
    let bytes: Uint8Array;
    try {
      v = varAtPath(this.btf, writable, name);
      if (v === undefined) throw new BpfObjectError(this.file, `the loader writes ${name}, which is not a writable global of the object`);
      bytes = encodeRodata(this.btf, v, value);
    } catch (e) {
      throw e instanceof ObjFormatError ? new BpfObjectError(this.file, e.message) : e;
    }
    this.memory.hostBytes(this.mapValueAddr(v.map, v.offset), v.size).set(bytes);
  }

  /** @internal used by setRodata */
  writeRodata(name: string, value: RodataValue): void {
    if (this.sealed) throw new BpfObjectError(this.file, `option ${name}: .rodata is sealed once the programs are loaded`);
    const v = this.rodataVar(name);
    if (v === undefined) {
      const valid = this.rodata.map((x) => x.name).join(", ") || "(none)";
      throw new BpfObjectError(this.file, `unknown option ${name}; valid: ${valid}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeRodata(this.btf, v, value);
    } catch (e) {
      if (e instanceof ObjFormatError) throw new BpfObjectError(this.file, e.message);
      throw e;
    }
    this.memory.hostBytes(this.mapValueAddr(v.map, v.offset), v.size).set(bytes);
  }
}

/** Set a `.rodata` variable by name before load completes (`-o name=value`). */
export function setRodata(obj: BpfObject, name: string, value: RodataValue): void {
  obj.writeRodata(name, value);
}
