/**
 * What sets a run's length: --duration, else the workload's global.duration, else the end of its
 * tasks when they all end (with a safety cap), else the command's default; and the run header
 * says which. Warnings about the workload reach stderr even with --quiet.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scxlab } from "../helpers/cli.js";
import { describeRunLength, runLength, TASKS_END_CAP_S } from "../../cli/run_length.js";
import type { RunResult } from "../../sim/result.js";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { ownLength } from "../../workloads/run_length.js";

const DEFAULT_NS = 5e9;

const plan = (doc: Record<string, unknown>) => parseWorkloadObject(doc, "w.json");
const finite = { t: { loop: 3, run: 1000, sleep: 1000 } };

describe("run length", () => {
  it("the workload's own length: seconds, the tasks' end, or endless", () => {
    expect(ownLength(plan({ global: { duration: 2 }, tasks: finite }))).toEqual({ kind: "seconds", seconds: 2 });
    expect(ownLength(plan({ global: { duration: -1 }, tasks: finite }))).toEqual({ kind: "tasks-end" });
    expect(ownLength(plan({ global: { duration: 0 }, tasks: finite }))).toEqual({ kind: "tasks-end" });
    expect(ownLength(plan({ tasks: finite }))).toEqual({ kind: "tasks-end" });
    expect(ownLength(plan({ tasks: { ...finite, hog: { run: 1000 } } }))).toEqual({ kind: "endless" });
    expect(ownLength(plan({ tasks: { t: { loop: 1, phases: { a: { loop: -1, run: 1, sleep: 1 } } } } }))).toEqual({ kind: "endless" });
    expect(ownLength(plan({ tasks: { r: { arrivals: { rate: 10 }, run: 1 } } }))).toEqual({ kind: "endless" });
    expect(ownLength(plan({ tasks: { r: { arrivals: { rate: 10, max: 5 }, run: 1 } } }))).toEqual({ kind: "tasks-end" });
  });

  it("--duration overrides; then global.duration; then the tasks' end under a cap; then the default", () => {
    const own = plan({ global: { duration: 2 }, tasks: finite });
    expect(runLength(3e9, DEFAULT_NS, own)).toEqual({ durationNs: 3e9, durationFrom: "flag" });
    expect(runLength(null, DEFAULT_NS, own)).toEqual({ durationNs: 2e9, durationFrom: "workload" });
    expect(runLength(null, DEFAULT_NS, plan({ tasks: finite }))).toEqual({ durationNs: TASKS_END_CAP_S * 1e9, durationFrom: "tasks-end" });
    expect(runLength(null, DEFAULT_NS, plan({ tasks: finite }), false)).toEqual({ durationNs: DEFAULT_NS, durationFrom: "default" });
    expect(runLength(null, DEFAULT_NS, plan({ tasks: { hog: { run: 1000 } } }))).toEqual({ durationNs: DEFAULT_NS, durationFrom: "default" });
  });

  it("the header says what set the length, and how a run until the tasks end ended", () => {
    const say = (durationFrom: string, end?: unknown) =>
      describeRunLength({ simNs: 1.6e9, job: { durationNs: 600e9, durationFrom }, end } as unknown as RunResult);
    expect(say("flag")).toBe("1.60 s simulated (--duration)");
    expect(say("workload")).toBe("1.60 s simulated (the workload's global.duration)");
    expect(say("default")).toBe("1.60 s simulated (default length: the workload runs forever)");
    expect(say("tasks-end", { reason: "tasks-ended", blocked: 0 })).toBe("1.60 s simulated (until the tasks ended)");
    expect(say("tasks-end", { reason: "stuck", blocked: 2 })).toBe("1.60 s simulated (stopped: 2 tasks blocked for good; rt-app would hang here)");
    expect(say("tasks-end", { reason: "cap", blocked: 0 })).toBe("1.60 s simulated (the tasks had not ended at the 600 s safety cap; pass --duration to choose)");
  });

  const dir = mkdtempSync(join(tmpdir(), "scxlab-len-"));
  const file = (name: string, doc: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(doc));
    return p;
  };

  it("scxlab run: global.duration sets the run; --duration overrides; the header says which", () => {
    const w = file("two.json", { global: { duration: 2 }, tasks: { hog: { run: 1000 } } });
    const own = JSON.parse(scxlab("run", "-w", w, "--json", "-").out);
    expect([own.simNs, own.job.durationFrom]).toEqual([2e9, "workload"]);
    const flag = JSON.parse(scxlab("run", "-w", w, "--duration", "1", "--json", "-").out);
    expect([flag.simNs, flag.job.durationFrom]).toEqual([1e9, "flag"]);
    expect(scxlab("run", "-w", w).out.split("\n")[0]).toContain("2.00 s simulated (the workload's global.duration)");
  });

  it("scxlab run: duration -1 on a finite workload runs until its last task exits, and says so", () => {
    const w = file("finite.json", { global: { duration: -1 }, tasks: { t: { loop: 3, run: 100_000, sleep: 50_000 } } });
    const r = JSON.parse(scxlab("run", "-w", w, "--json", "-").out);
    expect(r.simNs).toBe(r.tasks[0].exitNs);
    expect(r.end).toEqual({ reason: "tasks-ended", blocked: 0 });
    expect(scxlab("run", "-w", w).out.split("\n")[0]).toMatch(/ s simulated \(until the tasks ended\)/);
  });

  it("a CPU the machine lacks is an error naming the task, the CPU and the machine's CPUs (exit 2)", () => {
    const w = file("cpu7.json", { tasks: { thread0: { cpus: [7], loop: 1, run: 1000 } } });
    const r = scxlab("run", "-w", w, "--cpus", "4");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`scxlab: ${w}: tasks.thread0.cpus: expected a CPU of this 4-CPU machine (0-3), got 7`);
    expect(scxlab("run", "-w", w, "--cpus", "8", "--quiet").code).toBe(0);
  });

  it("warnings about the workload go to stderr, --quiet or not", () => {
    const w = file("warn.json", { global: { duration: 0.1 }, tasks: { t: { run: 1000, bogus: 1 } } });
    for (const args of [[], ["--quiet"]]) {
      const r = scxlab("run", "-w", w, ...args);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^warning: .*tasks\.t\.bogus/m);
    }
  });
});
