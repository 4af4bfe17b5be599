/**
 * schbench — modelled on Meta's schbench: message threads hand requests to workers; a worker
 * wakes, sleeps a little (think time), computes, and replies. Wakeup latency of the workers is
 * the number to watch. resume is a broadcast to every task suspended on the name (a task
 * suspends on its own name), so every request wakes all idle workers (the thundering herd
 * schbench also produces) and every reply wakes the waiting message threads.
 *
 * No lost-wakeup deadlock: a message thread suspends right after waking the workers, so at that
 * moment some worker is busy and will reply (sleep_us + work_us > 0). Workers are given 1 ms to
 * reach their first suspend before the message threads start.
 */
import { num, type Builtin } from "./types.js";

export const schbench: Builtin = {
  name: "schbench",
  description: "message threads wake workers that sleep then compute (schbench-like wakeup latency test)",
  params: {
    message_threads: { default: 2, doc: "message threads", min: 1, max: 64, integer: true },
    workers: { default: 2, doc: "workers per message thread", min: 1, max: 1024, integer: true },
    sleep_us: { default: 100, doc: "worker think time before computing, µs", min: 0, max: 1e7 },
    work_us: { default: 1000, doc: "worker CPU time per request, µs", min: 1, max: 1e7 },
  },
  build(p) {
    const m = num(p, "message_threads");
    return {
      tasks: {
        message: { instance: m, delay: 1000, run: 5, resume: "worker", suspend: "" },
        worker: {
          instance: m * num(p, "workers"),
          // A request is from the wakeup by a message thread to the worker's next wait for one,
          // think time included, as schbench times it (not two halves split at the sleep).
          request: "suspend",
          suspend: "",
          sleep: num(p, "sleep_us"),
          run: num(p, "work_us"),
          resume: "message",
        },
      },
    };
  },
};
