/**
 * V8's inlining budget, raised for runs long enough to repay it. The scheduler path is a chain
 * of small calls (kernel → sched_ext core → the scheduler's callback → a kfunc → the core
 * again); with V8's default budget (920 bytes of bytecode inlined into one optimised function)
 * TurboFan stops part-way and leaves the rest as calls. Five times that inlines the chain: the
 * M/M/4 yardstick through `scxlab run` took 23 % less main-thread CPU time in paired,
 * interleaved runs (median of 6 fresh processes each: 1118 → 864 ms for 960k customers); 2760
 * and 9200 gained less.
 *
 * It is not free: each optimised function gets bigger, and every thread compiles its own. In a
 * sweep of short jobs the compiler threads then take about as much CPU as the runs themselves
 * (default line-up × mixed × 20 s: ~2.9 s beside 2.4 s, against ~1.5 s with the default budget,
 * for no gain on the calling thread); with one worker that lands on the idle core, with two it
 * competes with the runs. So the pool raises it only for sweeps of long jobs (jobs.ts callers go
 * through runJobs). Flags belong to the process: worker threads started later share them, and
 * a flag set now applies to every function optimised from now on.
 */
import { setFlagsFromString } from "node:v8";

/** Estimated wall ms per job (pool_plan estimateMs) from which the raised budget pays for its compiling. */
export const INLINING_PAYS_MS = 250;

let raised = false;

/** Raises V8's inlining budget for the rest of the process (idempotent). */
export function raiseInliningBudget(): void {
  if (raised) return;
  raised = true;
  setFlagsFromString("--max-inlined-bytecode-size-cumulative=4600");
}
