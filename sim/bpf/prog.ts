/**
 * Programs in ops slots. A bare function in a slot stands for a struct_ops program verified for
 * exactly that slot; a `BpfProg` records what a program was really verified for, so a value can
 * carry a program loaded for another member, another struct_ops type, or of another program type.
 */

/** Any callable; `never[]` parameters make every function assignable to it. */
export type ProgFn = (...args: never[]) => unknown;

/** A program with its verification target, as the kernel keeps it in prog->aux. */
export class BpfProg<F extends ProgFn = ProgFn> {
  private constructor(
    /** "struct_ops", or another program type such as "kprobe". */
    readonly progType: string,
    /** The struct_ops type it was verified against (attach_btf_id), null for other types. */
    readonly structType: string | null,
    /** The member it was verified for (expected_attach_type), null for other types. */
    readonly member: string | null,
    readonly fn: F,
  ) {}

  /** A struct_ops program verified for `structType.member`. */
  static structOps<F extends ProgFn>(structType: string, member: string, fn: F): BpfProg<F> {
    return new BpfProg("struct_ops", structType, member, fn);
  }

  /** A program of a non-struct_ops type; no struct_ops slot accepts it. */
  static ofType<F extends ProgFn>(progType: string, fn: F): BpfProg<F> {
    return new BpfProg(progType, null, null, fn);
  }
}

/** Shorthand for `BpfProg.structOps`: the program as verified for `structType.member`. */
export function progFor<F extends ProgFn>(structType: string, member: string, fn: F): BpfProg<F> {
  return BpfProg.structOps(structType, member, fn);
}

/**
 * The callable in a slot (bare function or wrapped program), or null for an empty slot. `F` is
 * the signature the subsystem expects for that member; it is not checked at run time.
 */
export function slotFn<F extends ProgFn = ProgFn>(slot: unknown): F | null {
  if (slot instanceof BpfProg) return slot.fn as F;
  return typeof slot === "function" ? (slot as F) : null;
}
