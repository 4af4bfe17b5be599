/**
 * The `sched_ext_ops` variables of `.struct_ops` / `.struct_ops.link`: function-pointer members
 * bound to programs through the section's relocations, data members read from the section's
 * bytes by the object's own BTF layout, and whether libbpf would create the map with BPF_F_LINK
 * (exactly when the section is `.struct_ops.link`). Members are checked against the kernel
 * model's sched_ext_ops: a non-zero member the model lacks is refused, a zero one ignored.
 */
import type { Btf } from "./btf_types.js";
import { type ElfObject, type ElfRel, R_BPF_64_ABS64, STT_FUNC } from "./elf.js";
import { fail } from "./errors.js";
import { KERNEL_BTF } from "./kernel_btf.js";

export interface StructOpsDesc {
  /** The variable's name, e.g. "simple_ops". */
  readonly variable: string;
  readonly section: string;
  /** BPF_F_LINK applies: the map is attached with BPF_LINK_CREATE rather than at map update. */
  readonly link: boolean;
  /** Callback member → program name. */
  readonly callbacks: Readonly<Record<string, string>>;
  /** ops.name as a string (up to the first NUL). */
  readonly name: string;
  readonly flags: bigint;
  readonly timeoutMs: number;
  readonly dispatchMaxBatch: number;
  readonly exitDumpLen: number;
  readonly hotplugSeq: bigint;
  /** Every data member by name, as raw bytes (for fields not listed above). */
  readonly data: Readonly<Record<string, Uint8Array>>;
}

const OPS_TYPE = "sched_ext_ops";

export function readStructOps(elf: ElfObject, btf: Btf, programs: ReadonlySet<string>): StructOpsDesc[] {
  const out: StructOpsDesc[] = [];
  for (const sec of elf.sections) {
    if (sec.name !== ".struct_ops" && sec.name !== ".struct_ops.link") continue;
    const dsId = btf.find("datasec", sec.name) ?? fail(`section ${sec.name} has no BTF description`);
    const ds = btf.type(dsId);
    if (ds.kind !== "datasec") fail(`${sec.name}: BTF type is not a DATASEC`);
    const rels = new Map((elf.rels.get(sec.index) ?? []).map((r) => [r.offset, r]));
    for (const v of ds.vars) {
      const variable = btf.type(v.type);
      if (variable.kind !== "var") fail(`${sec.name}: lists a non-variable`);
      const sym = elf.symbolIn(sec.index, variable.name);
      const base = sym?.value ?? v.offset;
      out.push(readOne(btf, variable.name, variable.type, sec.name, sec.data, base, rels, programs));
    }
  }
  return out;
}

function readOne(
  btf: Btf, variable: string, typeId: number, section: string, data: Uint8Array, base: number, rels: ReadonlyMap<number, ElfRel>, programs: ReadonlySet<string>,
): StructOpsDesc {
  const t = btf.resolved(typeId);
  if (t.kind !== "struct" || t.name !== OPS_TYPE) fail(`${section}: ${variable} is ${btf.describe(typeId)}; scxlab only supports struct_ops of type ${OPS_TYPE}`);
  if (base + t.size > data.length) fail(`${section}: ${variable} (${t.size} bytes at ${base}) is outside the section`);
  const model = KERNEL_BTF.type(KERNEL_BTF.find("struct", OPS_TYPE)!);
  const modelNames = new Set(model.kind === "struct" ? model.members.map((m) => m.name) : []);
  const callbacks: Record<string, string> = {};
  const bytesOf: Record<string, Uint8Array> = {};
  for (const m of t.members) {
    if (m.bitSize !== 0 || m.bitOffset % 8 !== 0) fail(`${section}: ${variable}.${m.name} is a bitfield`);
    const off = base + m.bitOffset / 8;
    const mt = btf.resolved(m.type);
    const isFn = mt.kind === "ptr" && btf.resolved(mt.type).kind === "func_proto";
    const size = isFn ? 8 : btf.sizeOf(m.type);
    const bytes = data.subarray(off, off + size);
    const rel = rels.get(off);
    const set = rel !== undefined || bytes.some((b) => b !== 0);
    if (set && !modelNames.has(m.name)) fail(`${section}: ${variable}.${m.name} is not a member of scxlab's ${OPS_TYPE}`);
    if (isFn) {
      if (rel === undefined) {
        if (set) fail(`${section}: ${variable}.${m.name} holds a value but no program relocation`);
        continue;
      }
      if (rel.type !== R_BPF_64_ABS64 || rel.sym.type !== STT_FUNC) fail(`${section}: ${variable}.${m.name} is not relocated to a function`);
      if (!programs.has(rel.sym.name)) fail(`${section}: ${variable}.${m.name} points at ${rel.sym.name}, which is not a struct_ops program`);
      callbacks[m.name] = rel.sym.name;
    } else {
      if (rel !== undefined) fail(`${section}: ${variable}.${m.name} is a data member but has a relocation`);
      bytesOf[m.name] = bytes.slice();
    }
  }
  const dv = (name: string): DataView | undefined => {
    const b = bytesOf[name];
    return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset, b.byteLength);
  };
  const u32 = (name: string): number => (dv(name)?.byteLength === 4 ? dv(name)!.getUint32(0, true) : 0);
  const u64 = (name: string): bigint => (dv(name)?.byteLength === 8 ? dv(name)!.getBigUint64(0, true) : 0n);
  const nameBytes = bytesOf["name"] ?? new Uint8Array(0);
  const nul = nameBytes.indexOf(0);
  const opsName = String.fromCharCode(...nameBytes.subarray(0, nul < 0 ? nameBytes.length : nul));
  return {
    variable, section, link: section === ".struct_ops.link", callbacks, name: opsName,
    flags: u64("flags"), timeoutMs: u32("timeout_ms"), dispatchMaxBatch: u32("dispatch_max_batch"),
    exitDumpLen: u32("exit_dump_len"), hotplugSeq: u64("hotplug_seq"), data: bytesOf,
  };
}
