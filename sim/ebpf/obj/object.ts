/**
 * A loaded BPF object: its maps (with their stores in BpfMemory), linked programs, struct_ops
 * descriptions, settable `.rodata` variables and the user exit info location. The glue builds a
 * BpfEnv from `mapAddr`/`mapValueAddr` and dispatches map helpers through `mapAt`.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfMapStore } from "../maps/map_types.js";
import { ArrayMap } from "../maps/array.js";
import type { Btf } from "./btf_types.js";
import { BpfObjectError, ObjFormatError } from "./errors.js";
import type { KfuncExtern } from "./externs.js";
import type { GlobalVar, UeiLocation } from "./globals.js";
import type { LoadedProgram } from "./link.js";
import type { MapDef } from "./map_defs.js";
import { encodeRodata, type RodataValue } from "./rodata.js";
import type { StructOpsDesc } from "./struct_ops.js";

export interface LoadedMap {
  readonly index: number;
  readonly name: string;
  readonly def: MapDef;
  readonly store: BpfMapStore;
  /** The address standing for the map object (ld_imm64 src 1); a read-only 8-byte region. */
  readonly addr: BpfAddr;
}

export class BpfObject {
  private readonly byAddr = new Map<BpfAddr, LoadedMap>();
  private sealed = false;

  constructor(
    readonly file: string,
    readonly memory: BpfMemory,
    readonly btf: Btf,
    readonly maps: readonly LoadedMap[],
    readonly programs: ReadonlyMap<string, LoadedProgram>,
    readonly structOps: readonly StructOpsDesc[],
    /** Variables of `.rodata*` that `setRodata` may set before `sealRodata`. */
    readonly rodata: readonly GlobalVar[],
    readonly uei: UeiLocation | undefined,
    readonly kfuncs: ReadonlyMap<string, KfuncExtern>,
  ) {
    for (const m of maps) this.byAddr.set(m.addr, m);
  }

  /** ld_imm64 src 1: the address standing for map `i`. */
  mapAddr(i: number): BpfAddr {
    return this.mapAt(i).addr;
  }

  /** ld_imm64 src 2: address of byte `off` of single-element array map `i` (global data). */
  mapValueAddr(i: number, off: number): BpfAddr {
    const m = this.mapAt(i);
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
  }

  /** Read a global variable's current bytes (tests, UEI reading). */
  varBytes(v: GlobalVar): Uint8Array {
    return this.memory.hostBytes(this.mapValueAddr(v.map, v.offset), v.size);
  }

  /** @internal used by setRodata */
  writeRodata(name: string, value: RodataValue): void {
    if (this.sealed) throw new BpfObjectError(this.file, `option ${name}: .rodata is sealed once the programs are loaded`);
    const v = this.rodata.find((x) => x.name === name);
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
