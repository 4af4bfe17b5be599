/**
 * Applying CO-RE relocations (kinds 0-12) to a program section's instructions, against scxlab's
 * kernel model. Each relocation is computed twice, against the local BTF (what clang assumed) and
 * the target BTF; the instruction must hold the local value, and is patched to the target one.
 * A field the model lacks answers FIELD_EXISTS with 0; any other use of it poisons the
 * instruction, and a program that can reach a poisoned instruction is refused at load, naming
 * the field.
 */
import type { Btf } from "./btf_types.js";
import type { CoreRelo } from "./btf_ext.js";
import { essentialName, kindsCompatible, localFieldSpec, matchFieldSpec, parseAccess, type FieldSpec } from "./core_spec.js";
import { ObjFormatError, fail } from "./errors.js";

export const CORE_KIND_NAMES = [
  "FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS", "FIELD_SIGNED", "FIELD_LSHIFT_U64", "FIELD_RSHIFT_U64",
  "TYPE_ID_LOCAL", "TYPE_ID_TARGET", "TYPE_EXISTS", "TYPE_SIZE", "ENUMVAL_EXISTS", "ENUMVAL_VALUE", "TYPE_MATCHES",
] as const;

const FIELD_BYTE_OFFSET = 0, FIELD_BYTE_SIZE = 1, FIELD_EXISTS = 2, FIELD_SIGNED = 3, FIELD_LSHIFT = 4, FIELD_RSHIFT = 5;
const TYPE_ID_LOCAL = 6, TYPE_ID_TARGET = 7, TYPE_EXISTS = 8, TYPE_SIZE = 9, ENUMVAL_EXISTS = 10, ENUMVAL_VALUE = 11, TYPE_MATCHES = 12;

/** A computed relocation: the value, and for field offsets the field's byte size (to resize loads). */
/** A relocated value; for a field offset, the field's size and, for an array field, its element size. */
interface CoreValue { value: bigint; size?: number; elemSize?: number }

/** The model lacks what a relocation names: the instruction is poisoned rather than patched. */
class MissingInModel extends ObjFormatError {}

function missing(what: string): never {
  throw new MissingInModel(`${what} is not in scxlab's kernel model`);
}

/**
 * Patch `insns` (one section's bytes, mutable) for every record of that section. Returns the
 * poisoned instructions (index → why): uses of what the model lacks, left unpatched. Like the
 * kernel verifier after libbpf's poisoning, the linker refuses a program only if one of them is
 * reachable (see reachable.ts), so `if (bpf_core_field_exists(...))`-guarded code still loads.
 */
export function applyCoreRelos(insns: Uint8Array, relos: readonly CoreRelo[], local: Btf, target: Btf, section: string): Map<number, string> {
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const poisoned = new Map<number, string>();
  for (const r of relos) {
    const where = `${section}: insn ${r.insn}: CO-RE ${CORE_KIND_NAMES[r.kind] ?? `kind ${r.kind}`}`;
    if (r.insn * 8 + 8 > insns.length) fail(`${where}: instruction is outside the section`);
    if (r.kind > TYPE_MATCHES) fail(`${section}: insn ${r.insn}: unsupported CO-RE relocation kind ${r.kind}`);
    try {
      const orig = compute(r, local, local, true);
      const next = compute(r, local, target, false);
      patch(dv, r.insn, orig, next);
    } catch (e) {
      if (e instanceof MissingInModel) poisoned.set(r.insn, `${where}: ${e.message}`);
      else if (e instanceof Error) fail(`${where}: ${e.message}`);
      else throw e;
    }
  }
  return poisoned;
}

function compute(r: CoreRelo, local: Btf, target: Btf, isLocal: boolean): CoreValue {
  const access = parseAccess(r.access);
  if (r.kind <= FIELD_RSHIFT) {
    const spec = localFieldSpec(local, r.typeId, access);
    const found = isLocal ? spec : findField(local, spec, target);
    if (found === undefined) {
      if (r.kind === FIELD_EXISTS) return { value: 0n };
      missing(`field ${spec.path}`);
    }
    return fieldValue(r.kind, target, found);
  }
  if (r.kind === TYPE_ID_LOCAL) return { value: BigInt(r.typeId) };
  if (r.kind >= ENUMVAL_EXISTS && r.kind <= ENUMVAL_VALUE) return enumValue(r, local, target, access[0]!, isLocal);
  const targetId = isLocal ? r.typeId : findType(local, r.typeId, target, r.kind === TYPE_MATCHES);
  switch (r.kind) {
    case TYPE_EXISTS: case TYPE_MATCHES: return { value: targetId === undefined ? 0n : 1n };
    case TYPE_ID_TARGET: case TYPE_SIZE: {
      if (targetId === undefined) missing(`type ${local.describe(r.typeId)}`);
      return { value: BigInt(r.kind === TYPE_SIZE ? target.sizeOf(targetId) : targetId) };
    }
    default: fail(`unsupported CO-RE relocation kind ${r.kind}`);
  }
}

function findField(local: Btf, spec: FieldSpec, target: Btf): FieldSpec | undefined {
  const root = local.type(spec.rootId);
  const name = essentialName(root.name || local.resolved(spec.rootId).name);
  // A named typedef root (vmlinux.h's `atomic_t`, a typedef of an anonymous struct) matches the
  // target's typedef of that name, as libbpf's candidate search compares unresolved kinds.
  const kind = root.kind === "typedef" && root.name !== "" ? "typedef" : local.resolved(spec.rootId).kind;
  const results = candidates(target, name, kind)
    .map((id) => matchFieldSpec(local, spec, target, id))
    .filter((x): x is FieldSpec => x !== undefined);
  if (results.length > 1 && results.some((x) => x.bitOffset !== results[0]!.bitOffset)) fail(`field ${spec.path} is ambiguous in the kernel model`);
  return results[0];
}

function candidates(target: Btf, name: string, kind: string): number[] {
  return target.idsNamed(name).filter((id) => {
    const k = target.type(id).kind;
    return k === kind || (kind === "enum" && k === "enum64") || (kind === "enum64" && k === "enum");
  });
}

function fieldValue(kind: number, btf: Btf, f: FieldSpec): CoreValue {
  const t = btf.resolved(f.typeId);
  let byteSize: number;
  let byteOff: number;
  let bitSize = f.bitSize;
  if (bitSize === 0) {
    byteSize = btf.sizeOf(f.typeId);
    byteOff = f.bitOffset / 8;
    bitSize = byteSize * 8;
  } else {
    // A bitfield is read with the smallest naturally aligned load that covers it.
    byteSize = btf.sizeOf(f.typeId);
    byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    while (f.bitOffset + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) fail(`bitfield ${f.path} cannot be read with one load`);
      byteSize *= 2;
      byteOff = Math.floor(f.bitOffset / 8 / byteSize) * byteSize;
    }
  }
  switch (kind) {
    case FIELD_BYTE_OFFSET: return { value: BigInt(byteOff), size: byteSize, ...(t.kind === "array" ? { elemSize: btf.sizeOf(t.elem) } : {}) };
    case FIELD_BYTE_SIZE: return { value: BigInt(byteSize) };
    case FIELD_EXISTS: return { value: 1n };
    case FIELD_SIGNED: return { value: ((t.kind === "int" && t.signed) || ((t.kind === "enum" || t.kind === "enum64") && t.signed)) ? 1n : 0n };
    case FIELD_LSHIFT: return { value: BigInt(64 - (f.bitOffset + bitSize - byteOff * 8)) };
    default: return { value: BigInt(64 - bitSize) };
  }
}

function findType(local: Btf, id: number, target: Btf, strict: boolean): number | undefined {
  const lt = local.type(id);
  const name = essentialName(lt.name);
  if (name === "") fail(`type relocation on an anonymous ${lt.kind}`);
  const kind = lt.kind;
  return candidates(target, name, kind).find((tid) => (strict ? typesMatch(local, id, target, tid) : kindsCompatible(local, id, target, tid)));
}

/** TYPE_MATCHES: every member / enumerator the local type names exists in the target with a compatible kind. */
function typesMatch(local: Btf, lid: number, target: Btf, tid: number): boolean {
  const l = local.resolved(lid), t = target.resolved(tid);
  if (l.kind === "int" && t.kind === "int") return l.size === t.size && l.signed === t.signed;
  if ((l.kind === "struct" || l.kind === "union") && t.kind === l.kind) {
    return l.members.every((m) => t.members.some((tm) => tm.name === m.name && kindsCompatible(local, m.type, target, tm.type)));
  }
  if ((l.kind === "enum" || l.kind === "enum64") && (t.kind === "enum" || t.kind === "enum64")) {
    return l.values.every((v) => t.values.some((tv) => tv.name === v.name));
  }
  return kindsCompatible(local, lid, target, tid);
}

function enumValue(r: CoreRelo, local: Btf, target: Btf, idx: number, isLocal: boolean): CoreValue {
  const lt = local.resolved(r.typeId);
  if (lt.kind !== "enum" && lt.kind !== "enum64") fail(`enum relocation on ${local.describe(r.typeId)}, which is not an enum`);
  const ev = lt.values[idx] ?? fail(`enum ${lt.name} has no enumerator #${idx}`);
  let value: bigint | undefined = ev.value;
  if (!isLocal) {
    value = undefined;
    for (const tid of candidates(target, essentialName(local.type(r.typeId).name || lt.name), lt.kind)) {
      const t = target.resolved(tid);
      if (t.kind !== "enum" && t.kind !== "enum64") continue;
      const hit = t.values.find((v) => v.name === ev.name);
      if (hit) { value = hit.value; break; }
    }
  }
  if (r.kind === ENUMVAL_EXISTS) return { value: value === undefined ? 0n : 1n };
  if (value === undefined) missing(`enum value ${ev.name}`);
  return { value };
}

const CLS_LD = 0, CLS_LDX = 1, CLS_ST = 2, CLS_STX = 3, CLS_ALU = 4, CLS_ALU64 = 7;
const SIZE_CODE: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };

function patch(dv: DataView, i: number, orig: CoreValue, next: CoreValue): void {
  const o = i * 8;
  const op = dv.getUint8(o);
  const cls = op & 7;
  if (cls === CLS_ALU || cls === CLS_ALU64) {
    if ((op & 0x08) !== 0) fail("ALU instruction with a register operand cannot carry a CO-RE value");
    const imm = dv.getInt32(o + 4, true);
    if (BigInt(imm) !== BigInt.asIntN(32, orig.value)) fail(`instruction holds ${imm}, expected ${orig.value}`);
    if (BigInt.asIntN(32, next.value) !== next.value && BigInt.asUintN(32, next.value) !== next.value) fail(`value ${next.value} does not fit a 32-bit immediate`);
    dv.setInt32(o + 4, Number(BigInt.asIntN(32, next.value)), true);
    return;
  }
  if (cls === CLS_LDX || cls === CLS_ST || cls === CLS_STX) {
    const off = dv.getInt16(o + 2, true);
    if (BigInt(off) !== orig.value) fail(`instruction offset is ${off}, expected ${orig.value}`);
    if (next.value > 32767n) fail(`offset ${next.value} does not fit a load/store`);
    dv.setInt16(o + 2, Number(next.value), true);
    // A load or store of one element of an array field (`mask->bits[i]`, the model's cpumask
    // being shorter than vmlinux.h's) moves with the array and keeps its size.
    const element = orig.elemSize !== undefined && orig.elemSize === next.elemSize && SIZE_CODE[orig.elemSize] === (op & 0x18);
    if (!element && orig.size !== undefined && next.size !== undefined && orig.size !== next.size) {
      const code = SIZE_CODE[next.size];
      if (code === undefined || SIZE_CODE[orig.size] !== (op & 0x18)) fail(`field is ${next.size} bytes in the kernel model, ${orig.size} locally; cannot resize the access`);
      dv.setUint8(o, (op & ~0x18) | code);
    }
    return;
  }
  if (cls === CLS_LD && op === 0x18) {
    if (o + 16 > dv.byteLength) fail("ld_imm64 is cut off at the end of the section");
    const v = BigInt.asUintN(64, next.value);
    dv.setUint32(o + 4, Number(v & 0xffffffffn), true);
    dv.setUint32(o + 12, Number(v >> 32n), true);
    return;
  }
  fail(`instruction opcode 0x${op.toString(16)} cannot carry a CO-RE value`);
}
