/**
 * User DSQ ids the TS API cannot hold. The kernel takes any u64 without bit 63 as a user DSQ
 * id, and some schedulers build theirs from high bits (scx_p2dq's migration queues are
 * `1 << 60 | llc`), while sim/ext's user ids stop at 2^50 (its built-ins live above, in doubles).
 * Each loaded object gets its own table: an id at or above 2^50 is given a TS id from the top of
 * the user range downwards, in the order the object first names it (deterministic per run), and
 * keeps it for the run. An object using ids just below 2^50 as well could collide; none known does.
 */
import { SCX_DSQ_USER_MAX, asDsq, type DsqId } from "../../ext/consts.js";
import { dsqFromKernel } from "./abi.js";

/** High halves at or above this (and without bit 63) are ids >= 2^50. */
const WIDE_HI = SCX_DSQ_USER_MAX / 4294967296;

/** Map kernel DSQ ids (as halves) to TS ids, with wide user ids folded in per object. */
export function wideDsqMapper(): (lo: number, hi: number) => DsqId {
  const table = new Map<string, DsqId>();
  return (lo, hi) => {
    if (hi < 0 || hi < WIDE_HI) return dsqFromKernel(lo, hi);
    const key = `${hi}:${lo >>> 0}`;
    let id = table.get(key);
    if (id === undefined) {
      id = asDsq(SCX_DSQ_USER_MAX - 1 - table.size);
      table.set(key, id);
    }
    return id;
  };
}
