/**
 * A Poisson stream split at random over c servers, each with its own queue: c independent
 * M/M/1 queues (the contrast to one shared M/M/c queue). Sources: docs/validation.md §2.
 */
import { mm1MeanT } from "./mm1.js";

/** c separate M/M/1 queues fed by a Poisson split (random placement): E[T] = 1/(μ − λ/c). */
export function splitMeanT(c: number, lambda: number, mu: number): number {
  return mm1MeanT(lambda / c, mu);
}
