/**
 * Program-allocated objects and red-black trees: bpf_obj_new / bpf_obj_drop and the
 * bpf_rbtree_add / first / remove kfuncs, over BTF-described types.
 *
 * An object is a region of BpfMemory sized by the object BTF type the program names
 * (bpf_core_type_id_local); a dropped object's region is retired (any later access faults) and
 * reused by the next bpf_obj_new of the same type. A tree root is a `struct bpf_rb_root` in
 * global data whose `__contains(TYPE, FIELD)` tag says which objects it holds; its bytes are
 * opaque, and the tree itself lives here, as a list of node addresses kept in order by the
 * program's `less` callback (an insertion goes after the nodes it is not less than, as the
 * kernel's rb-tree walk puts it, so in-order traversal matches). The rules the verifier proves
 * are checked as the program runs: the root's lock (the bpf_spin_lock of the same section) is
 * held around every tree operation, a node added is the FIELD of a live object of TYPE not
 * already in a tree, and an object in a tree is not dropped.
 */
import { invokeBpfFunction } from "../engine.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import type { BpfNativeFn } from "../program.js";
import type { Btf } from "../obj/btf_types.js";
import type { GlobalVar } from "../obj/globals.js";
import { fail } from "../obj/errors.js";
import { nodeOffset, specialFields, type SpecialField } from "../obj/special_fields.js";
import type { SpinLocks } from "./spin_lock.js";

const EINVAL = 22;

/** What the graph needs of a loaded object. */
export interface GraphObject {
  readonly btf: Btf;
  readonly globals: readonly GlobalVar[];
  readonly maps: readonly { readonly name: string; readonly def: { readonly origin: string; readonly valueType?: number } }[];
  mapValueAddr(map: number, off: number): BpfAddr;
}

interface Root {
  readonly name: string;
  /** The node struct's name and its bpf_rb_node offset. */
  readonly type: string;
  readonly nodeOff: number;
  /** The lock that must be held around this tree's operations. */
  readonly lock: BpfAddr;
  /** Node addresses (of the bpf_rb_node field), in order. */
  readonly nodes: BpfAddr[];
}

interface Obj {
  readonly typeId: number;
  readonly type: string;
  live: boolean;
}

export class BpfGraph {
  private btf: Btf | undefined;
  private readonly roots = new Map<BpfAddr, Root>();
  /** Global-data addresses of bpf_spin_lock fields. */
  private readonly globalLocks = new Set<BpfAddr>();
  /** Offsets of bpf_spin_lock fields in the value types of `.maps` maps. */
  private readonly valueLockOffsets = new Set<number>();
  private readonly objects = new Map<BpfAddr, Obj>();
  /** Which root each node (bpf_rb_node address) is in. */
  private readonly inTree = new Map<BpfAddr, Root>();
  private readonly freeByType = new Map<number, BpfAddr[]>();
  /** bpf_rb_node offsets of each allocated type (by object BTF id). */
  private readonly nodeFields = new Map<number, readonly number[]>();

  constructor(private readonly memory: BpfMemory, private readonly locks: () => SpinLocks) {}

  /**
   * Learn the object's roots and locks from its BTF. Throws (ObjFormatError) for a root without
   * a `__contains` tag, one naming a type or field that is not there, or one whose section has
   * no bpf_spin_lock to protect it.
   */
  bind(obj: GraphObject): void {
    this.btf = obj.btf;
    const btf = obj.btf;
    // The VAR type of each global, by section and offset (names may repeat across objects linked together).
    const varIds = new Map<string, number>();
    for (const t of btf.types) {
      if (t.kind !== "datasec") continue;
      const map = obj.maps.findIndex((m) => m.def.origin === "data" && m.name === t.name);
      for (const entry of t.vars) varIds.set(`${map}:${entry.offset}`, entry.type);
    }
    const bySection = new Map<number, { v: GlobalVar; f: SpecialField }[]>();
    for (const v of obj.globals) {
      for (const f of specialFields(btf, v.typeId, v.name, varIds.get(`${v.map}:${v.offset}`))) {
        const list = bySection.get(v.map) ?? [];
        list.push({ v, f });
        bySection.set(v.map, list);
      }
    }
    for (const m of obj.maps) {
      if (m.def.origin !== "maps" || m.def.valueType === undefined) continue;
      for (const f of specialFields(btf, m.def.valueType, m.name)) {
        if (f.kind === "bpf_spin_lock") this.valueLockOffsets.add(f.offset);
        else fail(`map ${m.name}: a ${f.kind} in a map value is not supported (only in global data)`);
      }
    }
    for (const [map, fields] of bySection) {
      const locks = fields.filter((x) => x.f.kind === "bpf_spin_lock");
      for (const l of locks) this.globalLocks.add(obj.mapValueAddr(map, l.v.offset + l.f.offset));
      for (const { v, f } of fields) {
        if (f.kind !== "bpf_rb_root") continue;
        if (locks.length !== 1) fail(`bpf_rb_root ${f.path} needs exactly one bpf_spin_lock in its section (found ${locks.length})`);
        const c = f.contains!;
        const lock = locks[0]!;
        this.roots.set(obj.mapValueAddr(map, v.offset + f.offset), {
          name: f.path, type: c.type, nodeOff: nodeOffset(btf, c.type, c.field, f.path),
          lock: obj.mapValueAddr(map, lock.v.offset + lock.f.offset), nodes: [],
        });
      }
    }
  }

  /** Why `addr` is not a bpf_spin_lock a program may take, or undefined (for SpinLocks). */
  notALock(addr: BpfAddr): string | undefined {
    if (this.globalLocks.has(addr)) return undefined;
    const r = this.memory.regionAt(addr);
    if (r !== undefined && r.opts.kind === "map_value" && this.valueLockOffsets.has(addr - r.start)) return undefined;
    return "not a struct bpf_spin_lock field of a map value or global variable";
  }

  /** The kfuncs, by name. */
  kfuncs(): [string, BpfNativeFn][] {
    const m = this.memory;
    return [
      ["bpf_obj_new_impl", (a) => this.objNew(a.u32(1))],
      ["bpf_obj_drop_impl", (a) => { this.objDrop(a.ptr(1)); return 0; }],
      ["bpf_rbtree_add_impl", (a) => {
        const root = this.root(a.ptr(1), "bpf_rbtree_add"), node = a.ptr(2), less = a.u(3);
        const owner = this.objects.get(node - root.nodeOff);
        if (owner === undefined || !owner.live || owner.type !== root.type) {
          throw new RangeError(`bpf_rbtree_add(${root.name}): ${m.describe(node)} is not the bpf_rb_node of a live struct ${root.type}`);
        }
        // A node already in a tree is refused with -EINVAL, as the kernel does (there, only a
        // refcounted object can get this far, and the call drops that reference).
        if (this.inTree.has(node)) return -EINVAL;
        const nodes = root.nodes;
        let lo = 0, hi = nodes.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((invokeBpfFunction(m, less, node, nodes[mid]!, 0, 0, 0) & 0xff) !== 0) hi = mid; else lo = mid + 1;
        }
        nodes.splice(lo, 0, node);
        this.inTree.set(node, root);
        return 0;
      }],
      ["bpf_rbtree_first", (a) => {
        const root = this.root(a.ptr(1), "bpf_rbtree_first");
        return root.nodes[0] ?? 0;
      }],
      ["bpf_rbtree_remove", (a) => {
        const root = this.root(a.ptr(1), "bpf_rbtree_remove"), node = a.ptr(2);
        if (this.inTree.get(node) !== root) return 0;
        root.nodes.splice(root.nodes.indexOf(node), 1);
        this.inTree.delete(node);
        return node;
      }],
    ];
  }

  /** Nodes in the tree rooted at `addr`, in order (tests). */
  treeNodes(addr: BpfAddr): readonly BpfAddr[] {
    return this.roots.get(addr)?.nodes ?? [];
  }

  private root(addr: BpfAddr, fn: string): Root {
    const root = this.roots.get(addr);
    if (root === undefined) throw new RangeError(`${fn}: ${this.memory.describe(addr)} is not a bpf_rb_root with a __contains tag`);
    const held = this.locks().held;
    if (held !== root.lock) throw new RangeError(`${fn}(${root.name}) without holding its bpf_spin_lock ${this.memory.describe(root.lock)}`);
    return root;
  }

  private objNew(typeId: number): number {
    const btf = this.btf!;
    const t = typeId > 0 && typeId < btf.count ? btf.resolved(typeId) : undefined;
    if (t === undefined || t.kind !== "struct") throw new RangeError(`bpf_obj_new: local type id ${typeId} is not a struct of the object's BTF`);
    const free = this.freeByType.get(typeId);
    const reused = free?.pop();
    if (reused !== undefined) {
      this.memory.revive(reused);
      this.objects.get(reused)!.live = true;
      return reused;
    }
    const addr = this.memory.alloc(t.size, { name: `bpf_obj_new struct ${t.name}`, writable: true, kind: "kernel_object" });
    this.objects.set(addr, { typeId, type: t.name, live: true });
    if (!this.nodeFields.has(typeId)) this.nodeFields.set(typeId, specialFields(btf, typeId, "").filter((f) => f.kind === "bpf_rb_node").map((f) => f.offset));
    return addr;
  }

  private objDrop(addr: BpfAddr): void {
    const o = this.objects.get(addr);
    if (o === undefined || !o.live) throw new RangeError(`bpf_obj_drop: ${this.memory.describe(addr)} is not a live object of bpf_obj_new${o === undefined ? "" : " (dropped twice)"}`);
    for (const off of this.nodeFields.get(o.typeId) ?? []) {
      const root = this.inTree.get(addr + off);
      if (root !== undefined) throw new RangeError(`bpf_obj_drop: struct ${o.type} at ${this.memory.describe(addr)} is still in rbtree ${root.name}`);
    }
    o.live = false;
    this.memory.retire(addr);
    const free = this.freeByType.get(o.typeId) ?? [];
    free.push(addr);
    this.freeByType.set(o.typeId, free);
  }
}
