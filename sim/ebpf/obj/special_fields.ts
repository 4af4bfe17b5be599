/**
 * The kernel-managed fields of BPF data, found through BTF as the verifier finds them: a
 * `struct bpf_spin_lock`, `struct bpf_rb_root` (with the `contains:TYPE:FIELD` decl tag naming
 * what it holds) or `struct bpf_rb_node` inside a global variable, a map value or an object of
 * bpf_obj_new. Only these may be handed to the lock and rbtree kfuncs.
 */
import type { Btf } from "./btf_types.js";
import { fail } from "./errors.js";

export type SpecialKind = "bpf_spin_lock" | "bpf_rb_root" | "bpf_rb_node";

/** A special field at a byte offset of some type. */
export interface SpecialField {
  readonly kind: SpecialKind;
  readonly offset: number;
  /** Member path for messages ("cgv_tree", "node.rb"). */
  readonly path: string;
  /** For a bpf_rb_root: what its `__contains` tag names (node struct and its bpf_rb_node member). */
  readonly contains?: { readonly type: string; readonly field: string };
}

const KINDS: ReadonlySet<string> = new Set<SpecialKind>(["bpf_spin_lock", "bpf_rb_root", "bpf_rb_node"]);
const MAX_DEPTH = 8;

/**
 * Special fields of type `typeId` (arrays of them are not supported, as in the kernel's graph
 * roots); `varId` is the VAR whose own decl tags apply when the type itself is special.
 */
export function specialFields(btf: Btf, typeId: number, name: string, varId?: number): SpecialField[] {
  const out: SpecialField[] = [];
  walk(btf, typeId, 0, name, out, 0, varId === undefined ? undefined : { id: varId, component: -1 });
  return out;
}

function walk(btf: Btf, typeId: number, offset: number, path: string, out: SpecialField[], depth: number, tagOwner: { id: number; component: number } | undefined): void {
  if (depth > MAX_DEPTH) return;
  const t = btf.resolved(typeId);
  if (t.kind === "struct" && KINDS.has(t.name)) {
    const kind = t.name as SpecialKind;
    const contains = kind === "bpf_rb_root" ? containsTag(btf, tagOwner, path) : undefined;
    out.push({ kind, offset, path, ...(contains ? { contains } : {}) });
    return;
  }
  if (t.kind !== "struct" && t.kind !== "union") return;
  const structId = btf.skipMods(typeId);
  t.members.forEach((m, i) => {
    if (m.bitSize !== 0 || m.bitOffset % 8 !== 0) return;
    walk(btf, m.type, offset + m.bitOffset / 8, path === "" ? m.name : `${path}.${m.name}`, out, depth + 1, { id: structId, component: i });
  });
}

/** The `contains:TYPE:FIELD` decl tag on a root (a variable, or a struct member by index). */
function containsTag(btf: Btf, owner: { id: number; component: number } | undefined, path: string): { type: string; field: string } {
  if (owner !== undefined) {
    for (const t of btf.types) {
      if (t.kind !== "decl_tag" || t.type !== owner.id || t.component !== owner.component) continue;
      const m = /^contains:([A-Za-z_][A-Za-z0-9_]*):([A-Za-z_][A-Za-z0-9_]*)$/.exec(t.name);
      if (m !== null) return { type: m[1]!, field: m[2]! };
    }
  }
  return fail(`bpf_rb_root ${path} has no __contains(type, field) tag saying what it holds`);
}

/** Offset of `field` (a struct bpf_rb_node) in struct `type`, checked against the object's BTF. */
export function nodeOffset(btf: Btf, type: string, field: string, root: string): number {
  const id = btf.find("struct", type) ?? fail(`bpf_rb_root ${root} contains struct ${type}, which the object does not define`);
  const f = specialFields(btf, id, "").find((x) => x.path === field);
  if (f === undefined || f.kind !== "bpf_rb_node") fail(`bpf_rb_root ${root} contains ${type}.${field}, which is not a struct bpf_rb_node member`);
  return f.offset;
}
