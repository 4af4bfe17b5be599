/**
 * Legal input never reaches an engine bug (issue 19.7): an open-loop flood whose tasks block as
 * soon as they are picked, tasks that wake each other forever at one instant, and overload
 * beyond the live-task cap (arrivals refused as fork() refuses them with EAGAIN, and counted).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { runJob, type Job } from "../../cli/job.js";
import { InputError, WorkloadStall } from "../../sim/errors.js";
import { DEFAULT_MAX_LIVE_TASKS } from "../../sim/spawner.js";
import { formatRun } from "../../cli/format_run.js";
import { aggregate } from "../../results/aggregate.js";

const dir = mkdtempSync(join(tmpdir(), "scxlab-overload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, workload: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(workload));
  return p;
}

function job(workload: string, over: Partial<Job>): Job {
  return {
    scheduler: "simple", options: {}, workload, params: {}, topology: "2", cpus: 2, seed: 1,
    durationNs: 10_000_000, overheads: false, ...over,
  };
}

describe("an open-loop flood of tasks that block when first picked", () => {
  // The first task runs 12 ms; 10^7 arrivals/s queue 120,000 fresh tasks behind it, each of
  // which sleeps 0 when picked: one pick after another at one instant, each one a task leaving
  // the CPU. The engine used to give up after 100,000 picks ("could not settle").
  const flood = file("flood.json", { tasks: { c: { arrivals: { rate: 1e7 }, sleep: 0, run: 12_000 } } });

  it.each(["simple", "central", "stride"])("%s runs it to the end and loses no task", (scheduler) => {
    const r = runJob(job(flood, { scheduler, durationNs: 13_000_000 }));
    const inv = r.invariants;
    expect(inv.lost).toBe(0);
    expect(inv.created).toBe(inv.alive + inv.exited);
    expect(inv.created).toBeGreaterThan(120_000);
    expect(r.scx.exit).toBeNull();
  });
});

describe("tasks that wake each other forever at one instant", () => {
  const pingPong = file("pingpong.json", {
    tasks: { a: { loop: -1, sem_post: "x", sem_wait: "y" }, b: { loop: -1, sem_wait: "x", sem_post: "y" } },
  });

  it.each([["fair", false], ["simple", false], ["simple", true]] as const)("under %s (overheads %s) are the workload's error, naming both tasks", (scheduler, overheads) => {
    let err: unknown = null;
    try { runJob(job(pingPong, { scheduler, overheads })); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(WorkloadStall);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^pingpong: tasks: expected an event that takes simulated time .*got ("a" and "b"|"b" and "a") waking each other endlessly at 0 ns$/);
  });
});

describe("the live-task cap", () => {
  // Periodic arrivals every 1 µs of tasks that run 1 ms on one CPU: none exits within the first
  // millisecond, so of the 1,000 arrivals the first `cap` become tasks and the rest are refused.
  const steady = file("steady.json", { tasks: { c: { arrivals: { process: "periodic", rate: 1e6 }, run: 1000 } } });
  const capped = (maxTasks?: number) => runJob(job(steady, {
    scheduler: "simple", topology: "1", cpus: 1, durationNs: 1_000_000, ...(maxTasks !== undefined ? { maxTasks } : {}),
  }));

  it("refuses arrivals beyond the cap and counts them", () => {
    const r = capped(100);
    expect(r.invariants.created).toBe(100);
    expect(r.invariants.exited).toBe(0);
    expect(r.tasksRefused).toEqual({ count: 900, cap: 100 });
    expect(r.invariants.created + r.tasksRefused!.count).toBe(1000);
  });

  it("says so in the result's warnings, the run header and the compare summary", () => {
    const r = capped(100);
    expect(r.warnings.some((w) => w.startsWith("900 new tasks (arrivals or forks) refused: 100 were alive"))).toBe(true);
    expect(formatRun(r).split("\n")[0]).toContain("· 900 new tasks refused (live-task cap 100)");
    expect(aggregate([r]).warnings.some((w) => w.includes("900 new tasks refused at the live-task cap of 100"))).toBe(true);
  });

  it("is not there below the default cap (no field, no warning)", () => {
    const r = capped();
    expect(r.invariants.created).toBe(1000);
    expect(r.tasksRefused).toBeUndefined();
    expect(r.warnings).toEqual([]);
    expect(DEFAULT_MAX_LIVE_TASKS).toBeGreaterThan(1000);
  });
});
