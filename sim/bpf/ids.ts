/**
 * Branded object ids. Map and link ids share the number space of plain integers, so the brand is
 * what stops a link id from being passed where a map id is expected.
 */

declare const brand: unique symbol;
type Branded<B extends string> = number & { readonly [brand]: B };

/** A struct_ops map's id (bpf_map->id), as bpftool and lookups by id see it. */
export type MapId = Branded<"MapId">;
/** A link's id (bpf_link->id). */
export type LinkId = Branded<"LinkId">;

/**
 * Hands out ids the way the kernel's idr_alloc_cyclic does: increasing, never reused while the
 * counter has not wrapped, and consumed even when the object dies before becoming visible.
 */
export class IdCounter<T extends number> {
  private last = 0;

  next(): T {
    this.last = this.last >= 0x7fffffff ? 1 : this.last + 1;
    return this.last as T;
  }
}
