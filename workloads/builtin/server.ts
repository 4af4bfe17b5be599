/**
 * server — an open-loop request server: Poisson arrivals, each request a fresh task with a
 * heavy-tailed CPU time: 95% short (exponential, mean/2) and 5% long (Pareto, shape 2.5) such
 * that the overall mean is mean_us. The defaults load 4 CPUs to 75%.
 */
import { num, type Builtin } from "./types.js";

export const server: Builtin = {
  name: "server",
  description: "open-loop Poisson requests with heavy-tailed sizes (95% exp + 5% Pareto)",
  params: {
    rate: { default: 6000, doc: "requests per second (Poisson)", min: 0.001, max: 1e7 },
    mean_us: { default: 500, doc: "mean request CPU time, µs", min: 1, max: 1e7 },
  },
  build(p) {
    const mean = num(p, "mean_us");
    // 0.95·(mean/2) + 0.05·(Pareto mean = scale·2.5/1.5 = 10.5·mean) = mean
    const size = {
      dist: "mix",
      of: [
        { weight: 0.95, value: { dist: "exp", mean: mean / 2 } },
        { weight: 0.05, value: { dist: "pareto", scale: 6.3 * mean, shape: 2.5 } },
      ],
    };
    return {
      tasks: { request: { arrivals: { process: "poisson", rate: num(p, "rate") }, expected_run: mean, run: size } },
    };
  },
};
