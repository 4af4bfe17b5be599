import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CPUS_PID, TASKS_PID, taskStates, toChromeTrace, writeChromeTrace, writeChromeTraceFile, type ChromeTrace } from "../../results/index.js";
import { makeRun, STALL_EXIT } from "./fixtures.js";

describe("Chrome / Perfetto trace", () => {
  const run = makeRun({ scheduler: "rr", options: { slice_us: 100 }, timeline: true, exit: STALL_EXIT });
  const trace = toChromeTrace(run);
  const ev = trace.traceEvents;

  it("names the CPUs process and one thread per CPU", () => {
    expect(ev).toContainEqual(expect.objectContaining({ ph: "M", name: "process_name", pid: CPUS_PID, args: { name: "CPUs" } }));
    const threads = ev.filter((e) => e.ph === "M" && e.name === "thread_name" && e.pid === CPUS_PID);
    expect(threads.map((e) => e.tid)).toEqual([0, 1, 2, 3]);
    expect(threads.map((e) => e.args!["name"])).toEqual(["CPU 0", "CPU 1", "CPU 2", "CPU 3"]);
  });

  it("has one complete event per timeline slice, with ts, dur (µs), tid and args", () => {
    const xs = ev.filter((e) => e.ph === "X" && e.pid === CPUS_PID);
    expect(xs).toHaveLength(run.timeline!.pid.length);
    for (const e of xs) {
      expect(typeof e.ts).toBe("number");
      expect(e.dur).toBeGreaterThan(0);
      expect(e.tid).toBeGreaterThanOrEqual(0);
      expect(e.tid).toBeLessThan(4);
      expect(e.pid).toBe(CPUS_PID);
      expect(Object.keys(e.args!).sort()).toEqual(["class", "group", "pid"]);
    }
    const t = run.timeline!;
    expect(xs[0]).toMatchObject({ ts: t.startNs[0]! / 1000, dur: (t.endNs[0]! - t.startNs[0]!) / 1000, tid: t.cpu[0] });
    expect(xs.filter((e) => e.args!["class"] === "ext").length).toBeGreaterThan(0);
    expect(xs.filter((e) => e.args!["class"] === "fair").length).toBeGreaterThan(0);
  });

  it("marks class switches and the exit as global instants", () => {
    const instants = ev.filter((e) => e.ph === "i" && e.s === "g");
    expect(instants.map((e) => e.name)).toEqual(["fair → rr", "rr → fair", "sched_ext exit: SCX_EXIT_ERROR_STALL"]);
    expect(instants[2]!.ts).toBe(STALL_EXIT.atNs / 1000);
    expect(instants[2]!.args!["msg"]).toBe(STALL_EXIT.msg);
  });

  it("adds busy-CPU and queued counters", () => {
    expect(ev.filter((e) => e.ph === "C" && e.name === "busy CPUs")).toHaveLength(run.timeline!.busyCpus.length);
  });

  it("round-trips through JSON and writes atomically", async () => {
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    const dir = await mkdtemp(join(tmpdir(), "scxlab-trace-"));
    try {
      const path = await writeChromeTrace(dir, run);
      expect(JSON.parse(await readFile(path, "utf8"))).toEqual(trace);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a run without a timeline still gives a valid trace (metadata only)", () => {
    const t = toChromeTrace(makeRun());
    expect(t.traceEvents.some((e) => e.ph === "X")).toBe(false);
    expect(t.metadata["timeline"]).toBe("absent");
  });
});

describe("wakeup flows from the simulator", () => {
  it("a resume draws a flow from the waker's slice to the wakee's next slice", async () => {
    const { Machine } = await import("../../sim/machine.js");
    const { flatTopology } = await import("../../sim/topology.js");
    const plan = {
      name: "pingpong", durationS: null, cgroups: [], barriers: {}, warnings: [],
      tasks: ["a", "b"].map((name, i) => ({
        name, instances: 1, delayUs: 0, loop: -1, nice: 0, policy: "SCHED_OTHER" as const, cpus: null, taskgroup: null,
        arrivals: null, forkOnly: false, expectedRunUs: null, deadline: null, requestOn: null,
        phases: [{ name: "p", loop: 1, events: i === 0
          ? [{ kind: "run" as const, us: 100 }, { kind: "resume" as const, ref: "b" }, { kind: "suspend" as const, ref: "a" }]
          : [{ kind: "suspend" as const, ref: "b" }, { kind: "run" as const, us: 100 }, { kind: "resume" as const, ref: "a" }] }],
      })),
    };
    const m = new Machine({ topology: flatTopology(2), plan, seed: 1, overheads: false, timeline: true,
      job: { scheduler: "fair", options: {}, workload: "pingpong", params: {}, topology: "2", cpus: 2, seed: 1, durationNs: 5e6, overheads: false } });
    m.runToEnd();
    const trace = toChromeTrace(m.result());
    const starts = trace.traceEvents.filter((e) => e.ph === "s");
    const ends = trace.traceEvents.filter((e) => e.ph === "f");
    expect(starts.length).toBeGreaterThan(10);
    expect(ends.map((e) => e.id)).toEqual(starts.map((e) => e.id));
    for (let i = 0; i < starts.length; i++) expect(ends[i]!.ts!).toBeGreaterThanOrEqual(starts[i]!.ts!);
  });
});

describe("streamed trace and per-task state tracks (issue 14.9)", () => {
  it("a busy run (200 000 slices, more than a spread call takes) is written as a stream and reads back", async () => {
    const { withDenseTimeline } = await import("./fixtures.js");
    const run = withDenseTimeline(makeRun({ timeline: true }), 50_000, 10_000);
    const dir = await mkdtemp(join(tmpdir(), "scxlab-trace-"));
    try {
      const path = await writeChromeTraceFile(join(dir, "big.json"), run);
      const back = JSON.parse(await readFile(path, "utf8")) as ChromeTrace;
      expect(back.traceEvents.filter((e) => e.ph === "X" && e.pid === CPUS_PID)).toHaveLength(200_000);
      expect(back.metadata["timeline"]).toBe("truncated");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  /** One task on one CPU: runs 0–10, preempted, runs 20–30, blocks, woken at 50, runs 55–60, exits. */
  function oneTask(endRunnable: boolean) {
    const run = makeRun({ timeline: true });
    const t = run.timeline!;
    Object.assign(t, {
      cpu: [0, 0, 0], pid: [1, 1, 1], startNs: [0, 20, 55], endNs: [10, 30, 60], cls: [1, 1, 1],
      wakeNs: [50], wakePid: [1], wakerPid: [0],
      ...(endRunnable ? { endRunnable: [1, 0, 0] } : {}),
    });
    run.tasks = [{ ...run.tasks[0]!, pid: 1, startNs: 0, exitNs: 60 }];
    run.simNs = 100;
    return run;
  }

  it.each([true, false])("rebuilds running, runnable and sleeping spans (endRunnable recorded: %s)", (recorded) => {
    const [task] = [...taskStates(oneTask(recorded))];
    expect(task!.pid).toBe(1);
    expect(task!.spans.map((s) => [s.state, s.startNs, s.endNs])).toEqual([
      ["running", 0, 10], ["runnable", 10, 20], ["running", 20, 30], ["sleeping", 30, 50], ["runnable", 50, 55], ["running", 55, 60],
    ]);
  });

  it("a task preempted and never run again waits to the end (starvation shows)", () => {
    const run = oneTask(true);
    run.timeline!.endRunnable = [1, 0, 1];
    run.tasks[0]!.exitNs = null;
    const spans = [...taskStates(run)][0]!.spans;
    expect(spans[spans.length - 1]).toEqual({ state: "runnable", startNs: 60, endNs: 100 });
  });

  it("the trace has a Tasks process with a thread per task and its state slices", () => {
    const ev = toChromeTrace(oneTask(true)).traceEvents;
    expect(ev).toContainEqual(expect.objectContaining({ ph: "M", name: "process_name", pid: TASKS_PID, args: { name: "Tasks" } }));
    expect(ev).toContainEqual(expect.objectContaining({ ph: "M", name: "thread_name", pid: TASKS_PID, tid: 1 }));
    const states = ev.filter((e) => e.pid === TASKS_PID && e.ph === "X");
    expect(states.map((e) => e.name)).toEqual(["running", "runnable", "running", "sleeping", "runnable", "running"]);
    expect(states[3]).toMatchObject({ ts: 0.03, dur: 0.02, tid: 1 });
  });

  it("states from the simulator tile each task's life: no overlap, running spans are its slices (property over seeds)", async () => {
    const { runJob } = await import("../../cli/job.js");
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
      const r = runJob({ scheduler: "simple", options: {}, workload: "mixed", params: {}, topology: "2", cpus: 2, seed, durationNs: 50_000_000, overheads: true, extras: { timeline: true } });
      const t = r.timeline!;
      for (const { pid, spans } of taskStates(r)) {
        for (let k = 1; k < spans.length; k++) expect(spans[k]!.startNs).toBeGreaterThanOrEqual(spans[k - 1]!.endNs);
        const running = spans.filter((s) => s.state === "running").length;
        expect(running).toBe(t.pid.filter((p) => p === pid).length);
      }
    }), { numRuns: 5 });
  });
});
