/**
 * Trace import: perf sched timehist and perf script text → per-task run/sleep/fork programs →
 * an rt-app-dialect document that parses back and runs. The traces under traces/ are written
 * by hand; their expected programs are worked out in the comments.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkloadError } from "../../workloads/errors.js";
import { detectFormat, importTrace, parseTrace, TraceError } from "../../workloads/import/index.js";
import { msecToNs, secondsToNs } from "../../workloads/import/trace.js";
import { runJob, type Job } from "../../cli/job.js";
import { checkPlan } from "./helpers.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const trace = (name: string) => readFileSync(new URL(`./traces/${name}`, import.meta.url), "utf8");
const errorOf = (fn: () => unknown): TraceError => {
  try { fn(); } catch (e) { if (e instanceof TraceError) return e; throw e; }
  throw new Error("expected a TraceError");
};

const HEAD = [
  "           time    cpu  task name                       wait time  sch delay   run time",
  "                        [tid/pid]                          (msec)     (msec)     (msec)",
  "--------------- ------  ------------------------------  ---------  ---------  ---------",
];
const sw = (t: string, cpu: number, prev: [string, number, string], next: [string, number]) =>
  `  ${prev[0]} ${prev[1]} [00${cpu}] ${t}: sched:sched_switch: prev_comm=${prev[0]} prev_pid=${prev[1]} prev_prio=120 prev_state=${prev[2]} ==> next_comm=${next[0]} next_pid=${next[1]} next_prio=120`;

describe("times", () => {
  it("converts the printed seconds and msec.usec to integer ns without float error", () => {
    expect(secondsToNs("79371.874569")).toBe(79371874569000);
    expect(secondsToNs("5.000000001")).toBe(5000000001);
    expect(secondsToNs("12")).toBe(12e9);
    expect(msecToNs("1.148")).toBe(1148000);
    expect(msecToNs("0.000")).toBe(0);
    expect(msecToNs("3350.004")).toBe(3350004000);
  });
});

describe("format detection", () => {
  it("tells timehist from perf script by the content", () => {
    expect(detectFormat(trace("timehist-small.txt").split("\n"), "t")).toBe("timehist");
    expect(detectFormat(trace("script-small.txt").split("\n"), "t")).toBe("script");
    expect(detectFormat(["", "# header", "  perf 12 [001] 1.000000: cycles: ffff", sw("1.000001", 1, ["a", 5, "S"], ["b", 6])], "t")).toBe("script");
  });

  it("rejects anything else with file:line: expected ..., got ...", () => {
    expect(errorOf(() => detectFormat(["", "hello world"], "x.txt")).message)
      .toBe('x.txt:2: expected perf sched timehist or perf script output of sched events, got "hello world"');
    expect(errorOf(() => detectFormat([""], "x.txt")).message)
      .toBe("x.txt:1: expected perf sched timehist or perf script output of sched events, got end of file");
    expect(errorOf(() => importTrace("{\"tasks\": {}}", "w.json"))).toBeInstanceOf(WorkloadError);
  });
});

describe("perf sched timehist", () => {
  it("turns the hand-made trace into bursts, sleeps and start delays", () => {
    // app: woke at .000990, ran 2 ms, slept 3.000 - 0.050 ms, ran 1 ms.
    // worker: ran 1.5 ms, preempted by kworker for 0.5 ms (wait = delay: no sleep), ran 2 ms: one 3.5 ms burst.
    const r = importTrace(trace("timehist-small.txt"), "timehist-small.txt");
    expect(r.format).toBe("timehist");
    expect(r.doc).toEqual({
      global: { duration: 0.007 },
      tasks: {
        app: { loop: 1, run0: 2000, sleep0: 2950, run1: 1000 },
        worker: { loop: 1, delay: 1010, run0: 3500 },
        "kworker/1:0": { loop: 1, delay: 2510, run0: 500 },
      },
    });
    expect(r.summary).toMatchObject({ tasks: 3, runs: 4, sleeps: 1, forks: 0, cpuNs: 7_000_000, spanNs: 6_010_000 });
    expect(r.warnings).toEqual([]);
    checkPlan(r.plan);
    expect(r.plan.tasks.map((t) => [t.name, t.loop, t.delayUs])).toEqual([["app", 1, 0], ["worker", 1, 1010], ["kworker/1:0", 1, 2510]]);
  });

  it("reads the optional columns: -V cpu visual, --prio, --state, -n next, callchains", () => {
    const lines = [
      "           time    cpu  0123  task name                       prio      wait time  sch delay   run time  state",
      "    1.001000 [0001]   s    a[7]                            125         0.000      0.000      1.000      R  next: b[8]",
      "    1.002000 [0001]   s    b[8]                            120         0.000      0.000      1.000      S  next: a[7]",
      "    1.004000 [0001]   s    a[7]                            125         1.000      1.000      1.000      S  next: <idle>  schedule <- do_nanosleep",
      "    1.006000 [0001]   s    a[7]                            125         1.000      0.200      1.000      X",
      "    1.007000 [0000]   i  <idle>                            120         0.000      0.000      1.000      I",
    ];
    const r = importTrace(lines.join("\n"), "v.txt");
    expect(r.doc.tasks).toEqual({
      a: { loop: 1, priority: 5, run0: 2000, sleep0: 800, run1: 1000 },
      b: { loop: 1, delay: 1000, run0: 1000 },
    });
  });

  it("skips wakeup, migration and lost-event lines and stops at the -S summary", () => {
    const lines = [
      ...HEAD,
      "    2.000100 [0000]  x[3]                                 0.000      0.000      0.100",
      "    2.000150 [0000]  x[3]                                                      awakened: y[4]",
      "    2.000160 [0001]  x[3]                                                      migrated: y[4] cpu 0 => 1",
      "    2.000170 lost 3 events on cpu 1",
      "    2.000300 [0001]  y[4]                                 0.000      0.050      0.100",
      "",
      "Runtime summary",
      "                          comm  parent   sched-in     run-time    min-run     avg-run     max-run  stddev  migrations",
      "                           x[3]     -1          1        0.100      0.100      0.100      0.100    0.00       0",
    ];
    const r = importTrace(lines.join("\n"), "s.txt");
    expect(Object.keys(r.doc.tasks)).toEqual(["x", "y"]);
    expect(r.warnings).toEqual(['1 "lost events" lines: the recorder dropped events, some bursts and sleeps are missing']);
  });

  it("rejects a malformed sample with its line number", () => {
    const text = [...HEAD, "    2.000100 [0000]  x[3]                                 0.000      0.000      0.100", "    2.000200 [0000]  x[3]   0.000   oops"].join("\n");
    // among the first samples a bad line means the file is not timehist output; later, it is skipped and counted
    expect(errorOf(() => importTrace(text, "bad.txt")).message).toBe(
      'bad.txt:5: expected "<time> [<cpu>] <comm>[<tid>] <wait time> <sch delay> <run time>" (a perf sched timehist line): the file was read as perf sched timehist output, which this line is not, got "2.000200 [0000]  x[3]   0.000   oops"');
    const samples = [1, 2, 3, 4, 5].map((k) => `    2.00${k}000 [0000]  x[3]                                 0.000      0.000      0.100`);
    const later = [...HEAD, ...samples, "    2.009000 [0000]  x[3]   0.000   oops"].join("\n");
    expect(importTrace(later, "bad.txt").summary).toMatchObject({ skipped: 1, skippedSample: 'line 9: "2.009000 [0000]  x[3]   0.000   oops"' });
    const noTid = [...HEAD, "    2.000100 [0000]  x                                   0.000      0.000      0.100"].join("\n");
    expect(errorOf(() => importTrace(noTid, "t.txt")).message).toBe('t.txt:4: expected a task as "comm[tid]" or "comm[tid/pid]" after the CPU, got "x"');
    expect(errorOf(() => importTrace(HEAD.join("\n"), "h.txt")).message).toMatch(/^h\.txt:3: expected at least one task sample, .* got end of file$/);
  });
});

describe("perf script", () => {
  it("turns the hand-made trace into programs with a fork event and delays", () => {
    // make: ran 1 ms, forked cc1, ran 1 ms, blocked 2.000-8.130 (woken by sched_waking), ran 1.010 ms, exited.
    // cc1 (forked as make, exec'd to cc1): ran 5 ms, preempted (R+) by kworker, ran 2.010 ms: one burst.
    // kworker/1:1: first seen when woken at 6.000 ms; ran 0.1 ms then idled (a trailing sleep is dropped).
    const r = importTrace(trace("script-small.txt"), "script-small.txt");
    expect(r.format).toBe("script");
    expect(r.doc).toEqual({
      global: { duration: 0.01 },
      tasks: {
        make: { loop: 1, run0: 1000, fork0: "cc1", run1: 1000, sleep0: 6130, run2: 1010 },
        cc1: { loop: 1, fork_only: true, run0: 7010 },
        "kworker/1:1": { loop: 1, delay: 6000, run0: 100 },
      },
    });
    expect(r.warnings).toEqual([]);
    checkPlan(r.plan);
    expect(r.plan.tasks.find((t) => t.name === "cc1")?.forkOnly).toBe(true);
  });

  it("makes names unique (comm-tid, then a counter; never 'antagonist') and maps priorities", () => {
    const lines = [
      sw("1.000000", 0, ["swapper/0", 0, "R"], ["w", 10]),
      sw("1.001000", 0, ["w", 10, "S"], ["w", 11]),
      sw("1.002000", 0, ["w", 11, "X"], ["antagonist", 12]),
      sw("1.003000", 0, ["antagonist", 12, "S"], ["w", 10]),
      sw("1.004000", 0, ["w", 10, "X"], ["w", 11]), // tid 11 again: a new task (the old one exited)
      "   rt 13 [001] 1.004500: sched:sched_switch: swapper/1:0 [120] R ==> rt:13 [49]",
      "   rt 13 [001] 1.005000: sched:sched_switch: rt:13 [49] S ==> nice:14 [130]",
      "   nice 14 [001] 1.006000: sched:sched_switch: nice:14 [130] S ==> swapper/1:0 [120]",
      sw("1.006000", 0, ["w", 11, "S"], ["swapper/0", 0]),
    ];
    const r = importTrace(lines.join("\n"), "n.txt");
    expect(Object.keys(r.doc.tasks)).toEqual(["w-10", "w-11", "antagonist-12", "w-11-2", "rt", "nice"]);
    expect(r.doc.tasks.rt).toMatchObject({ policy: "SCHED_FIFO", priority: 50 });
    expect(r.doc.tasks.nice).toMatchObject({ priority: 10 });
    expect(r.plan.warnings).toEqual([]);
    expect(r.plan.tasks.find((t) => t.name === "rt")).toMatchObject({ policy: "SCHED_FIFO", rtPriority: 50 });
    expect(r.plan.tasks.find((t) => t.name === "nice")?.nice).toBe(10);
  });

  it("a sleep without a recorded wakeup lasts until the next switch-in; a fork by a task not seen running is a delayed start", () => {
    const lines = [
      sw("1.000000", 0, ["swapper/0", 0, "R"], ["a", 1]),
      sw("1.001000", 0, ["a", 1, "S"], ["swapper/0", 0]),
      sw("1.004000", 0, ["swapper/0", 0, "R"], ["a", 1]),
      "   a 1 [000] 1.004500: sched:sched_process_fork: comm=a pid=1 child_comm=a child_pid=2",
      sw("1.005000", 0, ["a", 1, "S"], ["a", 2]),
      sw("1.006000", 0, ["a", 2, "D"], ["swapper/0", 0]),
      "   :-1 -1 [001] 1.006500: sched:sched_process_fork: comm=a pid=1 child_comm=kid child_pid=3", // a header perf could not resolve
      sw("1.007000", 1, ["swapper/1", 0, "R"], ["kid", 3]),
      sw("1.008000", 1, ["kid", 3, "S"], ["swapper/1", 0]),
    ];
    const r = importTrace(lines.join("\n"), "f.txt");
    expect(r.doc.tasks).toEqual({
      "a-1": { loop: 1, run0: 1000, sleep0: 3000, run1: 500, fork0: "a-2", run2: 500 },
      "a-2": { loop: 1, fork_only: true, run0: 1000 },
      kid: { loop: 1, delay: 6500, run0: 1000 }, // started at its fork, by a parent not running then
    });
  });

  it("reads the field formats of both the kernel and libtraceevent, with or without a period column", () => {
    const lines = [
      "  swapper     0 [002]  10.000000:          1 sched:sched_switch: swapper/2:0 [120] R ==> my task:77 [120]",
      "  my task    77 [002]  10.002000:          1 sched:sched_switch: my task:77 [120] S ==> swapper/2:0 [120]",
      "  swapper     0 [002]  10.003000: sched:sched_waking: comm=my task pid=77 prio=120 success=1 target_cpu=002",
      "  swapper     0 [002]  10.003500: sched:sched_wakeup: my task:77 [120] success=1 CPU:002",
      "  swapper     0 [002]  10.004000: sched:sched_switch: prev_comm=swapper/2 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=my task next_pid=77 next_prio=120",
      "  my task    77 [002]  10.005000: sched:sched_migrate_task: comm=my task pid=77 prio=120 orig_cpu=2 dest_cpu=3",
      "  my task    77 [002]  10.006000: sched:sched_switch: prev_comm=my task prev_pid=77 prev_prio=120 prev_state=D|K ==> next_comm=swapper/2 next_pid=0 next_prio=120",
    ];
    const r = importTrace(lines.join("\n"), "p.txt");
    expect(r.doc.tasks).toEqual({ "my task": { loop: 1, run0: 2000, sleep0: 1000, run1: 2000 } });
  });

  it("rejects a trace longer than a workload can hold", () => {
    const text = [sw("1.000000", 0, ["swapper/0", 0, "R"], ["a", 1]), sw("2000001.000000", 0, ["a", 1, "S"], ["swapper/0", 0])].join("\n");
    expect(errorOf(() => importTrace(text, "l.txt")).message).toBe("l.txt:1: expected a trace covering at most 1e6 s, got 2.00e+6 s");
  });

  it("skips lines it cannot understand once events have been read, with a count and the first as a sample", () => {
    const good = sw("1.000000", 0, ["swapper/0", 0, "R"], ["a", 1]);
    const wakes = ["1.000100", "1.000200", "1.000300", "1.000400"].map((t) => `  a 1 [000] ${t}: sched:sched_waking: comm=b pid=2 prio=120 target_cpu=001`);
    const end = sw("1.002000", 0, ["a", 1, "S"], ["swapper/0", 0]);
    const bad = ["garbage here", "  a 1 [000] 1.001: sched:sched_switch: a => b", "  a 1 [000] 1.001: sched:sched_process_fork: parent a"];
    const r = importTrace([good, ...wakes, ...bad, end].join("\n"), "g.txt");
    expect(r.doc.tasks).toEqual({ a: { loop: 1, run0: 2000 } });
    expect([r.summary.skipped, r.summary.skippedSample]).toEqual([3, 'line 6: "garbage here"']);
    expect(r.warnings).toEqual(['3 lines not understood were skipped (first: line 6: "garbage here")']);
  });

  it("a line not understood before any event means the file is not perf script: an error saying so", () => {
    const good = sw("1.000000", 0, ["swapper/0", 0, "R"], ["a", 1]);
    expect(errorOf(() => importTrace([good, "garbage here", good].join("\n"), "g.txt")).message)
      .toBe('g.txt:2: expected "<comm> <tid> [<cpu>] <time>: <event>: <fields>" (a perf script line): the file was read as perf script output, which this line is not, got "garbage here"');
    expect(errorOf(() => importTrace("  a 1 [000] 1.1: sched:sched_waking: comm=a pid=1 prio=120 target_cpu=000", "w.txt")).message)
      .toBe("w.txt:1: expected a trace in which at least one task ran, got none");
  });
});

describe("the imported workload", () => {
  it("replays: each task gets the CPU time of its bursts (overheads off), forks included", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-import-"));
    for (const name of ["timehist-small.txt", "script-small.txt"]) {
      const r = importTrace(trace(name), name);
      const file = join(dir, name.replace(".txt", ".json"));
      writeFileSync(file, r.text);
      for (const scheduler of ["fair", "simple"]) {
        const job: Job = { scheduler, options: {}, workload: file, params: {}, topology: "4", cpus: 4, seed: 1, durationNs: 1e9, overheads: false };
        const res = runJob(job);
        expect(res.invariants.lost).toBe(0);
        for (const [task, o] of Object.entries(r.doc.tasks as Record<string, Record<string, unknown>>)) {
          const runUs = Object.entries(o).filter(([k]) => k.startsWith("run")).reduce((s, [, v]) => s + (v as number), 0);
          expect(res.groups[task]!.cpuNs).toBeCloseTo(runUs * 1000, -3);
          expect(res.groups[task]!.completed).toBe(1);
        }
      }
    }
  });
});

describe("fuzz", () => {
  const bases = [trace("timehist-small.txt"), trace("script-small.txt")];
  /** Any outcome but a valid import or a one-line WorkloadError fails. */
  const check = (text: string) => {
    try {
      const r = importTrace(text, "fz.txt");
      checkPlan(r.plan);
    } catch (e) {
      if (!(e instanceof WorkloadError)) throw e;
      expect(e.message).not.toMatch(/[\n\r]/);
      expect(e.message).toMatch(/^fz\.txt:\d+: expected .*, got .+$/);
    }
  };

  it("any text gives an import or a clean error", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.array(fc.constantFrom("\n", " ", "[000]", "1.000000:", "sched:sched_switch:", "==>", "prev_pid=1", "x[1]", "0.001", "R", "S", "a:1 [120]", "999999999.999999", "1.000000:", "123456789.000", "0.000001:"), { maxLength: 60 }), (parts) => check(parts.join(""))), { numRuns: 300 });
  });

  it("mutated real traces (lines dropped, duplicated, swapped, characters changed) import or fail cleanly", () => {
    fc.assert(fc.property(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(40), fc.nat(200), fc.constantFrom("drop", "dup", "swap", "char")), { maxLength: 6 }), fc.string({ minLength: 1, maxLength: 1 }), (base, edits, ch) => {
      const lines = base.split("\n");
      for (const [i, j, op] of edits) {
        const a = i % lines.length;
        if (op === "drop") lines.splice(a, 1);
        else if (op === "dup") lines.splice(a, 0, lines[a]!);
        else if (op === "swap") { const b = (a + 1) % lines.length; [lines[a], lines[b]] = [lines[b]!, lines[a]!]; }
        else { const l = lines[a]!; const k = j % (l.length + 1); lines[a] = l.slice(0, k) + ch + l.slice(k + 1); }
        if (lines.length === 0) lines.push("");
      }
      check(lines.join("\n"));
    }), { numRuns: 400 });
  });

  it("random schedules printed as perf script come back with each task's CPU time", () => {
    // one CPU; tasks take turns: each slot, the chosen task runs for d µs then blocks or is preempted
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5000 }), fc.boolean()), { minLength: 1, maxLength: 40 }), (slots) => {
      const lines: string[] = [];
      let t = 1_000_000; // µs
      const cpuOf = new Map<number, number>();
      const s = (us: number) => (us / 1e6).toFixed(6);
      let cur = 0;
      for (const [tid, d, block] of slots) {
        if (cur === tid) continue;
        lines.push(sw(s(t), 0, [cur === 0 ? "swapper/0" : `t${cur}`, cur, "R"], [`t${tid}`, tid]).replace(/prev_state=R/, `prev_state=${block ? "S" : "R"}`));
        cur = tid;
        t += d;
        cpuOf.set(tid, (cpuOf.get(tid) ?? 0) + d);
      }
      lines.push(sw(s(t), 0, [`t${cur}`, cur, "S"], ["swapper/0", 0]));
      const r = importTrace(lines.join("\n"), "rand.txt");
      for (const [tid, us] of cpuOf) {
        const o = r.doc.tasks[`t${tid}`] as Record<string, unknown>;
        const runUs = Object.entries(o).filter(([k]) => k.startsWith("run")).reduce((a, [, v]) => a + (v as number), 0);
        expect(runUs).toBeCloseTo(us, 6);
      }
    }), { numRuns: 200 });
  });
});

describe("parseTrace", () => {
  it("keeps tasks in order of appearance with their comm, tid and start", () => {
    const t = parseTrace(trace("script-small.txt"), "s");
    expect(t.tasks.map((x) => [x.comm, x.tid, x.startNs - t.startNs])).toEqual([["make", 300, 0], ["cc1", 301, 1_000_000], ["kworker/1:1", 40, 6_000_000]]);
    expect(t.events).toBe(15); // the sched_stat_runtime and sched_process_exec lines are not used
  });
});
