/**
 * rt-app's semantics, checked on our own files that use the same constructs as rt-app's
 * tutorial. The figures in the test names were measured with rt-app built from
 * scheduler-tools/rt-app 55cb0c0 (2026-05-06) on a 2-vCPU VM.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Machine } from "../../sim/machine.js";
import { flatTopology } from "../../sim/topology.js";
import type { RunResult } from "../../sim/result.js";
import { parseWorkload } from "../../workloads/parse.js";

const MS = 1_000_000;

/** Runs a fixture the way `scxlab run` does without --duration: until its tasks end (cap 10 s). */
function untilEnd(file: string, cpus = 4): RunResult {
  const plan = parseWorkload(readFileSync(new URL(`./fixtures/rtapp/${file}`, import.meta.url), "utf8"), file);
  const topology = flatTopology(cpus);
  const m = new Machine({
    topology, plan, seed: 1, overheads: false,
    job: { scheduler: "fair", options: {}, workload: file, params: {}, topology: topology.name, cpus, seed: 1, durationNs: 10_000 * MS, overheads: false, durationFrom: "tasks-end" },
  });
  m.runToEnd();
  return m.result(0, plan.warnings);
}

const exitOf = (r: RunResult, group: string) => r.tasks.filter((t) => t.group === group).map((t) => t.exitNs);

describe("rt-app semantics", () => {
  it("a timer counts from the thread's start, not its first use: the 8th release is at 1.600 s (rt-app: 1.59995 s; was 1.730 s)", () => {
    const r = untilEnd("timer-from-start.json");
    // the last pass ends at the release of its timer: 8 periods of 200 ms from time 0
    expect(exitOf(r, "job")).toEqual([1600 * MS]);
    expect(r.end).toEqual({ reason: "tasks-ended", blocked: 0 });
    expect(r.simNs).toBe(1600 * MS);
  });

  it("per-instance timers through two phases (tutorial example3's shape): each copy ends at the 20th release, 600 ms (was 603 ms)", () => {
    const r = untilEnd("light-heavy.json");
    expect(exitOf(r, "job")).toEqual([600 * MS, 600 * MS, 600 * MS]);
    expect(r.groups.job!.cpuNs).toBe(3 * (10 * 3 + 10 * 27) * MS);
  });

  it("a fork target without instance starts at time 0 and again when forked; instance 0 only by fork (rt-app: 4 threads)", () => {
    const r = untilEnd("fork-twice.json");
    expect(r.invariants.created).toBe(4);
    expect(r.groups.worker!.tasks).toBe(2);
    expect(r.groups.late!.tasks).toBe(1);
    expect(r.invariants.exited).toBe(4);
  });

  it("a forked copy starts at its fork but not before its task's delay, which its timer counts from (rt-app's t_first)", () => {
    const r = untilEnd("fork-delay.json");
    // forked at 1 ms, held until its 20 ms delay; its timer then releases at 20 + 30 ms
    expect(r.tasks.filter((t) => t.group === "late").map((t) => [t.startNs, t.exitNs])).toEqual([[20 * MS, 50 * MS]]);
  });

  it("a resume sent while its target runs is lost: the target suspends for good and the run stops, stuck (rt-app hangs)", () => {
    const r = untilEnd("lost-resume.json");
    expect(r.end).toEqual({ reason: "stuck", blocked: 1 });
    expect(r.groups.slow!.cpuNs).toBe(5 * MS); // its second run never comes
    expect(exitOf(r, "slow")).toEqual([null]);
  });

  it("sem_post is remembered: the same hand-off with a semaphore ends at 6 ms", () => {
    const r = untilEnd("counted-post.json");
    expect(exitOf(r, "slow")).toEqual([6 * MS]);
    expect(r.end?.reason).toBe("tasks-ended");
  });

  it("a producer running ahead of its consumer loses no post: the consumer does all 3 items, ending at 1 + 3 × 5 ms", () => {
    const r = untilEnd("pipeline.json");
    expect(r.groups.consumer!.cpuNs).toBe(15 * MS);
    expect(exitOf(r, "consumer")).toEqual([16 * MS]);
  });

  it("two threads resuming each other at the same instant alternate (the first resume is lost), each at half the time", () => {
    const plan = parseWorkload(readFileSync(new URL("./fixtures/rtapp/tie.json", import.meta.url), "utf8"), "tie.json");
    const topology = flatTopology(2);
    const m = new Machine({
      topology, plan, seed: 1, overheads: false,
      job: { scheduler: "fair", options: {}, workload: "tie.json", params: {}, topology: topology.name, cpus: 2, seed: 1, durationNs: 1000 * MS, overheads: false },
    });
    m.runToEnd();
    const r = m.result();
    // both run the first 10 ms, then one at a time (before resumes were lost: 1 s of CPU each)
    expect(r.groups.left!.cpuNs + r.groups.right!.cpuNs).toBe(1010 * MS);
    expect(Math.abs(r.groups.left!.cpuNs - r.groups.right!.cpuNs)).toBeLessThanOrEqual(10 * MS);
  });
});
