/**
 * A global variable, or a part of one, named the way the scx loaders write it in Rust or C:
 * `nr_cpus`, `cpus[3]`, `topo_config.nr_llcs`, `doms[1].mask[0]`. The part is returned as a
 * GlobalVar of its own (offset, size and type of the member or element).
 */
import type { Btf } from "./btf_types.js";
import type { GlobalVar } from "./globals.js";
import { fail } from "./errors.js";

const PATH = /^([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)$/;
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;

/**
 * The variable of `vars` that `path` names, narrowed to its member or element; undefined when
 * no variable or member has that name. An index past an array's end fails with a clear line.
 */
export function varAtPath(btf: Btf, vars: readonly GlobalVar[], path: string): GlobalVar | undefined {
  const p = PATH.exec(path);
  if (p === null) return undefined;
  const root = vars.find((x) => x.name === p[1]);
  if (root === undefined) return undefined;
  if (p[2] === "") return root;
  let offset = root.offset, typeId = root.typeId, size = root.size;
  for (const s of p[2]!.matchAll(STEP)) {
    const t = btf.resolved(typeId);
    if (s[1] !== undefined) {
      if (t.kind !== "struct" && t.kind !== "union") return undefined;
      const m = t.members.find((x) => x.name === s[1]);
      if (m === undefined || m.bitSize !== 0) return undefined;
      offset += m.bitOffset / 8;
      typeId = m.type;
      size = btf.sizeOf(m.type);
    } else {
      if (t.kind !== "array") return undefined;
      const i = Number(s[2]), elem = btf.sizeOf(t.elem);
      // The last variable of a resized section may hold more elements than its BTF says.
      const n = offset === root.offset && size === root.size ? Math.floor(root.size / elem) : t.nelems;
      if (i >= n) fail(`option ${path}: index ${i} is outside ${path.slice(0, p[1]!.length + s.index)}[0..${n - 1}]`);
      offset += i * elem;
      typeId = t.elem;
      size = elem;
    }
  }
  return { ...root, name: path, offset, size, typeId, typeName: btf.describe(btf.skipQualifiers(typeId)) };
}
