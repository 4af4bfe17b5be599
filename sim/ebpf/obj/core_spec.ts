/**
 * CO-RE access specs: parsing a relocation's access string ("0:12:3") against the local BTF, and
 * matching it field by field, by name, in the target BTF (scxlab's kernel model). Anonymous
 * members are walked through on both sides, as libbpf does; a `___flavor` suffix on a type name
 * is ignored when looking for the target.
 */
import type { Btf, BtfMember } from "./btf_types.js";
import { fail } from "./errors.js";

/** One named step of a field access: a struct/union member by name, or an array element. */
export type CoreStep = { readonly member: string } | { readonly index: number };

/** A resolved access: where the field is, and the member or type it ends on. */
export interface FieldSpec {
  readonly rootId: number;
  /** The leading `a[N]` on the root pointer. */
  readonly rootIndex: number;
  readonly steps: readonly CoreStep[];
  readonly bitOffset: number;
  /** Type of the accessed field (unresolved id). */
  readonly typeId: number;
  /** Bitfield width, 0 when not a bitfield. */
  readonly bitSize: number;
  /** "task_struct.scx.dsq_vtime", for messages. */
  readonly path: string;
}

const MAX_ACCESS = 64;

/** The numbers of an access string; fails on anything but `N(:N)*`. */
export function parseAccess(access: string): number[] {
  const parts = access.split(":");
  if (parts.length > MAX_ACCESS || !parts.every((p) => /^\d{1,9}$/.test(p))) fail(`CO-RE access string "${access.slice(0, 40)}" is malformed`);
  return parts.map(Number);
}

/** Strip a `___flavor` suffix: `task_struct___old` → `task_struct`. */
export function essentialName(name: string): string {
  const i = name.indexOf("___");
  return i > 0 ? name.slice(0, i) : name;
}

/** Walk an access string through the local BTF. */
export function localFieldSpec(btf: Btf, typeId: number, access: readonly number[]): FieldSpec {
  const root = btf.resolved(typeId);
  if (root.kind !== "struct" && root.kind !== "union") fail(`CO-RE field relocation on ${btf.describe(typeId)}, which is not a struct or union`);
  let bitOffset = access[0]! * btf.sizeOf(typeId) * 8;
  let cur = typeId;
  let bitSize = 0;
  const steps: CoreStep[] = [];
  let path = essentialName(root.name);
  for (let i = 1; i < access.length; i++) {
    const idx = access[i]!;
    const t = btf.resolved(cur);
    if (t.kind === "struct" || t.kind === "union") {
      const m = t.members[idx] ?? fail(`CO-RE access ${access.join(":")}: ${btf.describe(cur)} has no member #${idx}`);
      bitOffset += m.bitOffset;
      bitSize = m.bitSize;
      if (m.name !== "") {
        steps.push({ member: m.name });
        path += `.${m.name}`;
      }
      cur = m.type;
    } else if (t.kind === "array") {
      bitOffset += idx * btf.sizeOf(t.elem) * 8;
      bitSize = 0;
      steps.push({ index: idx });
      path += `[${idx}]`;
      cur = t.elem;
    } else {
      fail(`CO-RE access ${access.join(":")}: step ${i} indexes into ${btf.describe(cur)}`);
    }
  }
  return { rootId: typeId, rootIndex: access[0]!, steps, bitOffset, typeId: cur, bitSize, path };
}

/**
 * The same access in `target`, starting from candidate root `targetRoot`; undefined when a
 * member is missing or has an incompatible kind.
 */
export function matchFieldSpec(local: Btf, spec: FieldSpec, target: Btf, targetRoot: number): FieldSpec | undefined {
  let bitOffset = spec.rootIndex * target.sizeOf(targetRoot) * 8;
  let cur = targetRoot;
  let bitSize = 0;
  let localCur = spec.rootId;
  let parentFlexOk = false;
  for (const step of spec.steps) {
    const t = target.resolved(cur);
    if ("member" in step) {
      if (t.kind !== "struct" && t.kind !== "union") return undefined;
      const found = findMember(target, cur, step.member);
      if (found === undefined) return undefined;
      bitOffset += found.bitOffset;
      bitSize = found.member.bitSize;
      parentFlexOk = found.last;
      localCur = localMemberType(local, localCur, step.member) ?? localCur;
      cur = found.member.type;
    } else {
      if (t.kind !== "array") return undefined;
      if (step.index >= t.nelems && !(t.nelems === 0 && parentFlexOk)) return undefined;
      bitOffset += step.index * target.sizeOf(t.elem) * 8;
      bitSize = 0;
      parentFlexOk = false;
      const lt = local.resolved(localCur);
      localCur = lt.kind === "array" ? lt.elem : localCur;
      cur = t.elem;
    }
  }
  if (!kindsCompatible(local, spec.typeId, target, cur)) return undefined;
  return { rootId: targetRoot, rootIndex: spec.rootIndex, steps: spec.steps, bitOffset, typeId: cur, bitSize, path: spec.path };
}

/** Members a single name lookup may visit: anonymous nesting in hostile BTF must not explode. */
const MEMBER_VISITS = 100_000;

/** Find a member by name, looking inside anonymous struct/union members too. */
function findMember(btf: Btf, structId: number, name: string): { member: BtfMember; bitOffset: number; last: boolean } | undefined {
  let budget = MEMBER_VISITS;
  const walk = (id: number, depth: number): { member: BtfMember; bitOffset: number; last: boolean } | undefined => {
    if (depth > 16) return undefined;
    const t = btf.resolved(id);
    if (t.kind !== "struct" && t.kind !== "union") return undefined;
    for (let i = 0; i < t.members.length; i++) {
      if (--budget < 0) fail(`looking up member ${name} visits too many anonymous members`);
      const m = t.members[i]!;
      if (m.name === name) return { member: m, bitOffset: m.bitOffset, last: i === t.members.length - 1 };
      if (m.name === "") {
        const inner = walk(m.type, depth + 1);
        if (inner) return { ...inner, bitOffset: inner.bitOffset + m.bitOffset };
      }
    }
    return undefined;
  };
  return walk(structId, 0);
}

function localMemberType(btf: Btf, structId: number, name: string): number | undefined {
  return findMember(btf, structId, name)?.member.type;
}

/** Field compatibility as CO-RE checks it: same broad kind (ints/enums interchangeable, composites by kind). */
export function kindsCompatible(a: Btf, aId: number, b: Btf, bId: number, depth = 0): boolean {
  if (depth > 8) return false;
  const x = a.resolved(aId), y = b.resolved(bId);
  const scalar = (k: string): boolean => k === "int" || k === "enum" || k === "enum64";
  if (scalar(x.kind) && scalar(y.kind)) return true;
  if (x.kind === "fwd" || y.kind === "fwd") return true;
  if (x.kind !== y.kind) return false;
  if (x.kind === "array" && y.kind === "array") return kindsCompatible(a, x.elem, b, y.elem, depth + 1);
  return true;
}
