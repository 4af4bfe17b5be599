/**
 * Runs validation replications on worker threads (piscina). Results come back by index, so the
 * report never depends on which worker ran what; each replication is a pure function of
 * (case, seed, mode).
 */
import { Piscina } from "piscina";
import type { Replication, ReplicationOutcome } from "./runner.js";
import { runReplication } from "./runner.js";

export async function runOnPool(work: readonly Replication[], workers: number, onDone: () => void): Promise<ReplicationOutcome[]> {
  const out: ReplicationOutcome[] = new Array(work.length);
  if (workers <= 1 || work.length <= 1) {
    for (let i = 0; i < work.length; i++) {
      out[i] = runReplication(work[i]);
      onDone();
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const pool = new Piscina({
    filename: new URL("./worker.js", import.meta.url).href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
  });
  try {
    // In case order: a case's seeds are adjacent, so a worker tends to see few policies.
    await Promise.all(work.map(async (w, i) => {
      out[i] = (await pool.run(w)) as ReplicationOutcome;
      onDone();
    }));
  } finally {
    await pool.destroy();
  }
  return out;
}
