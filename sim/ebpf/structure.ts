/**
 * Structured control flow for a translated subprogram: every forward jump becomes `break` out of
 * a labelled block that ends at its target, every backward jump `continue` of a labelled loop
 * that starts at its target. Code in this shape lets V8 keep registers in machine registers
 * across branches and constant-fold them, where the `for(;;) switch(pc)` fallback routes every
 * taken branch through the loop head and a dispatch on `pc` (a chain of compares, since jump
 * targets are sparse).
 *
 * The plan: a loop for head h spans h to its last backward jump; a block for target t opens at
 * the head of the innermost loop holding t (or at the subprogram's start) and closes just before
 * t. Scopes opening at one instruction open outermost first (later close first; for equal spans
 * the block outside the loop), and the plan is checked to nest.
 *
 * clang often lays a loop out with its latch first: the backward jump goes to the latch, and
 * the loop is entered from before it at the condition, further in. Such a jump into a loop goes
 * to the loop's head with the entry point in a local (`en`), and the head, on entry, breaks to
 * the block ending at that point (through each nested loop it lies in, one head at a time).
 * When no plan exists (loops that overlap without nesting, a backward jump into a loop's middle)
 * the translator keeps the dispatch loop for that subprogram.
 */

/** A labelled scope: `b<t>:{ ... }` closing before t, or `l<h>:for(;;){ ... }` from h. */
export interface Scope {
  readonly kind: "block" | "loop";
  /** The jump target it serves: a block's end, a loop's head. */
  readonly target: number;
  readonly open: number;
  /** First instruction after the scope. */
  readonly close: number;
}

/** Jumps of one subprogram: `from` jumps to `to`. */
export interface Jump {
  readonly from: number;
  readonly to: number;
}

/** A jump into the middle of a loop, or one hop of it: set `en` to `entry`, break to `via`. */
export interface Entry {
  readonly entry: number;
  /** The block to break out of: the next loop head on the way, or `entry` itself. */
  readonly via: number;
}

export interface StructurePlan {
  /** Scopes by the instruction they open at, outermost first. */
  readonly scopes: ReadonlyMap<number, readonly Scope[]>;
  /** At a loop head, right after its scopes open: where an entry pending in `en` goes next. */
  readonly dispatch: ReadonlyMap<number, readonly Entry[]>;
  /** Jumps (by source instruction) that enter a loop in its middle. */
  readonly redirect: ReadonlyMap<number, Entry>;
}

/** The scopes that express `jumps` within [start, end), or null if they cannot nest. */
export function structure(start: number, end: number, jumps: readonly Jump[]): StructurePlan | null {
  const loopEnd = new Map<number, number>();
  for (const j of jumps) {
    if (j.to <= j.from) loopEnd.set(j.to, Math.max(loopEnd.get(j.to) ?? j.from, j.from));
  }
  const loops: Scope[] = [...loopEnd].map(([h, e]) => ({ kind: "loop", target: h, open: h, close: e + 1 }));
  const inside = (l: Scope, i: number): boolean => l.open <= i && i < l.close;
  const dispatch = new Map<number, Entry[]>();
  const redirect = new Map<number, Entry>();
  // Forward edges the blocks must serve: the jumps themselves, or the hops of a redirected one.
  const edges: Jump[] = [];
  for (const j of jumps) {
    if (j.to <= j.from) continue;
    // Loops the jump enters past their head, outermost first.
    const entered = loops.filter((l) => l.open < j.to && inside(l, j.to) && !inside(l, j.from)).sort((x, y) => x.open - y.open);
    if (entered.length === 0) { edges.push(j); continue; }
    const heads = entered.map((l) => l.open);
    redirect.set(j.from, { entry: j.to, via: heads[0]! });
    edges.push({ from: j.from, to: heads[0]! });
    for (let k = 0; k < heads.length; k++) {
      const via = heads[k + 1] ?? j.to;
      const at = dispatch.get(heads[k]!) ?? [];
      if (!at.some((e) => e.entry === j.to)) at.push({ entry: j.to, via });
      dispatch.set(heads[k]!, at);
      edges.push({ from: heads[k]!, to: via });
    }
  }
  const firstSource = new Map<number, number>();
  for (const j of edges) firstSource.set(j.to, Math.min(firstSource.get(j.to) ?? j.from, j.from));
  const scopes: Scope[] = [...loops];
  for (const [t, from] of firstSource) {
    let open = start;
    for (const l of loops) if (l.open < t && t < l.close && l.open > open) open = l.open;
    if (open > from) return null;
    scopes.push({ kind: "block", target: t, open, close: t });
  }
  scopes.sort((x, y) => x.open - y.open || y.close - x.close || (x.kind === y.kind ? 0 : x.kind === "block" ? -1 : 1));
  // Nesting: along the instructions, the open scopes' closes never increase inward.
  const stack: number[] = [end];
  let k = 0;
  for (let p = start; p <= end; p++) {
    while (stack.length > 1 && stack[stack.length - 1] === p) stack.pop();
    for (; k < scopes.length && scopes[k]!.open === p; k++) {
      const s = scopes[k]!;
      if (s.close > stack[stack.length - 1]!) return null;
      stack.push(s.close);
    }
  }
  const byOpen = new Map<number, Scope[]>();
  for (const s of scopes) {
    const at = byOpen.get(s.open);
    if (at === undefined) byOpen.set(s.open, [s]);
    else at.push(s);
  }
  return { scopes: byOpen, dispatch, redirect };
}
