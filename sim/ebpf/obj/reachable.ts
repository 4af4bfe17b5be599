/**
 * Which instructions of a linked program can run, with the constants CO-RE put in registers
 * folded into conditional jumps: after `r1 = 0` (a FIELD_EXISTS answer) and `if r1 == 0 goto L`,
 * the fall-through is dead. This is the part of the kernel verifier's dead-code pruning that makes
 * libbpf's poisoned instructions harmless; it is deliberately simple (only moves of constants
 * are tracked, everything else is "unknown", so both ways of an unknown branch stay live).
 */

const LD_IMM64 = 0x18;
const CLS_LDX = 1, CLS_STX = 3, CLS_ALU = 4, CLS_JMP = 5, CLS_JMP32 = 6, CLS_ALU64 = 7;
const OP_MOV = 0xb0, JA = 0x00, CALL = 0x80, EXIT = 0x90, JCOND = 0xe0;
const MODE_ATOMIC = 0xc0, ATOMIC_FETCH = 0x01, CMPXCHG = 0xf1;
/** ld_imm64 src_reg of a map value's address. */
const SRC_MAP_VALUE = 2, SRC_FUNC = 4;
const NREGS = 11;

/**
 * A register: a known 64-bit value (0 .. 2^64-1), a pointer into a constant map value (a
 * negative tag, see `mapPtr`), or undefined when unknown.
 */
type Regs = (bigint | undefined)[];

/**
 * Bytes of a map whose value the verifier knows at load (the `.kconfig` map, read-only and
 * filled before any program runs): `size` bytes at `offset` of map `map` as an unsigned number,
 * or undefined when that map is not constant.
 */
export type ConstMapRead = (map: number, offset: number, size: number) => bigint | undefined;

/** ld_imm64 of map `map`'s value at `offset`, tagged so that no known number equals it. */
function mapPtr(map: number, offset: number): bigint {
  return -1n - ((BigInt(map) << 32n) | BigInt(offset >>> 0));
}

const LDX_MEM = 0x60;
const LDX_BYTES: Readonly<Record<number, number>> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

/**
 * Whether any instruction in `targets` can execute, starting from the functions in `starts` and
 * following calls and function addresses (a global function that only a dead branch calls never
 * runs, so it is not checked, where the kernel verifier checks it on its own).
 * `constRead` lets loads from a constant map fold (the kernel verifier reads a frozen read-only
 * map's bytes the same way, so `if (!CONFIG_PREEMPT_RT)` prunes the other branch).
 */
export function firstReachable(insns: Uint8Array, starts: readonly number[], targets: ReadonlySet<number>, constRead?: ConstMapRead): number {
  if (targets.size === 0) return -1;
  const n = insns.length / 8;
  const dv = new DataView(insns.buffer, insns.byteOffset, insns.byteLength);
  const state: (Regs | undefined)[] = new Array(n);
  const work: number[] = [];
  const reach = (i: number, regs: Regs): void => {
    if (i < 0 || i >= n) return;
    const have = state[i];
    if (have === undefined) {
      state[i] = regs.slice();
      work.push(i);
      return;
    }
    let changed = false;
    for (let r = 0; r < NREGS; r++) {
      if (have[r] !== undefined && have[r] !== regs[r]) { have[r] = undefined; changed = true; }
    }
    if (changed) work.push(i);
  };
  const unknown: Regs = new Array<bigint | undefined>(NREGS).fill(undefined);
  for (const s of starts) reach(s, unknown);
  // Every step only turns known registers unknown, so this terminates in at most n * 11 rounds per insn.
  while (work.length > 0) {
    const i = work.pop()!;
    if (targets.has(i)) return i;
    const regs = state[i]!.slice();
    const op = dv.getUint8(i * 8);
    const dst = dv.getUint8(i * 8 + 1) & 0x0f, src = dv.getUint8(i * 8 + 1) >> 4;
    const off = dv.getInt16(i * 8 + 2, true), imm = dv.getInt32(i * 8 + 4, true);
    const cls = op & 7;
    if (op === LD_IMM64) {
      const hi = i + 1 < n ? dv.getUint32(i * 8 + 12, true) : 0;
      // A function's address (a callback for bpf_loop, a timer, ...): that function may run.
      if (src === SRC_FUNC) reach(imm, unknown);
      regs[dst] = src === 0 ? (BigInt(hi) << 32n) | BigInt(imm >>> 0) : src === SRC_MAP_VALUE && constRead !== undefined ? mapPtr(imm, hi) : undefined;
      reach(i + 2, regs);
      continue;
    }
    if (cls === CLS_ALU || cls === CLS_ALU64) {
      const k = (op & 0x08) === 0;
      const v = (op & 0xf0) === OP_MOV && off === 0 ? (k ? BigInt(imm) : regs[src]) : undefined;
      regs[dst] = v === undefined || (v < 0n && cls !== CLS_ALU64) ? undefined : v < 0n ? v : cls === CLS_ALU64 ? BigInt.asUintN(64, v) : BigInt.asUintN(32, v);
      reach(i + 1, regs);
      continue;
    }
    if (cls === CLS_LDX) {
      const base = regs[src], size = LDX_BYTES[op & 0x18];
      regs[dst] = base !== undefined && base < 0n && (op & 0xe0) === LDX_MEM && size !== undefined && constRead !== undefined
        ? constRead(Number((-1n - base) >> 32n), Number((-1n - base) & 0xffffffffn) + off, size) : undefined;
    }
    if (cls === CLS_STX && (op & 0xe0) === MODE_ATOMIC) {
      if (imm === CMPXCHG) regs[0] = undefined;
      else if ((imm & ATOMIC_FETCH) !== 0) regs[src] = undefined;
    }
    if (cls !== CLS_JMP && cls !== CLS_JMP32) { reach(i + 1, regs); continue; }
    const jop = op & 0xf0;
    if (jop === EXIT) continue;
    if (jop === CALL) {
      if (src === 1) reach(i + 1 + imm, unknown);
      for (let r = 0; r <= 5; r++) regs[r] = undefined;
      reach(i + 1, regs);
      continue;
    }
    // gotol (JMP32 | JA) carries its offset in imm.
    const target = i + 1 + (cls === CLS_JMP32 && jop === JA ? imm : off);
    if (jop === JA) { reach(target, regs); continue; }
    const taken = jop === JCOND ? undefined : decide(jop, regs[dst], (op & 0x08) === 0 ? BigInt(imm) : regs[src], cls === CLS_JMP32);
    if (taken !== false) reach(target, regs);
    if (taken !== true) reach(i + 1, regs);
  }
  return -1;
}

/** A conditional jump's outcome when both operands are known, else undefined. */
function decide(jop: number, a: bigint | undefined, b: bigint | undefined, w32: boolean): boolean | undefined {
  if (a === undefined || b === undefined || a < 0n || b < 0n) return undefined;
  const bits = w32 ? 32 : 64;
  const ua = BigInt.asUintN(bits, a), ub = BigInt.asUintN(bits, b);
  const sa = BigInt.asIntN(bits, a), sb = BigInt.asIntN(bits, b);
  switch (jop) {
    case 0x10: return ua === ub;
    case 0x50: return ua !== ub;
    case 0x20: return ua > ub;
    case 0x30: return ua >= ub;
    case 0xa0: return ua < ub;
    case 0xb0: return ua <= ub;
    case 0x40: return (ua & ub) !== 0n;
    case 0x60: return sa > sb;
    case 0x70: return sa >= sb;
    case 0xc0: return sa < sb;
    case 0xd0: return sa <= sb;
    default: return undefined;
  }
}
