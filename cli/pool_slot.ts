/** The layout of a pool thread's slot of shared memory (Float64 cells), written by the thread, read by the pool. */
export const SLOT = {
  /** Scheduler callbacks invoked so far in the running job. */
  calls: 0,
  /** Callbacks running right now (above 0: one has not returned yet). */
  depth: 1,
  /** Wall clock (ms since the epoch) at which the running job started. */
  startedMs: 2,
  /** Index of the running job, or -1 between jobs. */
  job: 3,
  size: 4,
} as const;
