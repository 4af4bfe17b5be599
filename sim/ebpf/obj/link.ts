/**
 * Linking one entry program, libbpf's way: copy its instructions, append every `.text`
 * subprogram it reaches (by call or by address) once at the end, and resolve each relocation:
 * ld_imm64 of a map (src 1), of global data (src 2 + offset), of a function (src 4, index in the
 * linked program), of a kfunc (bpf_ksym_exists: a non-zero token, or 0 for an absent weak kfunc),
 * of a kconfig variable (src 2 into the kconfig map), of a per-CPU kernel variable (its handle,
 * for bpf_per_cpu_ptr), of an absent weak kernel variable (NULL); calls to subprograms (relative offsets) and
 * to kfuncs (src 2, index into the program's kfuncNames, which holds kernel names: a
 * `___flavor` suffix on the extern is dropped, as libbpf does when it resolves ksyms).
 */
import type { LinkedProgram } from "../program.js";
import type { LineInfo } from "./btf_ext.js";
import { type CodeUnit, type CodeUnits, unitAt } from "./code_units.js";
import { type ElfObject, type ElfRel, type ElfSymbol, R_BPF_64_32, R_BPF_64_64, SHN_UNDEF } from "./elf.js";
import { fail } from "./errors.js";
import { firstReachable, type ConstMapRead } from "./reachable.js";
import type { Externs } from "./externs.js";

/** A linked program with what the loader knows beyond the engine's needs. */
export interface LoadedProgram extends LinkedProgram {
  /** Source lines by linked instruction index (from .BTF.ext), sorted by insn. */
  readonly lines: readonly LineInfo[];
  /** Where each function starts in the linked program (the entry first). */
  readonly functions: readonly { readonly name: string; readonly start: number }[];
  /**
   * Poisoned instructions the program may reach unless `.rodata` prunes the way there: checked
   * again once user space has set `.rodata` (BpfObject.sealRodata), as the verifier sees it frozen.
   */
  readonly pendingPoison?: ReadonlyMap<number, string>;
}

/** What a data/map symbol refers to: map index (and offset within its value for global data). */
export type SymbolTarget = { kind: "map"; map: number } | { kind: "value"; map: number; offset: number; limit: number };

export interface LinkInput {
  readonly elf: ElfObject;
  readonly units: CodeUnits;
  /** CO-RE-patched copy of each code section, by section index. */
  readonly code: ReadonlyMap<number, Uint8Array>;
  readonly rels: ReadonlyMap<number, ReadonlyMap<number, ElfRel>>;
  readonly externs: Externs;
  readonly kconfigMap: number;
  /** The object has `.rodata`, whose values are known only once set: a reachable poison waits for them. */
  readonly hasRodata: boolean;
  /** The handle of a per-CPU kernel variable scxlab has (what `&sd_llc_id` loads), else undefined. */
  percpuAddr(name: string): number | undefined;
  /** CO-RE-poisoned instructions per code section (insn index → refusal), refused only if reachable. */
  readonly poisoned: ReadonlyMap<number, ReadonlyMap<number, string>>;
  /** Source lines per code section, sorted by instruction. */
  readonly lineInfo: ReadonlyMap<string, readonly LineInfo[]>;
  /** Resolve a defined symbol plus addend to a map target, or undefined when it is not map/data. */
  mapTarget(sym: ElfSymbol, addend: number): SymbolTarget | undefined;
}

const LD_IMM64 = 0x18;
const CALL = 0x85;
const PSEUDO_CALL = 1;
const PSEUDO_KFUNC_CALL = 2;
const SRC_MAP_FD = 1, SRC_MAP_VALUE = 2, SRC_FUNC = 4;
/** What bpf_ksym_exists() sees for a kfunc scxlab provides: non-zero, never a valid address. */
export const KFUNC_PRESENT_TOKEN = 1;

export function linkProgram(entry: CodeUnit, inp: LinkInput): LoadedProgram {
  const where = `program ${entry.name}`;
  const buf = new CodeBuffer(entry.len * 16);
  const placed = new Map<CodeUnit, number>();
  const queue: CodeUnit[] = [];
  const kfuncNames: string[] = [];
  const lines: LineInfo[] = [];
  const functions: { name: string; start: number }[] = [];
  const poison = new Map<number, string>();

  const place = (u: CodeUnit): number => {
    const have = placed.get(u);
    if (have !== undefined) return have;
    const base = buf.append(inp.code.get(u.section.index)!.subarray(u.start * 8, (u.start + u.len) * 8));
    placed.set(u, base);
    queue.push(u);
    functions.push({ name: u.name, start: base });
    for (const [insn, why] of inp.poisoned.get(u.section.index) ?? []) {
      if (insn >= u.start && insn < u.start + u.len) poison.set(base + insn - u.start, why);
    }
    const all = inp.lineInfo.get(u.section.name) ?? [];
    for (let i = firstAtOrAfter(all, u.start); i < all.length && all[i]!.insn < u.start + u.len; i++) {
      lines.push({ ...all[i]!, insn: base + all[i]!.insn - u.start });
    }
    return base;
  };
  const subprog = (sec: number, insn: number, from: string): number => {
    const u = unitAt(inp.units, sec, insn) ?? fail(`${where}: ${from} targets instruction ${insn} of ${inp.elf.sections[sec]!.name}, which is not the start of a function`);
    return place(u);
  };
  const kfuncIndex = (name: string): number => {
    let i = kfuncNames.indexOf(name);
    if (i < 0) i = kfuncNames.push(name) - 1;
    return i;
  };

  place(entry);
  while (queue.length > 0) {
    const u = queue.shift()!;
    const base = placed.get(u)!;
    const rels = inp.rels.get(u.section.index);
    for (let k = 0; k < u.len; k++) {
      const o = base + k;
      const op = buf.bytes[o * 8]!;
      const rel = rels?.get((u.start + k) * 8);
      const at = `${where}: ${u.section.name} insn ${u.start + k}`;
      const wide = op === LD_IMM64;
      if (wide && k + 1 >= u.len) fail(`${at}: ld_imm64 is cut off at the end of function ${u.name}`);
      if (rel !== undefined) {
        if (wide && rel.type === R_BPF_64_64) relocateLdImm64(buf, o, rel, inp, at, subprog, kfuncIndex);
        else if (op === CALL && rel.type === R_BPF_64_32) relocateCall(buf, o, rel, inp, at, subprog, kfuncIndex);
        else fail(`${at}: relocation type ${rel.type} against ${rel.sym.name || "a section"} on opcode 0x${op.toString(16)} is not supported`);
      } else if (op === CALL && src(buf, o) === PSEUDO_CALL) {
        const target = subprog(u.section.index, u.start + k + imm(buf, o) + 1, "a call");
        setImm(buf, o, target - (o + 1));
      } else if (op === CALL && src(buf, o) !== 0) {
        fail(`${at}: call with src_reg ${src(buf, o)} has no relocation`);
      } else if (wide && src(buf, o) !== 0) {
        fail(`${at}: ld_imm64 with src_reg ${src(buf, o)} has no relocation`);
      }
      if (wide) {
        if (rels?.has((u.start + k + 1) * 8)) fail(`${at}: relocation on the second half of an ld_imm64`);
        k++;
      }
    }
  }
  const hit = firstReachable(buf.bytes.subarray(0, buf.used), [functions[0]!.start], new Set(poison.keys()), kconfigRead(inp));
  if (hit >= 0 && !inp.hasRodata) fail(poison.get(hit)!);
  lines.sort((a, b) => a.insn - b.insn);
  const linked = { name: entry.name, section: entry.section.name, insns: buf.bytes.slice(0, buf.used), kfuncNames, lines, functions };
  return hit >= 0 ? { ...linked, pendingPoison: poison } : linked;
}

/** Loads from the `.kconfig` map (read-only, filled at load) as the verifier folds them. */
export function kconfigRead(inp: Pick<LinkInput, "externs" | "kconfigMap">): ConstMapRead | undefined {
  const bytes = inp.externs.kconfigMap?.initial;
  if (bytes === undefined || inp.kconfigMap < 0) return undefined;
  return (map, offset, size) => {
    if (map !== inp.kconfigMap || offset < 0 || offset + size > bytes.length) return undefined;
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[offset + k]!);
    return v;
  };
}

function relocateLdImm64(
  out: CodeBuffer, o: number, rel: ElfRel, inp: LinkInput, at: string,
  subprog: (sec: number, insn: number, from: string) => number, kfuncIndex: (n: string) => number,
): void {
  const sym = rel.sym;
  const addend = imm(out, o);
  if (sym.shndx === SHN_UNDEF) {
    const kf = inp.externs.kfuncs.get(sym.name);
    if (kf !== undefined) {
      kfuncIndex(kf.name);
      return setWide(out, o, 0, kf.available ? KFUNC_PRESENT_TOKEN : 0, 0);
    }
    if (inp.externs.absentKsymVars.has(sym.name)) return setWide(out, o, 0, 0, 0);
    const percpu = inp.percpuAddr(sym.name);
    if (percpu !== undefined) return setWide(out, o, 0, percpu + addend, 0);
    const off = inp.externs.kconfigOffsets.get(sym.name);
    if (off !== undefined) return setWide(out, o, SRC_MAP_VALUE, inp.kconfigMap, off + addend);
    fail(`${at}: reference to unknown extern ${sym.name}`);
  }
  const code = inp.code.get(sym.shndx);
  if (code !== undefined) {
    const byteOff = sym.value + addend;
    if (byteOff % 8 !== 0) fail(`${at}: function address ${byteOff} is not instruction-aligned`);
    const target = subprog(sym.shndx, byteOff / 8, "a function address");
    return setWide(out, o, SRC_FUNC, target, 0);
  }
  const t = inp.mapTarget(sym, addend) ?? fail(`${at}: ld_imm64 of ${sym.name || "a symbol"} in section ${inp.elf.sections[sym.shndx]?.name ?? sym.shndx}, which is neither code, a map nor global data`);
  if (t.kind === "map") return setWide(out, o, SRC_MAP_FD, t.map, 0);
  if (t.offset < 0 || t.offset > t.limit) fail(`${at}: offset ${t.offset} into ${sym.name} is outside its map value (${t.limit} bytes)`);
  setWide(out, o, SRC_MAP_VALUE, t.map, t.offset);
}

function relocateCall(
  out: CodeBuffer, o: number, rel: ElfRel, inp: LinkInput, at: string,
  subprog: (sec: number, insn: number, from: string) => number, kfuncIndex: (n: string) => number,
): void {
  const sym = rel.sym;
  if (src(out, o) !== PSEUDO_CALL) fail(`${at}: relocated call is not a pseudo call (src_reg ${src(out, o)})`);
  if (sym.shndx === SHN_UNDEF) {
    const kf = inp.externs.kfuncs.get(sym.name) ?? fail(`${at}: call to unknown extern ${sym.name}`);
    const b = out.bytes;
    b[o * 8 + 1] = (b[o * 8 + 1]! & 0x0f) | (PSEUDO_KFUNC_CALL << 4);
    b[o * 8 + 2] = 0;
    b[o * 8 + 3] = 0;
    return setImm(out, o, kfuncIndex(kf.name));
  }
  if (!inp.code.has(sym.shndx)) fail(`${at}: call to ${sym.name}, which is not code`);
  if (sym.value % 8 !== 0) fail(`${at}: call target ${sym.name} is not instruction-aligned`);
  const target = subprog(sym.shndx, sym.value / 8 + imm(out, o) + 1, `a call to ${sym.name || "a subprogram"}`);
  setImm(out, o, target - (o + 1));
}

/** Index of the first line at or after instruction `insn` (lines sorted by insn). */
function firstAtOrAfter(lines: readonly LineInfo[], insn: number): number {
  let lo = 0, hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.insn < insn) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** The linked program's bytes; grows by doubling, so always index `bytes` afresh. */
class CodeBuffer {
  bytes: Uint8Array;
  used = 0;

  constructor(initial: number) {
    this.bytes = new Uint8Array(Math.max(64, initial));
  }

  /** Append instructions; returns the index of the first. */
  append(insns: Uint8Array): number {
    if (this.used + insns.length > this.bytes.length) {
      const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.used + insns.length));
      bigger.set(this.bytes.subarray(0, this.used));
      this.bytes = bigger;
    }
    this.bytes.set(insns, this.used);
    this.used += insns.length;
    return this.used / 8 - insns.length / 8;
  }
}

function src(out: CodeBuffer, o: number): number {
  return out.bytes[o * 8 + 1]! >> 4;
}

function imm(out: CodeBuffer, o: number): number {
  const b = out.bytes;
  return b[o * 8 + 4]! | (b[o * 8 + 5]! << 8) | (b[o * 8 + 6]! << 16) | (b[o * 8 + 7]! << 24);
}

function setImm(out: CodeBuffer, o: number, v: number): void {
  const b = out.bytes;
  b[o * 8 + 4] = v & 0xff;
  b[o * 8 + 5] = (v >>> 8) & 0xff;
  b[o * 8 + 6] = (v >>> 16) & 0xff;
  b[o * 8 + 7] = (v >>> 24) & 0xff;
}

/** ld_imm64: set src_reg, the first slot's imm and the second slot's imm. */
function setWide(out: CodeBuffer, o: number, srcReg: number, lo: number, hi: number): void {
  out.bytes[o * 8 + 1] = (out.bytes[o * 8 + 1]! & 0x0f) | (srcReg << 4);
  setImm(out, o, lo);
  setImm(out, o + 1, hi);
}
