/**
 * struct cgroup mirrors: each cgroup a program sees (by path, "/" the root) gets a read-only
 * region laid out by the kernel type model, with its level, a kernfs_node holding its id, and
 * the `ancestors[]` array the kernel keeps (root first, itself last). Ids are handed out in
 * order of first sight, the root's being 1 as in cgroup v2, so a run's ids are deterministic.
 * Mirrors live as long as the run: the simulated kernel never removes a cgroup.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";
import { kernelField } from "../obj/kernel_btf.js";

const CG = {
  level: kernelField("cgroup", "level").offset,
  kn: kernelField("cgroup", "kn").offset,
  ancestors: kernelField("cgroup", "ancestors").offset,
};
const KN = {
  id: kernelField("kernfs_node", "id").offset,
  parent: kernelField("kernfs_node", "parent").offset,
  size: kernelField("kernfs_node", "name").offset + 8,
};

interface Mirror {
  readonly path: string;
  readonly id: number;
  readonly level: number;
  readonly addr: BpfAddr;
  /** Ancestor mirrors' addresses by level (the last is this one). */
  readonly ancestors: readonly BpfAddr[];
}

/** The parent of a cgroup path ("" for the root). */
export function cgroupParentPath(path: string): string {
  if (path === "/" || path === "") return "";
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export class CgroupMirrors {
  private readonly byPath = new Map<string, Mirror>();
  private readonly byAddr = new Map<BpfAddr, Mirror>();
  private readonly byId = new Map<number, Mirror>();

  constructor(private readonly memory: BpfMemory) {
    this.of("/");
  }

  /** The mirror of cgroup `path`, created (with its ancestors) on first sight. */
  of(path: string): BpfAddr {
    return this.mirror(path === "" ? "/" : path).addr;
  }

  /** The path of the mirror at `addr`, or undefined when `addr` is not a cgroup. */
  pathAt(addr: BpfAddr): string | undefined {
    return this.byAddr.get(addr)?.path;
  }

  /** bpf_cgroup_from_id: the mirror of cgroup `id`, or 0. */
  fromId(id: number): BpfAddr {
    return this.byId.get(id)?.addr ?? 0;
  }

  /** bpf_cgroup_ancestor: the ancestor of `addr` at `level` (0 = root), or 0. */
  ancestor(addr: BpfAddr, level: number): BpfAddr {
    const m = this.byAddr.get(addr);
    if (m === undefined || level < 0 || level > m.level) return 0;
    return m.ancestors[level]!;
  }

  private mirror(path: string): Mirror {
    const known = this.byPath.get(path);
    if (known !== undefined) return known;
    const parentPath = cgroupParentPath(path);
    const parent = parentPath === "" ? undefined : this.mirror(parentPath);
    const level = parent === undefined ? 0 : parent.level + 1;
    const id = this.byPath.size + 1;
    const m = this.memory;
    const kn = m.alloc(KN.size, { name: `kernfs_node ${path}`, writable: false, kind: "kernel_object" });
    const addr = m.alloc(CG.ancestors + 8 * (level + 1), { name: `cgroup ${path}`, writable: false, kind: "kernel_object" });
    const ancestors = [...(parent?.ancestors ?? []), addr];
    const dv = m.view;
    dv.setBigUint64(kn + KN.id, BigInt(id), true);
    if (parent !== undefined) dv.setBigUint64(kn + KN.parent, BigInt(this.memory.view.getBigUint64(parent.addr + CG.kn, true)), true);
    dv.setInt32(addr + CG.level, level, true);
    dv.setBigUint64(addr + CG.kn, BigInt(kn), true);
    ancestors.forEach((a, i) => dv.setBigUint64(addr + CG.ancestors + 8 * i, BigInt(a), true));
    const mirror: Mirror = { path, id, level, addr, ancestors };
    this.byPath.set(path, mirror);
    this.byAddr.set(addr, mirror);
    this.byId.set(id, mirror);
    return mirror;
  }
}
