/** The pool's worker entry for `scxlab validate`: runs one replication, returns plain data. */
import { runReplication, type Replication, type ReplicationOutcome } from "./runner.js";

export default function work(r: Replication): ReplicationOutcome {
  return runReplication(r);
}
