/**
 * Every built-in workload runs under every scheduler (and fair): short runs on a 2-LLC machine
 * with overheads on, checking that nothing is lost, that no scheduler is ejected, and that work
 * gets done. Schedulers that run tasks to completion (fifo, srtf, edf never time-slice) may be
 * ejected by the watchdog on workloads with endless hogs only after 30 s, beyond these runs.
 */
import { describe, expect, it } from "vitest";
import { runJob } from "../../cli/job.js";
import { SCHEDULERS, FAIR } from "../../schedulers/index.js";
import { BUILTINS } from "../../workloads/builtin/index.js";

const names = [FAIR, ...SCHEDULERS.map((s) => s.name)];

describe.each(BUILTINS.map((b) => b.name))("built-in %s", (workload) => {
  it.each(names)("runs under %s: nothing lost, no exit, work done", (scheduler) => {
    const r = runJob({
      scheduler, options: {}, workload, params: {}, topology: "2llc-8c", cpus: 8, seed: 3,
      durationNs: 300_000_000, overheads: true,
    });
    expect(r.invariants.lost).toBe(0);
    expect(r.invariants.created).toBe(r.invariants.alive + r.invariants.exited);
    expect(r.scx.exit).toBeNull();
    // The ops name, which the kernel checks as an object name (no "-"): cfs-like attaches as cfs_like.
    expect(r.scx.scheduler).toBe(scheduler === FAIR ? null : scheduler.replaceAll("-", "_"));
    const cpu = Object.values(r.groups).reduce((s, g) => s + g.cpuNs, 0);
    expect(cpu).toBeGreaterThan(0);
    expect(cpu).toBeLessThanOrEqual(8 * r.simNs);
  });
});
