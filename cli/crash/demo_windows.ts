/**
 * Where the crash demo cuts its run: before the fault; the faulty stretch if the eviction came
 * a while later; after it under fair; and under the reattached scheduler.
 */
import type { RunResult } from "../../sim/result.js";
import { schedulerLabel } from "../../results/index.js";
import { MS, type DemoRun } from "./demo_run.js";
import type { Snapshot, WindowSpec } from "./windows.js";

/** The windows of a finished demo run (`end`: the last snapshot; `result`: the whole run). Empty ones dropped. */
export function windowSpecs(run: DemoRun, end: Snapshot, result: RunResult): WindowSpec[] {
  const { fault, injA, o } = run;
  const exit = injA.uei;
  const labelA = schedulerLabel({ scheduler: run.job.scheduler, options: run.job.options });
  const rs = run.reattach;
  const specs: WindowSpec[] = [];
  const fs = run.faultSnap, es = run.exitSnap;
  if (fs !== null) {
    specs.push({ label: `before (${labelA})`, ran: injA.name, from: run.s0, to: fs, exit: null });
    const faulty = fault === "stall" ? "stalled" : "faulty";
    if (exit !== null && es !== null) {
      let afterFrom = fs;
      if (es.atNs < fs.atNs) {
        // It died on its own before the fault (say, a timeout_ms too short for the load).
        specs[0] = { ...specs[0]!, to: es };
        afterFrom = es;
      } else if (es.atNs - fs.atNs >= MS) {
        specs.push({ label: `${faulty} (${labelA})`, ran: injA.name, from: fs, to: es, exit: null });
        afterFrom = es;
      }
      const reSnap = rs?.snap ?? null;
      specs.push({ label: "after (fair)", ran: "fair", from: afterFrom, to: reSnap ?? end, exit: null });
      if (reSnap !== null && rs !== null) {
        specs.push({ label: `reattached (${schedulerLabel({ scheduler: o.reattach!.scheduler, options: o.reattach!.options })})`, ran: rs.injector.name, from: reSnap, to: end, exit: null });
      }
      // The report lists exits of its runs: with a scheduler attached again at the end, the whole
      // run's exit is null, so the eviction goes with the window that ended with it.
      if (result.scx.exit === null) {
        const i = specs.findIndex((s) => s.label === "after (fair)") - 1;
        specs[i] = { ...specs[i]!, exit };
      }
    } else {
      specs.push({ label: `${faulty} (${labelA})`, ran: injA.name, from: fs, to: end, exit: null });
    }
  }
  return specs.filter((w) => w.to.atNs > w.from.atNs);
}
