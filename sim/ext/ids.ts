/**
 * Branded ids of the sched_ext API. A CPU number, a pid and a DSQ id are all plain integers at
 * run time; the brand exists only for the type checker, so that a pid passed where a CPU is
 * expected fails to compile. Reading a branded id as a number (indexing, comparing, arithmetic)
 * needs nothing; making one from a plain number (a loop counter, a modulo, a value parsed from
 * input) goes through the converters below, which compile to the number itself.
 */

declare const brand: unique symbol;
type Branded<B extends string> = number & { readonly [brand]: B };

/** A CPU number; kfuncs that may fail return a negative errno in the same slot (as the kernel's s32). */
export type CpuId = Branded<"CpuId">;
/** A process id. */
export type Pid = Branded<"Pid">;
/** A dispatch queue id: a user DSQ in [0, SCX_DSQ_USER_MAX) or a built-in (consts.ts). */
export type DsqId = Branded<"DsqId">;

/** The CPU numbered `n` (a loop counter, a modulo, an option value). */
export function asCpu(n: number): CpuId {
  return n as CpuId;
}

/** The pid `n`, e.g. one read back from a scheduler's own table. */
export function asPid(n: number): Pid {
  return n as Pid;
}

/** The DSQ id `n`, e.g. a scheduler's user DSQ numbered by LLC or node. */
export function asDsq(n: number): DsqId {
  return n as DsqId;
}
