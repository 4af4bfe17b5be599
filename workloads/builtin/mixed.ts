/**
 * mixed — the default workload: a little of everything a desktop-or-server box runs at once, so
 * that policies visibly differ. On 4 CPUs the defaults ask for about 3.7 CPUs:
 *   interactive  4 × (0.5 ms run / 8 ms cycle)     ≈ 0.25 CPU, latency-sensitive wakers
 *   batch        2 always-runnable hogs at nice 0  = 2 CPUs
 *   batch-nice5  1 always-runnable hog at nice 5   = 1 CPU
 *   server       800 req/s × 0.6 ms (Poisson, exp) ≈ 0.48 CPU, open loop: requests keep
 *                completing for the whole run, whatever the policy does to the hogs.
 */
import { HOG_RUN_US, num, type Builtin } from "./types.js";

export const mixed: Builtin = {
  name: "mixed",
  description: "interactive wakers + batch hogs (nice 0 and 5) + a Poisson request server; ~90% of 4 CPUs",
  params: {
    interactive: { default: 4, doc: "interactive tasks (run ~0.5 ms, sleep 5-10 ms)", min: 0, max: 256, integer: true },
    hogs: { default: 2, doc: "CPU hogs at nice 0", min: 0, max: 256, integer: true },
    niced_hogs: { default: 1, doc: "CPU hogs at nice 5", min: 0, max: 256, integer: true },
    rate: { default: 800, doc: "server requests per second (Poisson)", min: 0.001, max: 1e6 },
    mean_us: { default: 600, doc: "mean server request CPU time, µs (exponential)", min: 1, max: 1e7 },
  },
  build(p) {
    const tasks: Record<string, unknown> = {};
    if (num(p, "interactive") > 0) {
      tasks.interactive = {
        instance: num(p, "interactive"),
        run: { dist: "exp", mean: 500 },
        sleep: { dist: "uniform", min: 5000, max: 10000 },
      };
    }
    if (num(p, "hogs") > 0) tasks.batch = { instance: num(p, "hogs"), priority: 0, run: HOG_RUN_US };
    if (num(p, "niced_hogs") > 0) tasks["batch-nice5"] = { instance: num(p, "niced_hogs"), priority: 5, run: HOG_RUN_US };
    tasks.server = {
      arrivals: { process: "poisson", rate: num(p, "rate") },
      expected_run: num(p, "mean_us"),
      run: { dist: "exp", mean: num(p, "mean_us") },
    };
    return { tasks };
  },
};
