/**
 * Fuzzing the trace parsers: whatever the text, an import either succeeds, billing no more CPU
 * than the trace's span times its CPUs, or fails with a one-line TraceError/WorkloadError. Never
 * another exception, never a hang (inputs are bounded; the parsers are single passes).
 */
import { readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkloadError } from "../../workloads/errors.js";
import { importTrace } from "../../workloads/import/index.js";

const dir = new URL("./traces/real/", import.meta.url);
const real = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), "utf8"));

/** Imports `text`; a failure must be a clean one-line input error. Returns the summary or null. */
function attempt(text: string) {
  try {
    const r = importTrace(text, "fz.txt");
    const cpus = Math.max(1, new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]))).size);
    expect(r.summary.cpuNs).toBeLessThanOrEqual(r.summary.spanNs * cpus);
    return r.summary;
  } catch (e) {
    if (!(e instanceof WorkloadError)) throw e;
    expect(e.message).not.toMatch(/[\n\r]/);
    expect(e.message).toMatch(/^fz\.txt:\d+: expected .*, got .+$/);
    return null;
  }
}

const comm = fc.constantFrom("a", "b", "my task", "kworker/0:1", ":-1", "swapper/0", "x:1 [2]");
const tid = fc.constantFrom(-1, 0, 1, 2, 3, 7, 31119);
const state = fc.constantFrom("R", "R+", "S", "D", "I", "X", "Z", "D|K", "?");

/** One perf script record with arbitrary (but well-formed) content: the semantics are random. */
const record = fc.oneof(
  fc.tuple(comm, tid, state, comm, tid).map(([pc, p, s, nc, n]) => (cpu: number, ts: string) =>
    `${pc} ${p} [00${cpu}] ${ts}: sched:sched_switch: prev_comm=${pc} prev_pid=${p} prev_prio=120 prev_state=${s} ==> next_comm=${nc} next_pid=${n} next_prio=120`),
  fc.tuple(comm, tid, state, comm, tid).map(([pc, p, s, nc, n]) => (cpu: number, ts: string) =>
    `${pc} ${p} [00${cpu}] ${ts}: sched:sched_switch: ${pc}:${p} [120] ${s} ==> ${nc}:${n} [120] ffffffff81000000 __schedule`),
  fc.tuple(comm, tid, comm, tid, fc.constantFrom("sched_waking", "sched_wakeup", "sched_wakeup_new", "sched_process_exit")).map(([hc, h, c, p, ev]) =>
    (cpu: number, ts: string) => `${hc} ${h} [00${cpu}] ${ts}: sched:${ev}: comm=${c} pid=${p} prio=120 target_cpu=001 group_dead=true`),
  fc.tuple(comm, tid, tid).map(([c, p, k]) => (cpu: number, ts: string) =>
    `${c} ${p} [00${cpu}] ${ts}: sched:sched_process_fork: comm=${c} pid=${p} child_comm=${c} child_pid=${k}`),
  fc.tuple(comm, tid).map(([c, p]) => (cpu: number, ts: string) => `${c} ${p} [00${cpu}] ${ts}: sched:sched_stat_runtime: comm=${c} pid=${p} runtime=5 [ns]`),
);

describe("trace parser fuzzing", () => {
  it("random perf script schedules (events lost, tasks on two CPUs at once, pids reused) never bill more than span × CPUs", () => {
    fc.assert(fc.property(fc.array(fc.tuple(record, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 })), { minLength: 1, maxLength: 80 }), (recs) => {
      let us = 1_000_000;
      const lines = recs.map(([make, cpu, gap]) => { us += gap; return make(cpu, (us / 1e6).toFixed(6)); });
      attempt(lines.join("\n"));
    }), { numRuns: 500 });
  });

  it("random timehist rows (overlapping run times, unresolved tasks) never bill more than span × CPUs", () => {
    const head = "           time    cpu  task name                       wait time  sch delay   run time\n";
    const task = fc.constantFrom("a[1]", "b[2]", ":-1[-1/3343]", ":-1[-1]", "<idle>", "x[3/3]");
    const ms = fc.integer({ min: 0, max: 20_000 }).map((u) => (u / 1000).toFixed(3));
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), task, ms, ms, ms, fc.integer({ min: 0, max: 5000 }), fc.constantFrom("", " S", " R", " X")), { minLength: 1, maxLength: 60 }), (rows) => {
      let us = 1_000_000;
      const lines = rows.map(([cpu, name, w, d, r, gap, st]) => {
        us += gap;
        return `${(us / 1e6).toFixed(6)} [000${cpu}]  ${name}   ${w}   ${d}   ${r}${st}`;
      });
      attempt(head + lines.join("\n"));
    }), { numRuns: 500 });
  });

  it("real recordings cut, shuffled and corrupted import within span × CPUs or fail cleanly", () => {
    fc.assert(fc.property(fc.constantFrom(...real), fc.array(fc.tuple(fc.nat(200), fc.nat(300), fc.constantFrom("drop", "dup", "swap", "char", "cut")), { maxLength: 8 }), fc.string({ minLength: 1, maxLength: 2 }), (base, edits, ch) => {
      const lines = base.split("\n");
      for (const [i, j, op] of edits) {
        const a = i % lines.length;
        if (op === "drop") lines.splice(a, 1);
        else if (op === "dup") lines.splice(a, 0, lines[a]!);
        else if (op === "swap") { const b = (a + 7) % lines.length; [lines[a], lines[b]] = [lines[b]!, lines[a]!]; }
        else if (op === "cut") lines[a] = lines[a]!.slice(0, j % (lines[a]!.length + 1));
        else { const l = lines[a]!; const k = j % (l.length + 1); lines[a] = l.slice(0, k) + ch + l.slice(k + 1); }
        if (lines.length === 0) lines.push("");
      }
      attempt(lines.join("\n"));
    }), { numRuns: 300 });
  });

  it("any text: an import or a clean error", () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => { attempt(s); }), { numRuns: 300 });
    const parts = ["\n", " ", "[000]", "[001]", "1.000000:", "sched:sched_switch:", "==>", "prev_pid=1", "next_pid=2", ":-1[-1/9]", "x[1]",
      "0.001", "R", "S", "group_dead=true", "ffffffff81000000 __schedule", "999999999.999999", "lost 3 events on cpu 1"];
    fc.assert(fc.property(fc.array(fc.constantFrom(...parts), { maxLength: 80 }), (p) => { attempt(p.join("")); }), { numRuns: 300 });
  });
});
