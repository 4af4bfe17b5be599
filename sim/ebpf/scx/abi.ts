/**
 * The kernel's sched_ext numbers at the BPF boundary, as 32-bit halves (the engine's registers).
 * DSQ ids and enqueue/dequeue flags convert through the one table of sim/ext/kernel_abi.ts;
 * slices and vtimes are plain u64s with SCX_SLICE_INF = ~0.
 */
import { DEQ_FLAGS, ENQ_FLAGS, dsqIdFromKernelHalves } from "../../ext/kernel_abi.js";
import { SCX_SLICE_INF, type DsqId } from "../../ext/consts.js";

const TWO32 = 4294967296;

/** A kernel DSQ id given as 32-bit halves, as sim/ext's DsqId (SCX_DSQ_INVALID when unknown). */
export function dsqFromKernel(lo: number, hi: number): DsqId {
  return dsqIdFromKernelHalves(lo, hi);
}

/** sim/ext enqueue flags from the kernel's 64-bit ones. */
export function enqFlagsFromKernel(lo: number, hi: number): number {
  return ENQ_FLAGS.fromHalves(lo, hi);
}

/** Low and high halves of the kernel's enqueue flags for sim/ext's. */
export function enqFlagsLo(f: number): number {
  return ENQ_FLAGS.kernelLo(f);
}
export function enqFlagsHi(f: number): number {
  return ENQ_FLAGS.kernelHi(f);
}

/** Halves of the kernel's dequeue flags for sim/ext's (SLEEP keeps bit 0; SCHED_CHANGE moves to bit 33). */
export function deqFlagsLo(f: number): number {
  return DEQ_FLAGS.kernelLo(f);
}
export function deqFlagsHi(f: number): number {
  return DEQ_FLAGS.kernelHi(f);
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
