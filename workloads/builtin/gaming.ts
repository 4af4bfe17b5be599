/**
 * gaming — a game's frame loop: a frame task wakes on an absolute timer every 1/fps s, computes
 * ~30% of the period, wakes its helper threads, and should finish within the period (kept as a
 * deadline hint for EDF-like policies); background hogs compete for the CPUs.
 */
import { HOG_RUN_US, num, type Builtin } from "./types.js";

export const gaming: Builtin = {
  name: "gaming",
  description: "periodic frame task with deadline + helper threads + background hogs",
  params: {
    fps: { default: 60, doc: "frames per second (period = 1e6/fps µs)", min: 1, max: 1000 },
    helpers: { default: 2, doc: "helper threads woken each frame (~10% of a period each)", min: 0, max: 64, integer: true },
    hogs: { default: 2, doc: "background CPU hogs", min: 0, max: 256, integer: true },
  },
  build(p) {
    const period = Math.round(1e6 / num(p, "fps"));
    const frame: Record<string, unknown> = {
      "dl-runtime": Math.round(period * 0.4),
      "dl-period": period,
      "dl-deadline": period,
      expected_run: Math.round(period * 0.3),
      run: { dist: "normal", mean: Math.round(period * 0.3), sd: Math.round(period * 0.05) },
    };
    const tasks: Record<string, unknown> = { frame };
    if (num(p, "helpers") > 0) {
      frame.resume = "helper"; // a task suspends on its own name (rt-app)
      tasks.helper = { instance: num(p, "helpers"), suspend: "", run: { dist: "exp", mean: Math.round(period * 0.1) } };
    }
    frame.timer = { ref: "unique", period, mode: "absolute" };
    if (num(p, "hogs") > 0) tasks.background = { instance: num(p, "hogs"), run: HOG_RUN_US };
    return { tasks };
  },
};
