/**
 * Setting `.rodata` variables before a program runs, as the scx loaders do with
 * `skel->rodata->name = value` and scxlab does with `-o name=value`: the value is parsed and
 * type-checked against the variable's BTF type (integers with range, bool, enums by name or
 * number, char arrays from strings).
 */
import type { Btf } from "./btf_types.js";
import { fail } from "./errors.js";
import type { GlobalVar } from "./globals.js";

export type RodataValue = string | number | bigint | boolean;

/** Encode `value` as the bytes of `v`'s type; fails with a one-line reason. */
export function encodeRodata(btf: Btf, v: GlobalVar, value: RodataValue): Uint8Array {
  const t = btf.resolved(v.typeId);
  const out = new Uint8Array(v.size);
  const dv = new DataView(out.buffer);
  const what = `option ${v.name} (${v.typeName})`;
  if (t.kind === "int" && t.bool) {
    const b = typeof value === "boolean" ? value : value === "true" || value === "1" || value === 1 || value === 1n ? true
      : value === "false" || value === "0" || value === 0 || value === 0n ? false : fail(`${what}: "${String(value)}" is not true/false`);
    out[0] = b ? 1 : 0;
    return out;
  }
  if (t.kind === "int" || t.kind === "enum" || t.kind === "enum64") {
    let n: bigint;
    const named = t.kind !== "int" && typeof value === "string" ? t.values.find((e) => e.name === value) : undefined;
    if (named !== undefined) n = named.value;
    else n = toBigInt(value) ?? fail(`${what}: "${String(value)}" is not an integer`);
    const signed = t.signed;
    const bits = BigInt(t.size * 8);
    const lo = signed ? -(1n << (bits - 1n)) : 0n;
    const hi = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (n < lo || n > hi) fail(`${what}: ${n} is outside ${lo}..${hi}`);
    writeInt(dv, t.size, n);
    return out;
  }
  if (t.kind === "array") {
    const el = btf.resolved(t.elem);
    if (el.kind === "int" && el.size === 1 && typeof value === "string") {
      if (value.length >= t.nelems) fail(`${what}: "${value}" is longer than ${t.nelems - 1} characters`);
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if (c > 0xff) fail(`${what}: "${value}" has a non-Latin-1 character`);
        out[i] = c;
      }
      return out;
    }
  }
  fail(`${what}: scxlab cannot set variables of this type`);
}

function toBigInt(v: RodataValue): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : undefined;
  if (typeof v === "boolean") return undefined;
  const s = v.trim();
  if (!/^-?(0x[0-9a-fA-F]+|\d+)$/.test(s)) return undefined;
  return s.startsWith("-") ? -BigInt(s.slice(1)) : BigInt(s);
}

function writeInt(dv: DataView, size: number, n: bigint): void {
  switch (size) {
    case 1: dv.setUint8(0, Number(BigInt.asUintN(8, n))); break;
    case 2: dv.setUint16(0, Number(BigInt.asUintN(16, n)), true); break;
    case 4: dv.setUint32(0, Number(BigInt.asUintN(32, n)), true); break;
    case 8: dv.setBigUint64(0, BigInt.asUintN(64, n), true); break;
    default: fail(`integer of ${size} bytes cannot be set`);
  }
}
