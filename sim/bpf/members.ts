/**
 * The framework's per-member pass of a map update: init_member first, then the framework's own
 * rule (program slots take programs verified for them; data members must be zero), then the
 * trampoline image budget.
 */
import { E2BIG, EINVAL } from "./errno.js";
import { BpfProg } from "./prog.js";
import type { StructOpsType } from "./struct_ops_type.js";

/** Most members a type may declare (BPF_STRUCT_OPS_MAX_NR_MEMBERS). */
export const MAX_MEMBERS = 64;
export const PAGE_SIZE = 4096;
/** Trampoline image pages a map may use (MAX_TRAMP_IMAGE_PAGES). */
export const MAX_TRAMP_PAGES = 8;
/**
 * Nominal trampoline size per program. Real sizes depend on the argument count; a fixed size
 * keeps results deterministic while still letting 40 programs span several pages (as the
 * multi-page selftest does) and more than 48 overflow eight pages.
 */
export const TRAMPOLINE_BYTES = 640;

const PER_PAGE = Math.floor(PAGE_SIZE / TRAMPOLINE_BYTES);

/** Pages the trampolines of `progs` programs occupy (a trampoline never straddles two pages). */
export function trampolinePages(progs: number): number {
  return Math.ceil(progs / PER_PAGE);
}

/** What the framework treats as an all-zero data member or an empty program slot. */
export function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === 0n || v === false || v === "";
}

/** A nonzero callback result as an errno; positive values are not errnos, so they become -EINVAL. */
export function asError(r: number): number {
  return r < 0 ? r : -EINVAL;
}

/** Runs the member pass over `value`; 0 or the first error. */
export function fillMembers(type: StructOpsType, value: object): number {
  const fields = value as Record<string, unknown>;
  let progs = 0;
  for (const member of type.members) {
    if (type.initMember) {
      const r = type.initMember(value, member);
      if (r < 0) return r;
      if (r > 0) continue;
    }
    const slot = fields[member];
    if (isZero(slot)) continue;
    if (slot instanceof BpfProg) {
      const fits = slot.progType === "struct_ops" && slot.structType === type.name && slot.member === member;
      if (!fits) return -EINVAL;
    } else if (typeof slot !== "function") {
      return -EINVAL;
    }
    if (type.checkMember) {
      const r = type.checkMember(member);
      if (r !== 0) return asError(r);
    }
    progs++;
    if (trampolinePages(progs) > MAX_TRAMP_PAGES) return -E2BIG;
  }
  return 0;
}
