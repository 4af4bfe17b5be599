/**
 * Build a BTF type table by hand, with C's natural layout computed for us: each struct member is
 * placed at the next offset aligned to its own alignment, and the struct is padded to its largest
 * alignment. Used for scxlab's kernel model.
 */
import { Btf, type BtfEnumValue, type BtfType } from "./btf_types.js";
import { EngineBug } from "../../errors.js";

/** A member as declared: name and type id (layout is computed). */
export type MemberDecl = readonly [name: string, type: number];

export class BtfBuilder {
  private readonly types: (BtfType | undefined)[] = [{ kind: "void", name: "" }];
  private readonly aligns: number[] = [1];

  /** Reserve an id now (for self-referencing structs); define it later with `define`. */
  reserve(): number {
    this.types.push(undefined);
    this.aligns.push(1);
    return this.types.length - 1;
  }

  int(name: string, size: number, signed: boolean, flavour: "char" | "bool" | "" = ""): number {
    return this.add({ kind: "int", name, size, signed, char: flavour === "char", bool: flavour === "bool", bitOffset: 0, bits: size * 8 }, size);
  }

  typedef(name: string, type: number): number {
    return this.add({ kind: "typedef", name, type }, this.aligns[type]!);
  }

  constOf(type: number): number {
    return this.add({ kind: "const", name: "", type }, this.aligns[type]!);
  }

  ptr(type: number): number {
    return this.add({ kind: "ptr", name: "", type }, 8);
  }

  array(elem: number, nelems: number, index: number): number {
    return this.add({ kind: "array", name: "", elem, index, nelems }, this.aligns[elem]!);
  }

  funcProto(): number {
    return this.add({ kind: "func_proto", name: "", ret: 0, params: [] }, 1);
  }

  enumOf(name: string, size: 4 | 8, values: readonly BtfEnumValue[]): number {
    const signed = values.some((v) => v.value < 0n);
    return this.add({ kind: size === 8 ? "enum64" : "enum", name, size, signed, values }, size);
  }

  /** Define a struct (into a reserved id when given) with natural C layout. */
  struct(name: string, members: readonly MemberDecl[], id?: number): number {
    const btf = new Btf(this.types.map((t) => t ?? { kind: "void", name: "" }), "kernel model");
    let off = 0;
    let align = 1;
    const laid = members.map(([mname, type]) => {
      const a = this.aligns[type]!;
      off = Math.ceil(off / a) * a;
      const m = { name: mname, type, bitOffset: off * 8, bitSize: 0 };
      off += btf.sizeOf(type);
      align = Math.max(align, a);
      return m;
    });
    const size = Math.ceil(off / align) * align;
    const t: BtfType = { kind: "struct", name, size, members: laid };
    if (id === undefined) return this.add(t, align);
    this.types[id] = t;
    this.aligns[id] = align;
    return id;
  }

  build(what: string): Btf {
    return new Btf(this.types.map((t, i) => {
      if (t === undefined) throw new EngineBug(`kernel model: type ${i} reserved but never defined`);
      return t;
    }), what);
  }

  private add(t: BtfType, align: number): number {
    this.types.push(t);
    this.aligns.push(align);
    return this.types.length - 1;
  }
}
