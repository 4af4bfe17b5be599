/** CPU time of the calling thread, for judging its pace apart from other load on the machine. */
import { readFileSync } from "node:fs";

let readable = true;

/**
 * CPU ms this thread has run (Linux: /proc/thread-self/schedstat, in ns), or null where that
 * cannot be read (then callers fall back to wall time).
 */
export function threadCpuMs(): number | null {
  if (!readable) return null;
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    readable = false;
    return null;
  }
}
