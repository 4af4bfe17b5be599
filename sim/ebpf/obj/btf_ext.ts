/**
 * The `.BTF.ext` section: per program section, func_info (where each function starts and its
 * BTF FUNC), line_info (source lines) and CO-RE relocation records. Names and access strings are
 * offsets into the `.BTF` string table. Instruction offsets are turned from bytes into indexes.
 */
import { ByteReader, type StringTable } from "./bytes.js";
import { fail } from "./errors.js";

export interface FuncInfo { readonly insn: number; readonly typeId: number }
export interface LineInfo { readonly insn: number; readonly file: string; readonly text: string; readonly line: number; readonly col: number }
export interface CoreRelo { readonly insn: number; readonly typeId: number; readonly access: string; readonly kind: number }

export interface BtfExt {
  /** Records grouped by the program section they describe. */
  readonly funcInfo: ReadonlyMap<string, readonly FuncInfo[]>;
  readonly lineInfo: ReadonlyMap<string, readonly LineInfo[]>;
  readonly coreRelos: ReadonlyMap<string, readonly CoreRelo[]>;
}

/** Parse `.BTF.ext`; `strings` is the `.BTF` string table. */
export function parseBtfExt(data: Uint8Array, strings: StringTable): BtfExt {
  const r = new ByteReader(data, ".BTF.ext");
  if (r.u16(0, "magic") !== 0xeb9f) fail(".BTF.ext: bad magic");
  if (r.u8(2) !== 1) fail(`.BTF.ext: version ${r.u8(2)} is not 1`);
  const hdrLen = r.u32(4, "hdr_len");
  if (hdrLen < 24) fail(`.BTF.ext: header length ${hdrLen} is shorter than 24`);
  const part = (off: number, len: number, what: string): ByteReader | undefined =>
    len === 0 ? undefined : r.slice(hdrLen + off, len, `.BTF.ext ${what}`);
  const fi = part(r.u32(8), r.u32(12), "func_info");
  const li = part(r.u32(16), r.u32(20), "line_info");
  const cr = hdrLen >= 32 ? part(r.u32(24), r.u32(28), "core_relo") : undefined;
  return {
    funcInfo: readGroups(fi, 8, strings, (g, o) => ({ insn: insnIndex(g.u32(o), "func_info"), typeId: g.u32(o + 4) })),
    lineInfo: readGroups(li, 16, strings, (g, o) => {
      const lc = g.u32(o + 12);
      return { insn: insnIndex(g.u32(o), "line_info"), file: strings.at(g.u32(o + 4)), text: strings.at(g.u32(o + 8)), line: lc >>> 10, col: lc & 0x3ff };
    }),
    coreRelos: readGroups(cr, 16, strings, (g, o) => ({ insn: insnIndex(g.u32(o), "core_relo"), typeId: g.u32(o + 4), access: strings.at(g.u32(o + 8)), kind: g.u32(o + 12) })),
  };
}

function insnIndex(byteOff: number, what: string): number {
  if (byteOff % 8 !== 0) fail(`.BTF.ext ${what}: instruction offset ${byteOff} is not a multiple of 8`);
  return byteOff / 8;
}

/** A part is `u32 rec_size` then groups of `{ u32 sec_name_off; u32 num_info; rec[num_info] }`. */
function readGroups<T>(r: ByteReader | undefined, minRec: number, strings: StringTable, rec: (g: ByteReader, off: number) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  if (r === undefined) return out;
  const recSize = r.u32(0, "rec_size");
  if (recSize < minRec || recSize % 4 !== 0) fail(`${r.what}: record size ${recSize} is invalid (at least ${minRec})`);
  let o = 4;
  while (o < r.length) {
    const sec = strings.at(r.u32(o, "sec_name_off"));
    const n = r.u32(o + 4, "num_info");
    if (n === 0) fail(`${r.what}: section ${sec} has zero records`);
    o += 8;
    r.need(o, n * recSize, `${sec} records`);
    const list = out.get(sec) ?? [];
    for (let i = 0; i < n; i++, o += recSize) list.push(rec(r, o));
    out.set(sec, list);
  }
  return out;
}
