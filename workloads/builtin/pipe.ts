/**
 * pipe — modelled on perf bench sched pipe: two tasks take turns, each waking the other and
 * going to sleep, `loops` times; 2 µs of CPU per hand-off stands for the read and write.
 * pong suspends first; ping starts 100 µs later so its first resume finds pong waiting. Each
 * resume stands for a pipe write, which wakes the reader with WF_SYNC (pipe_write wakes through
 * wake_up_interruptible_sync_poll), hence `wake_sync`.
 */
import { num, type Builtin } from "./types.js";

export const pipe: Builtin = {
  name: "pipe",
  description: "two tasks ping-pong via suspend/resume (perf bench sched pipe-like round trips)",
  params: {
    loops: { default: 50_000, doc: "round trips", min: 1, max: 1e9, integer: true },
  },
  build(p) {
    const loop = num(p, "loops");
    return {
      global: { duration: -1 },
      tasks: {
        pong: { loop, wake_sync: true, suspend: "pong", run: 2, resume: "ping" },
        ping: { loop, wake_sync: true, delay: 100, run: 2, resume: "pong", suspend: "ping" },
      },
    };
  },
};
