/** hogs — N always-runnable CPU hogs: the simplest fairness and throughput test. */
import { HOG_RUN_US, num, type Builtin } from "./types.js";

export const hogs: Builtin = {
  name: "hogs",
  description: "n always-runnable CPU hogs at one nice level",
  params: {
    n: { default: 4, doc: "number of hogs", min: 1, max: 4096, integer: true },
    nice: { default: 0, doc: "nice value of every hog", min: -20, max: 19, integer: true },
  },
  build(p) {
    return { tasks: { hog: { instance: num(p, "n"), priority: num(p, "nice"), run: HOG_RUN_US } } };
  },
};
