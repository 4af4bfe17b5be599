/**
 * printf-style formatting of BPF's bstr/printk calls: the format string in BPF memory and the
 * arguments as an array of u64 (bpf_bprintf's convention), read as the kernel would.
 */
import type { BpfAddr, BpfMemory } from "../memory.js";

const MAX_STR = 512;

/** The NUL-terminated string at `addr` (at most `max` bytes). */
export function readCString(m: BpfMemory, addr: BpfAddr, max = MAX_STR): string {
  let out = "";
  for (let k = 0; k < max; k++) {
    const c = m.readU8(addr + k);
    if (c === 0) break;
    out += String.fromCharCode(c);
  }
  return out;
}

/** Format `fmt` with u64 arguments supplied by `arg(k)`. Supports %d %i %u %x %X %s %c %p %% with l/ll/h modifiers. */
export function formatBpf(m: BpfMemory, fmt: string, arg: (k: number) => bigint): string {
  let k = 0;
  return fmt.replace(/%([-0 +#]*)(\d*)(?:\.(\d+))?(hh|h|ll|l|z)?([diuxXscp%])/g, (_all, flags: string, width: string, _prec, len: string | undefined, conv: string) => {
    if (conv === "%") return "%";
    const v = arg(k++);
    let s: string;
    const bits = len === "ll" || len === "l" || len === "z" || conv === "p" ? 64 : 32;
    switch (conv) {
      case "d": case "i": s = BigInt.asIntN(bits, v).toString(); break;
      case "u": s = BigInt.asUintN(bits, v).toString(); break;
      case "x": s = BigInt.asUintN(bits, v).toString(16); break;
      case "X": s = BigInt.asUintN(bits, v).toString(16).toUpperCase(); break;
      case "p": s = `0x${v.toString(16)}`; break;
      case "c": s = String.fromCharCode(Number(v & 0xffn)); break;
      default: s = v === 0n ? "(null)" : readCString(m, Number(v)); break;
    }
    const w = Number(width || 0);
    if (s.length >= w) return s;
    if (flags.includes("-")) return s.padEnd(w);
    return s.padStart(w, flags.includes("0") && conv !== "s" ? "0" : " ");
  });
}
