/**
 * cyclictest — modelled on rt-tests' cyclictest: threads wake on an absolute periodic timer and
 * do a few µs of work; the wakeup latency after each timer expiry is the result.
 */
import { num, type Builtin } from "./types.js";

export const cyclictest: Builtin = {
  name: "cyclictest",
  description: "periodic timer threads measuring wakeup latency (cyclictest-like)",
  params: {
    threads: { default: 4, doc: "timer threads", min: 1, max: 1024, integer: true },
    interval_us: { default: 1000, doc: "timer period, µs", min: 10, max: 1e7 },
  },
  build(p) {
    return {
      tasks: {
        cyclic: {
          instance: num(p, "threads"),
          run: 10,
          timer: { ref: "unique", period: num(p, "interval_us"), mode: "absolute" },
        },
      },
    };
  },
};
