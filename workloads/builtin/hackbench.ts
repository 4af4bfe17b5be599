/**
 * hackbench — modelled on hackbench / perf bench sched messaging: groups of `fds` senders and
 * `fds` receivers. Each round a sender writes one message to each receiver of its group and each
 * receiver reads one from each sender (2 µs of CPU per message), `loops` rounds in all; the
 * workload ends when every group is done, so its makespan is the result.
 *
 * The pipes are modelled as a per-group rendezvous (a barrier each round): rt-app's condvar and
 * suspend wakeups are lost when nobody waits yet, and a pipe's buffered bytes are not, so a
 * barrier is the primitive that keeps the count of messages exact and cannot deadlock. Its
 * wakeups stand for pipe (or socket) writes and reads, which wake with WF_SYNC: `wake_sync`.
 */
import { num, type Builtin } from "./types.js";

const PER_MESSAGE_US = 2;

export const hackbench: Builtin = {
  name: "hackbench",
  description: "groups of senders and receivers exchanging messages in rounds (hackbench-like makespan test)",
  params: {
    groups: { default: 4, doc: "groups of senders and receivers", min: 1, max: 256, integer: true },
    fds: { default: 10, doc: "senders (and receivers) per group", min: 1, max: 256, integer: true },
    loops: { default: 100, doc: "rounds of messages", min: 1, max: 1e7, integer: true },
  },
  build(p) {
    const fds = num(p, "fds");
    const tasks: Record<string, unknown> = {};
    for (let g = 0; g < num(p, "groups"); g++) {
      const round = `hackbench-g${g}`;
      tasks[`g${g}-sender`] = { instance: fds, loop: num(p, "loops"), wake_sync: true, run: fds * PER_MESSAGE_US, barrier: round };
      tasks[`g${g}-receiver`] = { instance: fds, loop: num(p, "loops"), wake_sync: true, barrier: round, run: fds * PER_MESSAGE_US };
    }
    return { global: { duration: -1 }, tasks };
  },
};
