/**
 * Real recordings: excerpts of traces recorded on a 2-vCPU VM (kernel 6.18, perf 6.1) under
 * `perf bench sched pipe` and a shell mix of busy loops, sleep and ls:
 *
 *   perf sched record -- perf bench sched pipe -l 20000;  perf sched timehist;  perf script
 *   perf record -a -e sched:sched_switch -e sched:sched_wakeup -e sched:sched_waking \
 *               -e sched:sched_process_fork -e sched:sched_process_exit -- sh -c '…'
 *   perf script   and   perf script -F comm,tid,cpu,time,event,trace,ip,sym
 *
 * Each import is checked against the trace's own truth: for perf script, what the switch records
 * say ran on each CPU between two switches; for timehist, the run-time column.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importTrace } from "../../workloads/import/index.js";
import { secondsToNs } from "../../workloads/import/trace.js";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { machine } from "../helpers/machine.js";

const text = (name: string) => readFileSync(new URL(`./traces/real/${name}`, import.meta.url), "utf8");

const RECORD = /^\s*.*?\s+-?\d+\s+\[(\d+)\]\s+(\d+\.\d+):/;
const SWITCH = /sched_switch: .*prev_pid=(-?\d+) .*next_pid=(-?\d+)/;

/**
 * Busy time per the switch records: on each CPU, from a switch to the next unless idle; before
 * a CPU's first switch its prev task ran since the trace's start, after its last its next task
 * runs to the trace's end (nothing switched there in between).
 */
function switchTruth(t: string): { busyNs: number; cpus: number; spanNs: number } {
  const cur = new Map<number, { at: number; tid: number }>();
  let busyNs = 0, first = Infinity, last = -Infinity;
  const pending: { cpu: number; at: number; prev: number }[] = [];
  for (const line of t.split("\n")) {
    const r = RECORD.exec(line);
    if (!r) continue;
    const at = secondsToNs(r[2]!), cpu = Number(r[1]);
    first = Math.min(first, at); last = Math.max(last, at);
    const s = SWITCH.exec(line);
    if (!s) continue;
    const c = cur.get(cpu);
    if (c && c.tid !== 0) busyNs += at - c.at;
    if (!c) pending.push({ cpu, at, prev: Number(s[1]) });
    cur.set(cpu, { at, tid: Number(s[2]) });
  }
  for (const p of pending) if (p.prev !== 0) busyNs += p.at - first;
  for (const c of cur.values()) if (c.tid !== 0) busyNs += last - c.at;
  return { busyNs, cpus: new Set([...t.matchAll(/\[(\d{3})\]/g)].map((m) => m[1])).size, spanNs: last - first };
}

describe("real perf script recordings", () => {
  it("a switch-out never recorded bills no phantom CPU: within span × CPUs, the gap reported (the old importer: 145 % of the machine)", () => {
    const t = text("pipe-lost.txt");
    const r = importTrace(t, "pipe-lost.txt");
    const truth = switchTruth(t);
    expect(r.summary.cpuNs).toBeLessThanOrEqual(r.summary.spanNs * truth.cpus);
    expect(r.summary.unbilledNs).toBeGreaterThan(0);
    expect(r.warnings.some((w) => /switches were lost/.test(w))).toBe(true);
    // what is billed is what the switches say, less the gap hidden by the lost switch
    expect(r.summary.cpuNs).toBe(truth.busyNs - r.summary.unbilledNs);
  });

  it("sched_process_exit with group_dead=true (kernel 6.18) is read; CPU matches the switch records", () => {
    const t = text("mix-exit.txt");
    expect(t).toMatch(/sched_process_exit: .* group_dead=true/);
    const r = importTrace(t, "mix-exit.txt");
    const truth = switchTruth(t);
    expect(r.summary.unbilledNs).toBe(0);
    expect(r.summary.cpuNs).toBe(truth.busyNs);
    expect(r.summary.cpuNs).toBeLessThanOrEqual(r.summary.spanNs * truth.cpus);
    expect(r.summary.skipped).toBe(0);
    expect(r.summary.forks).toBeGreaterThan(0);
  });

  it("perf script -F …,ip,sym: the trailing address and symbol change nothing", () => {
    const withSym = text("mix-ipsym.txt");
    expect(withSym).toMatch(/next_prio=\d+ [0-9a-f]{8,} \S+$/m);
    const without = withSym.split("\n").map((l) => l.replace(/ [0-9a-f]{8,} \S+$/, "")).join("\n");
    const a = importTrace(withSym, "t.txt"), b = importTrace(without, "t.txt");
    expect(a.doc).toEqual(b.doc);
    expect(a.summary.skipped).toBe(0);
    expect(a.summary.tasks).toBeGreaterThan(10);
  });
});

describe("a real perf sched timehist recording", () => {
  it("unresolved tasks (:-1[-1/pid]) are imported as one task per process; CPU = the run-time column", () => {
    const t = text("pipe-timehist.txt");
    expect(t).toMatch(/:-1\[-1\/\d+\]/);
    const r = importTrace(t, "pipe-timehist.txt");
    expect(Object.keys(r.doc.tasks).filter((n) => n.startsWith("unresolved-"))).toEqual(["unresolved-31119"]);
    let runNs = 0;
    for (const m of t.matchAll(/^\s*\d+\.\d+ \[\d+\]\s+(.*?)\s+\d+\.\d{3}\s+\d+\.\d{3}\s+(\d+)\.(\d{3})\s*$/gm)) {
      if (m[1] !== "<idle>") runNs += Number(m[2]) * 1e6 + Number(m[3]) * 1e3;
    }
    expect(r.summary.cpuNs).toBe(runNs - r.summary.unbilledNs);
    expect(r.summary.cpuNs).toBeLessThanOrEqual(r.summary.spanNs * 2);
  });
});

describe("who woke whom", () => {
  const lines = [
    "  swapper 0 [000] 1.000000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=a next_pid=1 next_prio=120",
    "  swapper 0 [001] 1.000000: sched:sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=b next_pid=2 next_prio=120",
    "  b 2 [001] 1.001000: sched:sched_switch: prev_comm=b prev_pid=2 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120",
    "  a 1 [000] 1.003000: sched:sched_waking: comm=b pid=2 prio=120 target_cpu=001",
    "  swapper 0 [001] 1.003050: sched:sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=b next_pid=2 next_prio=120",
    "  a 1 [000] 1.004000: sched:sched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120",
    "  b 2 [001] 1.005000: sched:sched_switch: prev_comm=b prev_pid=2 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120",
  ];

  it("a wakeup made by a running traced task becomes its sem_post and the wakee's sem_wait", () => {
    const r = importTrace(lines.join("\n"), "w.txt");
    expect(r.doc.tasks).toEqual({
      a: { loop: 1, run0: 3000, sem_post0: "wake:b", run1: 1000 },
      b: { loop: 1, run0: 1000, sem_wait0: "wake:b", run1: 1950 },
    });
    expect(r.summary.wakes).toBe(1);
    expect(r.plan.warnings).toEqual([]);
  });

  it("in the replay the wakee waits for its waker: a waker 7 ms slower wakes it 7 ms later", () => {
    const doc = importTrace(lines.join("\n"), "w.txt").doc as { tasks: Record<string, Record<string, unknown>> };
    const endOfB = (aFirstRunUs: number) => {
      const plan = parseWorkloadObject({ tasks: { ...doc.tasks, a: { ...doc.tasks.a, run0: aFirstRunUs } } }, "w.json");
      const m = machine(plan, { cpus: 2, durationNs: 100e6 });
      m.runFor(100e6);
      return m.result().tasks.find((t) => t.group === "b")!.exitNs;
    };
    expect(endOfB(3000)).toBe(4_950_000);
    expect(endOfB(10_000)).toBe(11_950_000);
  });

  it("a wakeup from an idle CPU (no traced waker) stays a fixed sleep", () => {
    const idle = lines.map((l) => l.replace("  a 1 [000] 1.003000: sched:sched_waking", "  swapper 0 [001] 1.003000: sched:sched_waking"));
    expect(importTrace(idle.join("\n"), "w.txt").doc.tasks.b).toEqual({ loop: 1, run0: 1000, sleep0: 2000, run1: 1950 });
  });
});
