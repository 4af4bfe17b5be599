/**
 * compile — a `make -j parallel` build: `make` forks the compile jobs level by level, each level
 * `parallel` short-lived `cc` processes whose CPU times are lognormal (mean 20 ms); a level
 * starts when the previous one has finished (the dependency), then `ld` links alone. The jobs
 * count is rounded up to whole levels. Fork-join is a barrier between make and the jobs it
 * forked: make's fork events fix how many meet there (parallel + 1).
 */
import { num, type Builtin } from "./types.js";

export const compile: Builtin = {
  name: "compile",
  description: "make -j: levels of short forked compile jobs, then a serial link (makespan test)",
  params: {
    jobs: { default: 64, doc: "compile jobs in all (rounded up to whole levels)", min: 1, max: 100_000, integer: true },
    parallel: { default: 8, doc: "jobs in flight per level (make -j)", min: 1, max: 256, integer: true },
  },
  build(p) {
    const parallel = num(p, "parallel");
    const compileLevel: Record<string, unknown> = { loop: Math.ceil(num(p, "jobs") / parallel), run: 300 };
    for (let i = 0; i < parallel; i++) compileLevel[i === 0 ? "fork" : `fork${i}`] = "cc";
    compileLevel.barrier = "compile-level";
    return {
      global: { duration: -1 },
      tasks: {
        make: { loop: 1, phases: { compile: compileLevel, link: { fork: "ld", barrier: "compile-link" } } },
        cc: { fork_only: true, loop: 1, run: { dist: "lognormal", mean: 20_000, sd: 15_000 }, barrier: "compile-level" },
        ld: { fork_only: true, loop: 1, run: 30_000, barrier: "compile-link" },
      },
    };
  },
};
