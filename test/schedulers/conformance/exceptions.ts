/**
 * Named exceptions to the shared suite: a scheduler that is meant to break a property lists it
 * here with the reason; that check then runs expecting the property to break (a stale exception fails).
 * conformance.test.ts fails on an entry that names no known scheduler, check or scenario kind.
 */

/** The properties of the shared suite (suite.ts). */
export const CHECKS = ["accounts", "drains", "deterministic"] as const;
export type Check = (typeof CHECKS)[number];

export interface ConformanceException {
  /** Candidate name (sources.ts). */
  readonly scheduler: string;
  readonly check: Check;
  /** Only on this scenario kind ("flat", "shaped"); every kind when absent. */
  readonly scenarios?: string;
  readonly reason: string;
}

// Every registered scheduler passes every check today; a policy that starves by design (say, a
// strict-priority one without aging on the "drains" check) would be listed here.
export const EXCEPTIONS: readonly ConformanceException[] = [];

/** The reason `scheduler` is excused from `check` on `scenarios`, or null. */
export function exceptionFor(scheduler: string, check: Check, scenarios: string): string | null {
  const e = EXCEPTIONS.find((x) => x.scheduler === scheduler && x.check === check && (x.scenarios === undefined || x.scenarios === scenarios));
  return e?.reason ?? null;
}
