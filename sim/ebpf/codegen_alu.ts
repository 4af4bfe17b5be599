/**
 * JavaScript for ALU instructions and jump conditions over registers held as int32 halves
 * (`r3l`, `r3h`). Every emitted statement computes from the old values before it assigns, so
 * `dst` and `src` may be the same register. Scratch locals: `t`, `u`. Runtime functions (see
 * runtime.ts) are in scope as MULHU, UDIV, UMOD, SDIV, SMOD, SHL, SHR, SAR, BSWAP, with the high
 * half of their results in `X[0]`.
 */
import { ALU, JMP } from "./isa.js";

/** An operand: the two halves as JavaScript expressions (a register or a literal). */
export interface Operand {
  readonly l: string;
  readonly h: string;
  /** The literal value of an immediate operand, or null for a register. */
  readonly k: number | null;
}

export function regOperand(r: number): Operand {
  return { l: `r${r}l`, h: `r${r}h`, k: null };
}

/** An immediate, sign-extended to 64 bits as BPF defines. */
export function immOperand(imm: number): Operand {
  // Negative literals are parenthesised so that `a-(-5)` never reads as a decrement.
  const v = imm | 0;
  return { l: v < 0 ? `(${v})` : String(v), h: v < 0 ? "(-1)" : "0", k: v };
}

/** 64-bit ALU operation; null when the op is not one. `signed` is the offset=1 variant of div/mod. */
export function alu64(op: number, d: number, s: Operand, off: number): string | null {
  const dl = `r${d}l`, dh = `r${d}h`, sl = s.l, sh = s.h;
  switch (op) {
    case ALU.ADD: return `t=(${dl}>>>0)+(${sl}>>>0);${dh}=(${dh}+${sh}+(t>4294967295?1:0))|0;${dl}=t|0;`;
    case ALU.SUB: return `t=(${dl}>>>0)-(${sl}>>>0);${dh}=(${dh}-${sh}-(t<0?1:0))|0;${dl}=t|0;`;
    case ALU.MUL: return `t=Math.imul(${dl},${sl});${dh}=(MULHU(${dl},${sl})+Math.imul(${dl},${sh})+Math.imul(${dh},${sl}))|0;${dl}=t;`;
    case ALU.DIV: return off === 1 ? sdiv(dl, dh, sl, sh) : udiv(dl, dh, sl, sh);
    case ALU.MOD: return off === 1 ? smod(dl, dh, sl, sh) : umod(dl, dh, sl, sh);
    case ALU.OR: return `${dl}|=${sl};${dh}|=${sh};`;
    case ALU.AND: return `${dl}&=${sl};${dh}&=${sh};`;
    case ALU.XOR: return `${dl}^=${sl};${dh}^=${sh};`;
    case ALU.LSH: return s.k !== null ? shlConst(dl, dh, s.k & 63) : `${dl}=SHL(${dl},${dh},${sl}&63);${dh}=X[0];`;
    case ALU.RSH: return s.k !== null ? shrConst(dl, dh, s.k & 63) : `${dl}=SHR(${dl},${dh},${sl}&63);${dh}=X[0];`;
    case ALU.ARSH: return s.k !== null ? sarConst(dl, dh, s.k & 63) : `${dl}=SAR(${dl},${dh},${sl}&63);${dh}=X[0];`;
    case ALU.NEG: return `${dl}=(-${dl})|0;${dh}=(${dl}===0?-${dh}:~${dh})|0;`;
    case ALU.MOV: return mov64(dl, dh, sl, sh, off);
    default: return null;
  }
}

function udiv(dl: string, dh: string, sl: string, sh: string): string {
  return `if(${dh}===0&&${sh}===0){${dl}=${sl}===0?0:(((${dl}>>>0)/(${sl}>>>0))>>>0)|0;}` +
    `else{${dl}=UDIV(${dl},${dh},${sl},${sh});${dh}=X[0];}`;
}

function umod(dl: string, dh: string, sl: string, sh: string): string {
  return `if(${dh}===0&&${sh}===0){if(${sl}!==0)${dl}=((${dl}>>>0)%(${sl}>>>0))|0;}` +
    `else{${dl}=UMOD(${dl},${dh},${sl},${sh});${dh}=X[0];}`;
}

// Both operands sign-extended 32-bit values: a float quotient is exact, and INT32_MIN / -1 = 2^31
// still fits the 64-bit result.
function sdiv(dl: string, dh: string, sl: string, sh: string): string {
  return `if(${dh}===(${dl}>>31)&&${sh}===(${sl}>>31)){if(${sl}===0){${dl}=0;${dh}=0;}` +
    `else{t=Math.trunc(${dl}/${sl});${dl}=t|0;${dh}=t<0?-1:0;}}` +
    `else{${dl}=SDIV(${dl},${dh},${sl},${sh});${dh}=X[0];}`;
}

function smod(dl: string, dh: string, sl: string, sh: string): string {
  return `if(${dh}===(${dl}>>31)&&${sh}===(${sl}>>31)){if(${sl}!==0){t=${dl}%${sl};${dl}=t|0;${dh}=t<0?-1:0;}}` +
    `else{${dl}=SMOD(${dl},${dh},${sl},${sh});${dh}=X[0];}`;
}

function mov64(dl: string, dh: string, sl: string, sh: string, off: number): string | null {
  switch (off) {
    case 0: return `${dl}=${sl};${dh}=${sh};`;
    case 8: return `${dl}=(${sl}<<24)>>24;${dh}=${dl}>>31;`;
    case 16: return `${dl}=(${sl}<<16)>>16;${dh}=${dl}>>31;`;
    case 32: return `${dl}=${sl};${dh}=${dl}>>31;`;
    default: return null;
  }
}

function shlConst(dl: string, dh: string, c: number): string {
  if (c === 0) return "";
  if (c < 32) return `${dh}=(${dh}<<${c})|(${dl}>>>${32 - c});${dl}=${dl}<<${c};`;
  return `${dh}=${dl}<<${c - 32};${dl}=0;`;
}

function shrConst(dl: string, dh: string, c: number): string {
  if (c === 0) return "";
  if (c < 32) return `${dl}=(${dl}>>>${c})|(${dh}<<${32 - c});${dh}=(${dh}>>>${c})|0;`;
  return `${dl}=(${dh}>>>${c - 32})|0;${dh}=0;`;
}

function sarConst(dl: string, dh: string, c: number): string {
  if (c === 0) return "";
  if (c < 32) return `${dl}=(${dl}>>>${c})|(${dh}<<${32 - c});${dh}=${dh}>>${c};`;
  return `${dl}=${dh}>>${c - 32};${dh}=${dh}>>31;`;
}

/** 32-bit ALU operation (result zero-extended); null when the op is not one. */
export function alu32(op: number, d: number, s: Operand, off: number): string | null {
  const dl = `r${d}l`, dh = `r${d}h`, sl = s.l;
  const body = alu32Low(op, dl, sl, off, s.k);
  return body === null ? null : `${body}${dh}=0;`;
}

function alu32Low(op: number, dl: string, sl: string, off: number, k: number | null): string | null {
  switch (op) {
    case ALU.ADD: return `${dl}=(${dl}+${sl})|0;`;
    case ALU.SUB: return `${dl}=(${dl}-${sl})|0;`;
    case ALU.MUL: return `${dl}=Math.imul(${dl},${sl});`;
    case ALU.DIV: return off === 1
      ? `${dl}=${sl}===0?0:(${dl}/${sl})|0;`
      : `${dl}=${sl}===0?0:(((${dl}>>>0)/(${sl}>>>0))>>>0)|0;`;
    case ALU.MOD: return off === 1
      ? `if(${sl}!==0)${dl}=(${dl}%${sl})|0;`
      : `if(${sl}!==0)${dl}=((${dl}>>>0)%(${sl}>>>0))|0;`;
    case ALU.OR: return `${dl}|=${sl};`;
    case ALU.AND: return `${dl}&=${sl};`;
    case ALU.XOR: return `${dl}^=${sl};`;
    case ALU.LSH: return k !== null ? `${dl}<<=${k & 31};` : `${dl}<<=${sl}&31;`;
    case ALU.RSH: return k !== null ? `${dl}=(${dl}>>>${k & 31})|0;` : `${dl}=(${dl}>>>(${sl}&31))|0;`;
    case ALU.ARSH: return k !== null ? `${dl}>>=${k & 31};` : `${dl}>>=${sl}&31;`;
    case ALU.NEG: return `${dl}=(-${dl})|0;`;
    case ALU.MOV:
      switch (off) {
        case 0: return `${dl}=${sl};`;
        case 8: return `${dl}=(${sl}<<24)>>24;`;
        case 16: return `${dl}=(${sl}<<16)>>16;`;
        default: return null;
      }
    default: return null;
  }
}

/**
 * Byte-order conversion. `cls64` is ALU64|END (unconditional bswap, ISA v4); otherwise `toBe`
 * (source bit) picks to_be (a swap on our little-endian model) or to_le (truncation only).
 */
export function endian(d: number, bits: number, toBe: boolean, cls64: boolean): string | null {
  const dl = `r${d}l`, dh = `r${d}h`;
  const swap = toBe || cls64;
  switch (bits) {
    case 16: return swap ? `${dl}=((${dl}&255)<<8)|((${dl}>>>8)&255);${dh}=0;` : `${dl}&=65535;${dh}=0;`;
    case 32: return swap ? `${dl}=BSWAP(${dl});${dh}=0;` : `${dh}=0;`;
    case 64: return swap ? `t=BSWAP(${dl});${dl}=BSWAP(${dh});${dh}=t;` : "";
    default: return null;
  }
}

/** Condition of a 64-bit conditional jump as a JavaScript boolean expression. */
export function cond64(op: number, d: number, s: Operand): string | null {
  const dl = `r${d}l`, dh = `r${d}h`, sl = s.l, sh = s.h;
  const ul = (a: string, cmp: string, b: string): string => `(${a}>>>0)${cmp}(${b}>>>0)`;
  const lowU = (cmp: string): string => `(${dh}===${sh}&&${ul(dl, cmp, sl)})`;
  switch (op) {
    case JMP.JEQ: return `(${dl}===${sl}&&${dh}===${sh})`;
    case JMP.JNE: return `(${dl}!==${sl}||${dh}!==${sh})`;
    case JMP.JSET: return `((${dl}&${sl})!==0||(${dh}&${sh})!==0)`;
    case JMP.JGT: return `(${ul(dh, ">", sh)}||${lowU(">")})`;
    case JMP.JGE: return `(${ul(dh, ">", sh)}||${lowU(">=")})`;
    case JMP.JLT: return `(${ul(dh, "<", sh)}||${lowU("<")})`;
    case JMP.JLE: return `(${ul(dh, "<", sh)}||${lowU("<=")})`;
    case JMP.JSGT: return `(${dh}>${sh}||${lowU(">")})`;
    case JMP.JSGE: return `(${dh}>${sh}||${lowU(">=")})`;
    case JMP.JSLT: return `(${dh}<${sh}||${lowU("<")})`;
    case JMP.JSLE: return `(${dh}<${sh}||${lowU("<=")})`;
    default: return null;
  }
}

/** Condition of a 32-bit conditional jump (low halves only). */
export function cond32(op: number, d: number, s: Operand): string | null {
  const dl = `r${d}l`, sl = s.l;
  switch (op) {
    case JMP.JEQ: return `(${dl}===${sl})`;
    case JMP.JNE: return `(${dl}!==${sl})`;
    case JMP.JSET: return `((${dl}&${sl})!==0)`;
    case JMP.JGT: return `((${dl}>>>0)>(${sl}>>>0))`;
    case JMP.JGE: return `((${dl}>>>0)>=(${sl}>>>0))`;
    case JMP.JLT: return `((${dl}>>>0)<(${sl}>>>0))`;
    case JMP.JLE: return `((${dl}>>>0)<=(${sl}>>>0))`;
    case JMP.JSGT: return `(${dl}>${sl})`;
    case JMP.JSGE: return `(${dl}>=${sl})`;
    case JMP.JSLT: return `(${dl}<${sl})`;
    case JMP.JSLE: return `(${dl}<=${sl})`;
    default: return null;
  }
}
