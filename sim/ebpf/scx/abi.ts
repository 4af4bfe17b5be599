/**
 * The kernel's sched_ext numbers at the BPF boundary, and scxlab's. BPF programs are compiled
 * against the kernel ABI (DSQ ids with bit 63, SCX_ENQ_PREEMPT at bit 32, SCX_SLICE_INF = ~0);
 * sim/ext keeps ids and flags within a double. These functions translate both ways, exactly.
 */
import {
  SCX_DEQ_SCHED_CHANGE, SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_DSQ_LOCAL_ON, SCX_DSQ_USER_MAX,
  SCX_ENQ_LAST, SCX_ENQ_PREEMPT, SCX_ENQ_REENQ, SCX_SLICE_INF, type DsqId,
} from "../../ext/consts.js";
import { asDsq } from "../../ext/ids.js";

const TWO32 = 4294967296;
// High-word bits of the kernel's 64-bit flags that sim/ext scales down.
const K_ENQ_PREEMPT_HI = 1 << 0; // 1 << 32
const K_ENQ_REENQ_HI = 1 << 8; // 1 << 40
const K_ENQ_LAST_HI = 1 << 9; // 1 << 41
const K_DEQ_SCHED_CHANGE_HI = 1 << 1; // 1 << 33
const LOW_MASK = 0xfffff; // flags that keep their value below bit 20

/** A kernel DSQ id given as 32-bit halves, as sim/ext's DsqId (SCX_DSQ_INVALID when unknown). */
export function dsqFromKernel(lo: number, hi: number): DsqId {
  if (hi < 0) { // bit 63: built-in
    if ((hi & 0x40000000) !== 0) return asDsq(SCX_DSQ_LOCAL_ON + (lo >>> 0));
    if ((hi & 0x3fffffff) !== 0) return SCX_DSQ_INVALID;
    switch (lo) {
      case 1: return SCX_DSQ_GLOBAL;
      case 2: return SCX_DSQ_LOCAL;
      default: return SCX_DSQ_INVALID;
    }
  }
  const id = (hi >>> 0) * TWO32 + (lo >>> 0);
  return id < SCX_DSQ_USER_MAX ? asDsq(id) : SCX_DSQ_INVALID;
}

/** sim/ext enqueue flags from the kernel's 64-bit ones. */
export function enqFlagsFromKernel(lo: number, hi: number): number {
  return (lo & LOW_MASK) | ((hi & K_ENQ_PREEMPT_HI) !== 0 ? SCX_ENQ_PREEMPT : 0)
    | ((hi & K_ENQ_REENQ_HI) !== 0 ? SCX_ENQ_REENQ : 0) | ((hi & K_ENQ_LAST_HI) !== 0 ? SCX_ENQ_LAST : 0);
}

/** Low and high halves of the kernel's enqueue flags for sim/ext's. */
export function enqFlagsLo(f: number): number {
  return f & LOW_MASK;
}
export function enqFlagsHi(f: number): number {
  return ((f & SCX_ENQ_PREEMPT) !== 0 ? K_ENQ_PREEMPT_HI : 0) | ((f & SCX_ENQ_REENQ) !== 0 ? K_ENQ_REENQ_HI : 0)
    | ((f & SCX_ENQ_LAST) !== 0 ? K_ENQ_LAST_HI : 0);
}

/** Halves of the kernel's dequeue flags for sim/ext's (SLEEP keeps bit 0; SCHED_CHANGE moves to bit 33). */
export function deqFlagsLo(f: number): number {
  return f & ~SCX_DEQ_SCHED_CHANGE & LOW_MASK;
}
export function deqFlagsHi(f: number): number {
  return (f & SCX_DEQ_SCHED_CHANGE) !== 0 ? K_DEQ_SCHED_CHANGE_HI : 0;
}

/** A slice in ns from the kernel's u64 (all ones = SCX_SLICE_INF). */
export function sliceFromKernel(lo: number, hi: number): number {
  if (lo === -1 && hi === -1) return SCX_SLICE_INF;
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

/** Halves of a slice for the kernel (SCX_SLICE_INF = all ones; negative clamps to 0). */
export function sliceLo(ns: number): number {
  if (ns === SCX_SLICE_INF) return -1;
  return ns <= 0 ? 0 : Math.floor(ns) | 0;
}
export function sliceHi(ns: number): number {
  if (ns === SCX_SLICE_INF) return -1;
  return ns <= 0 ? 0 : Math.floor(ns / TWO32) | 0;
}

/**
 * vtime: the kernel orders DSQs by the signed difference of u64 vtimes (time_before64), so a u64
 * maps to the signed number; exact while |vtime| < 2^53.
 */
export function vtimeFromKernel(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}
export function vtimeLo(v: number): number {
  return Math.floor(v) | 0;
}
export function vtimeHi(v: number): number {
  return Math.floor(Math.floor(v) / TWO32) | 0;
}
