/**
 * M/G/1 with priority classes (class 0 highest). Sources: docs/validation.md §5.
 */
import { constClass, type SizeClass } from "./size_classes.js";

/**
 * Preemptive-resume priority: with σ_k = Σ_{i≤k} ρ_i,
 * E[T_k] = E[S_k]/(1 − σ_{k−1}) + Σ_{i≤k} λ_i E[S_i²] / (2(1 − σ_{k−1})(1 − σ_k)).
 * The within-class order is FCFS (for exponential sizes any size-blind order has the same mean).
 */
export function preemptiveMeanT(classes: readonly SizeClass[], k: number): number {
  let sPrev = 0;
  for (let i = 0; i < k; i++) sPrev += classes[i].lambda * classes[i].mean;
  const sK = sPrev + classes[k].lambda * classes[k].mean;
  if (sK >= 1) throw new RangeError("priority: class unstable (σ_k ≥ 1)");
  let lm2 = 0;
  for (let i = 0; i <= k; i++) lm2 += classes[i].lambda * classes[i].m2;
  return classes[k].mean / (1 - sPrev) + lm2 / (2 * (1 - sPrev) * (1 - sK));
}

/** Non-preemptive priority (Cobham): E[W_k] = (Σ_all λ_i E[S_i²]/2) / ((1 − σ_{k−1})(1 − σ_k)); E[T_k] = E[W_k] + E[S_k]. */
export function nonPreemptiveMeanT(classes: readonly SizeClass[], k: number): number {
  let sPrev = 0;
  for (let i = 0; i < k; i++) sPrev += classes[i].lambda * classes[i].mean;
  const sK = sPrev + classes[k].lambda * classes[k].mean;
  const lm2 = classes.reduce((a, c) => a + c.lambda * c.m2, 0);
  return lm2 / 2 / ((1 - sPrev) * (1 - sK)) + classes[k].mean;
}

/**
 * How much later than under strict preemptive priority the high class can finish when the
 * "priority" comes from weights under a fair scheduler with base slice s (nice −20 against 19):
 *  (a) each arriving low-class job starts with lag 0 at the queue's virtual time and may run up
 *      to one slice s before the high class gets the CPU back: at worst a class above both, of
 *      constant size s at the low class's rate;
 *  (b) a high busy period that starts while a low job runs may wait up to s before it preempts
 *      it: a setup time U ≤ s with probability p = ρ_lo/(1 − ρ_hi) (the low class is in service
 *      whenever the high class is idle and the CPU busy); M/G/1 with a setup at the start of a
 *      busy period adds (2E[U'] + λE[U'²])/(2(1 + λE[U'])) to the mean, U' = U w.p. p, else 0.
 * The sum, evaluated at U = s, bounds the high class's extra mean response. The low class gains
 * what the high class loses, scaled by ρ_hi/ρ_lo (work conservation).
 */
export function fairPriorityExtra(hi: SizeClass, lo: SizeClass, sliceNs: number): { hi: number; lo: number } {
  const s = sliceNs;
  const a = preemptiveMeanT([constClass(lo.lambda, s), hi], 1) - preemptiveMeanT([hi], 0);
  const rhoHi = hi.lambda * hi.mean, rhoLo = lo.lambda * lo.mean;
  const p = Math.min(1, rhoLo / (1 - rhoHi));
  const eu = p * s, eu2 = p * s * s;
  const b = (2 * eu + hi.lambda * eu2) / (2 * (1 + hi.lambda * eu));
  return { hi: a + b, lo: ((a + b) * rhoHi) / rhoLo };
}
