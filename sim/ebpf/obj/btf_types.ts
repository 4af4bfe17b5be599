/**
 * BTF types as the loader works with them: names already resolved, one readonly record per type
 * id (id 0 is void). Parsed from an object's `.BTF` (btf.ts) or built by hand for scxlab's kernel
 * model (kernel_btf.ts), and queried the same way (Btf).
 */
import { fail } from "./errors.js";

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  /** Offset from the start of the struct, in bits. */
  readonly bitOffset: number;
  /** Bitfield width in bits, 0 for an ordinary member. */
  readonly bitSize: number;
}

export interface BtfEnumValue {
  readonly name: string;
  /** The value as written (signed enums keep their sign). */
  readonly value: bigint;
}

export type BtfModifierKind = "typedef" | "volatile" | "const" | "restrict" | "type_tag";

export type BtfType =
  | { readonly kind: "void"; readonly name: "" }
  | { readonly kind: "int"; readonly name: string; readonly size: number; readonly signed: boolean; readonly char: boolean; readonly bool: boolean; readonly bitOffset: number; readonly bits: number }
  | { readonly kind: "ptr"; readonly name: ""; readonly type: number }
  | { readonly kind: "array"; readonly name: ""; readonly elem: number; readonly index: number; readonly nelems: number }
  | { readonly kind: "struct" | "union"; readonly name: string; readonly size: number; readonly members: readonly BtfMember[] }
  | { readonly kind: "enum" | "enum64"; readonly name: string; readonly size: number; readonly signed: boolean; readonly values: readonly BtfEnumValue[] }
  | { readonly kind: "fwd"; readonly name: string; readonly union: boolean }
  | { readonly kind: BtfModifierKind; readonly name: string; readonly type: number }
  | { readonly kind: "func"; readonly name: string; readonly type: number; readonly linkage: number }
  | { readonly kind: "func_proto"; readonly name: ""; readonly ret: number; readonly params: readonly { readonly name: string; readonly type: number }[] }
  | { readonly kind: "var"; readonly name: string; readonly type: number; readonly linkage: number }
  | { readonly kind: "datasec"; readonly name: string; readonly size: number; readonly vars: readonly { readonly type: number; readonly offset: number; readonly size: number }[] }
  | { readonly kind: "float"; readonly name: string; readonly size: number }
  | { readonly kind: "decl_tag"; readonly name: string; readonly type: number; readonly component: number };

export type BtfKind = BtfType["kind"];

/** VAR / FUNC linkage values. */
export const BTF_LINKAGE_STATIC = 0;
export const BTF_LINKAGE_GLOBAL = 1;
export const BTF_LINKAGE_EXTERN = 2;

/** How deep typedef/modifier/array chains may go before we call the BTF malformed (libbpf uses 32). */
const MAX_DEPTH = 32;

/** A type table with the lookups the loader needs. */
export class Btf {
  private byName: Map<string, number[]> | undefined;

  constructor(
    readonly types: readonly BtfType[],
    /** Names the table in errors: "object BTF" or "scxlab kernel BTF". */
    readonly what: string,
  ) {}

  get count(): number {
    return this.types.length;
  }

  type(id: number): BtfType {
    const t = this.types[id];
    if (t === undefined) fail(`${this.what}: type id ${id} does not exist`);
    return t;
  }

  /** Follow typedefs and qualifiers to the underlying type id. */
  skipMods(id: number): number {
    for (let d = 0; d < MAX_DEPTH; d++) {
      const t = this.type(id);
      if (t.kind !== "typedef" && t.kind !== "volatile" && t.kind !== "const" && t.kind !== "restrict" && t.kind !== "type_tag") return id;
      id = t.type;
    }
    fail(`${this.what}: type chain from id ${id} is too deep (a loop?)`);
  }

  /** Follow qualifiers (not typedefs) only. */
  skipQualifiers(id: number): number {
    for (let d = 0; d < MAX_DEPTH; d++) {
      const t = this.type(id);
      if (t.kind !== "volatile" && t.kind !== "const" && t.kind !== "restrict" && t.kind !== "type_tag") return id;
      id = t.type;
    }
    fail(`${this.what}: qualifier chain from id ${id} is too deep (a loop?)`);
  }

  resolved(id: number): BtfType {
    return this.type(this.skipMods(id));
  }

  /** Byte size of a type (fails for void, functions and forward declarations). */
  sizeOf(id: number, depth = 0): number {
    if (depth > MAX_DEPTH) fail(`${this.what}: type ${id} nests too deeply`);
    const t = this.type(id);
    switch (t.kind) {
      case "int": case "struct": case "union": case "enum": case "enum64": case "float": case "datasec":
        return t.size;
      case "ptr":
        return 8;
      case "array": {
        const n = t.nelems * this.sizeOf(t.elem, depth + 1);
        if (!Number.isSafeInteger(n) || n > 0xffffffff) fail(`${this.what}: array type ${id} is too large`);
        return n;
      }
      case "typedef": case "volatile": case "const": case "restrict": case "type_tag": case "var":
        return this.sizeOf(t.type, depth + 1);
      default:
        fail(`${this.what}: type ${id} (${t.kind}) has no size`);
    }
  }

  /** Ids of all types called `name` (any kind). */
  idsNamed(name: string): readonly number[] {
    if (this.byName === undefined) {
      this.byName = new Map();
      this.types.forEach((t, id) => {
        if (t.name === "") return;
        const l = this.byName!.get(t.name);
        if (l) l.push(id); else this.byName!.set(t.name, [id]);
      });
    }
    return this.byName.get(name) ?? [];
  }

  /** The first type of `kind` called `name`, or undefined. */
  find(kind: BtfKind, name: string): number | undefined {
    return this.idsNamed(name).find((id) => this.types[id]!.kind === kind);
  }

  /** A readable name for messages: "struct task_struct", "u32", "int *". */
  describe(id: number, depth = 0): string {
    const t = this.types[id];
    if (t === undefined) return `<bad type ${id}>`;
    if (depth > 8) return "...";
    switch (t.kind) {
      case "void": return "void";
      case "ptr": return `${this.describe(t.type, depth + 1)} *`;
      case "array": return `${this.describe(t.elem, depth + 1)}[${t.nelems}]`;
      case "struct": case "union": case "enum": return `${t.kind} ${t.name || "(anon)"}`;
      case "enum64": return `enum ${t.name || "(anon)"}`;
      case "volatile": case "const": case "restrict": return `${t.kind} ${this.describe(t.type, depth + 1)}`;
      case "func_proto": return "function";
      default: return t.name || t.kind;
    }
  }
}
