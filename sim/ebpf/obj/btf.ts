/**
 * The `.BTF` section parser (kernel Documentation/bpf/btf.rst): header, string section, and the
 * type section with every kind up to ENUM64. Every type reference is checked to name an existing
 * type, so later walks only need depth limits.
 */
import { ByteReader, StringTable } from "./bytes.js";
import { fail } from "./errors.js";
import { Btf, type BtfModifierKind, type BtfType } from "./btf_types.js";

export const BTF_MAGIC = 0xeb9f;
const TYPE_HDR = 12;

/** Parsed `.BTF`: the types and the string table (.BTF.ext refers to it). */
export interface ParsedBtf {
  readonly btf: Btf;
  readonly strings: StringTable;
}

/** Parse a `.BTF` section. */
export function parseBtf(data: Uint8Array): ParsedBtf {
  const r = new ByteReader(data, ".BTF");
  if (r.u16(0, "magic") !== BTF_MAGIC) fail(".BTF: bad magic (not BTF, or big-endian)");
  if (r.u8(2) !== 1) fail(`.BTF: version ${r.u8(2)} is not 1`);
  const hdrLen = r.u32(4, "hdr_len");
  if (hdrLen < 24) fail(`.BTF: header length ${hdrLen} is shorter than 24`);
  const typeOff = r.u32(8), typeLen = r.u32(12), strOff = r.u32(16), strLen = r.u32(20);
  const types = r.slice(hdrLen + typeOff, typeLen, ".BTF type section");
  const strBytes = r.slice(hdrLen + strOff, strLen, ".BTF string section").bytes;
  const strings = new StringTable(strBytes, ".BTF strings");
  const out: BtfType[] = [{ kind: "void", name: "" }];
  let o = 0;
  while (o < types.length) {
    const id = out.length;
    const nameOff = types.u32(o, `type ${id} name`);
    const info = types.u32(o + 4, `type ${id} info`);
    const sizeOrType = types.u32(o + 8, `type ${id} size`);
    const vlen = info & 0xffff;
    const kind = (info >>> 24) & 0x1f;
    const kflag = info >>> 31 === 1;
    const name = strings.at(nameOff);
    o += TYPE_HDR;
    const [t, extra] = readKind(types, o, id, kind, kflag, vlen, name, sizeOrType, strings);
    out.push(t);
    o += extra;
  }
  const btf = new Btf(out, "object BTF");
  checkRefs(btf);
  return { btf, strings };
}

const MODIFIERS: Record<number, BtfModifierKind> = { 8: "typedef", 9: "volatile", 10: "const", 11: "restrict", 18: "type_tag" };

function readKind(
  r: ByteReader, o: number, id: number, kind: number, kflag: boolean, vlen: number, name: string, st: number, strings: StringTable,
): [BtfType, number] {
  const w = `type ${id}`;
  switch (kind) {
    case 1: {
      const enc = r.u32(o, w);
      const encoding = (enc >>> 24) & 0xf;
      if (![1, 2, 4, 8, 16].includes(st)) fail(`.BTF: ${w} INT ${name}: size ${st} is invalid`);
      return [{ kind: "int", name, size: st, signed: (encoding & 1) !== 0, char: (encoding & 2) !== 0, bool: (encoding & 4) !== 0, bitOffset: (enc >>> 16) & 0xff, bits: enc & 0xff }, 4];
    }
    case 2: return [{ kind: "ptr", name: "", type: st }, 0];
    case 3: return [{ kind: "array", name: "", elem: r.u32(o, w), index: r.u32(o + 4, w), nelems: r.u32(o + 8, w) }, 12];
    case 4: case 5: {
      r.need(o, vlen * 12, `${w} members`);
      const members = [];
      for (let i = 0; i < vlen; i++) {
        const m = o + i * 12;
        const off = r.u32(m + 8, w);
        members.push({ name: strings.at(r.u32(m, w)), type: r.u32(m + 4, w), bitOffset: kflag ? off & 0xffffff : off, bitSize: kflag ? off >>> 24 : 0 });
      }
      return [{ kind: kind === 4 ? "struct" : "union", name, size: st, members }, vlen * 12];
    }
    case 6: case 19: {
      const rec = kind === 6 ? 8 : 12;
      r.need(o, vlen * rec, `${w} enumerators`);
      const values = [];
      for (let i = 0; i < vlen; i++) {
        const e = o + i * rec;
        const value = kind === 6
          ? (kflag ? BigInt(r.i32(e + 4, w)) : BigInt(r.u32(e + 4, w)))
          : decode64(r.u32(e + 4, w), r.u32(e + 8, w), kflag);
        values.push({ name: strings.at(r.u32(e, w)), value });
      }
      if (![1, 2, 4, 8].includes(st)) fail(`.BTF: ${w} enum ${name}: size ${st} is invalid`);
      return [{ kind: kind === 6 ? "enum" : "enum64", name, size: st, signed: kflag, values }, vlen * rec];
    }
    case 7: return [{ kind: "fwd", name, union: kflag }, 0];
    case 8: case 9: case 10: case 11: case 18: return [{ kind: MODIFIERS[kind]!, name, type: st }, 0];
    case 12: return [{ kind: "func", name, type: st, linkage: vlen }, 0];
    case 13: {
      r.need(o, vlen * 8, `${w} parameters`);
      const params = [];
      for (let i = 0; i < vlen; i++) params.push({ name: strings.at(r.u32(o + i * 8, w)), type: r.u32(o + i * 8 + 4, w) });
      return [{ kind: "func_proto", name: "", ret: st, params }, vlen * 8];
    }
    case 14: return [{ kind: "var", name, type: st, linkage: r.u32(o, w) }, 4];
    case 15: {
      r.need(o, vlen * 12, `${w} variables`);
      const vars = [];
      for (let i = 0; i < vlen; i++) vars.push({ type: r.u32(o + i * 12, w), offset: r.u32(o + i * 12 + 4, w), size: r.u32(o + i * 12 + 8, w) });
      return [{ kind: "datasec", name, size: st, vars }, vlen * 12];
    }
    case 16: return [{ kind: "float", name, size: st }, 0];
    case 17: return [{ kind: "decl_tag", name, type: st, component: r.i32(o, w) }, 4];
    default: fail(`.BTF: ${w} has unknown kind ${kind}`);
  }
}

function decode64(lo: number, hi: number, signed: boolean): bigint {
  const v = (BigInt(hi) << 32n) | BigInt(lo);
  return signed ? BigInt.asIntN(64, v) : v;
}

/** Every type reference must name an existing type; variables and sections must point at the right kinds. */
function checkRefs(btf: Btf): void {
  const n = btf.count;
  const ok = (id: number, from: number, what: string): void => {
    if (id >= n) fail(`.BTF: type ${from} ${what} refers to type ${id}, past the last type ${n - 1}`);
  };
  btf.types.forEach((t, id) => {
    switch (t.kind) {
      case "ptr": case "typedef": case "volatile": case "const": case "restrict": case "type_tag": case "func": case "var": case "decl_tag":
        ok(t.type, id, t.kind); break;
      case "array": ok(t.elem, id, "element"); ok(t.index, id, "index"); break;
      case "struct": case "union": for (const m of t.members) ok(m.type, id, `member ${m.name}`); break;
      case "func_proto": ok(t.ret, id, "return"); for (const p of t.params) ok(p.type, id, "parameter"); break;
      case "datasec":
        for (const v of t.vars) {
          ok(v.type, id, "variable");
          const k = btf.type(v.type).kind;
          if (k !== "var" && k !== "func") fail(`.BTF: section ${t.name} lists type ${v.type} (${k}), not a variable`);
        }
        break;
      default: break;
    }
  });
}
