/**
 * A compiled scheduler's statistics as its user-space half reads them (bpfland's `nr_running`,
 * `nr_direct_dispatches`, ... in `.bss`/`.data`): every integer variable of the writable data
 * sections, by name, read when the run's statistics are taken (they join scx.events).
 */
import type { BpfObject } from "../obj/object.js";
import type { GlobalVar } from "../obj/globals.js";

/** The integer globals of `obj`'s writable data, for Scx.statsFrom. */
export function globalCounters(obj: BpfObject): () => Record<string, number> {
  const vars: { v: GlobalVar; signed: boolean }[] = [];
  for (const v of obj.globals) {
    const m = obj.maps[v.map];
    if (m === undefined || m.def.origin !== "data" || m.def.readonly || v.name === "uei") continue;
    const t = obj.btf.resolved(v.typeId);
    if (t.kind !== "int" || t.bool || ![1, 2, 4, 8].includes(v.size)) continue;
    vars.push({ v, signed: t.signed });
  }
  return () => {
    const out: Record<string, number> = {};
    for (const { v, signed } of vars) {
      const b = obj.varBytes(v);
      let n = 0n;
      for (let i = v.size - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
      Object.defineProperty(out, v.name, { value: Number(signed ? BigInt.asIntN(v.size * 8, n) : n), enumerable: true });
    }
    return out;
  };
}
