/**
 * What a request (an activation) of a closed-loop task is: by default from a wakeup to the next
 * sleep, timer or suspend; with the workload's `request` key, from a wakeup out of that kind of
 * block to the next block of that kind, other blocks inside it (think time) included. Ideal
 * machine with a CPU per task, so every latency is exact.
 */
import { describe, expect, it } from "vitest";
import { parseWorkloadObject } from "../../workloads/parse.js";
import { WorkloadError } from "../../workloads/errors.js";
import { loadWorkload } from "../../workloads/load.js";
import { machine } from "../helpers/machine.js";

const MS = 1_000_000;

function groups(tasks: Record<string, unknown>, ms: number, cpus = 1) {
  const m = machine(parseWorkloadObject({ tasks }, "req.json"), { cpus, durationNs: ms * MS });
  m.runFor(ms * MS);
  return m.result().groups;
}

/** Every 10 ms: 1 ms of work, a 2 ms think-time sleep, 1 ms more. */
const periodic = { loop: -1, timer: { ref: "t", period: 10_000 }, run0: 1000, sleep: 2000, run1: 1000 };

describe("requests of closed-loop tasks", () => {
  it("by default the think-time sleep ends a request: two per period, of 1 ms each", () => {
    const g = groups({ p: periodic }, 95).p;
    // The first timer call blocks at once, ending an empty activation opened by the start; then
    // 9 releases (10 ... 90 ms) of two 1 ms halves each.
    expect(g.requests).toBe(1 + 2 * 9);
    expect(g.requestLatencyNs.max).toBe(1 * MS);
    expect(g.requestLatencyNs.mean * g.requests).toBe(18 * MS);
  });

  it("with request: timer, a period is one request of 1 + 2 + 1 ms", () => {
    const g = groups({ p: { request: "timer", ...periodic } }, 95).p;
    expect(g.requestLatencyNs.min).toBe(4 * MS);
    expect(g.requestLatencyNs.max).toBe(4 * MS);
    // Starting is not a wakeup from a timer: the first request opens at the first release.
    expect(g.requests).toBe(9);
  });

  it("with request: suspend, a sem_post already made ends one request and starts the next at once", () => {
    // Two posters post the worker's semaphore every 5 ms at the same instants; the worker needs
    // 2 ms per request. The first post wakes it, the second finds it awake and is counted, so
    // when it comes back to its sem_wait it goes straight on: two back-to-back requests per release.
    const g = groups({
      a: { loop: -1, timer: { ref: "ta", period: 5000 }, sem_post: "go" },
      b: { loop: -1, timer: { ref: "tb", period: 5000 }, sem_post: "go" },
      worker: { request: "suspend", loop: -1, sem_wait: "go", sleep: 500, run: 1500 },
    }, 99, 3).worker;
    expect(g.requests).toBe(2 * 19); // releases at 5, 10, ..., 95 ms
    expect(g.requestLatencyNs.min).toBe(2 * MS);
    expect(g.requestLatencyNs.max).toBe(2 * MS);
  });

  it("a resume that finds its target awake is lost (rt-app's condvar broadcast): one request per release", () => {
    const g = groups({
      a: { loop: -1, timer: { ref: "ta", period: 5000 }, resume: "worker" },
      b: { loop: -1, timer: { ref: "tb", period: 5000 }, resume: "worker" },
      worker: { request: "suspend", loop: -1, suspend: "", sleep: 500, run: 1500 },
    }, 99, 3).worker;
    expect(g.requests).toBe(19);
    expect(g.requestLatencyNs.max).toBe(2 * MS);
  });

  it("schbench's workers count one request per message, think time included", () => {
    const p = loadWorkload("schbench", {});
    const m = machine(p, { cpus: 8, durationNs: 500 * MS });
    m.runFor(500 * MS);
    const r = m.result();
    const w = r.groups.worker;
    const workUs = 1000, sleepUs = 100;
    // Every request is at least think time plus work; and requests ≈ work done ÷ work per request.
    expect(w.requestLatencyNs.min).toBeGreaterThanOrEqual((sleepUs + workUs) * 1000);
    expect(Math.abs(w.requests - w.cpuNs / (workUs * 1000))).toBeLessThanOrEqual(w.requests * 0.01 + 4);
  });
});

describe("the request key", () => {
  const parse = (t: Record<string, unknown>) => parseWorkloadObject({ tasks: { t } }, "req.json");

  it("takes sleep, timer or suspend", () => {
    for (const b of ["sleep", "timer", "suspend"] as const) expect(parse({ request: b, run: 1, sleep: 1 }).tasks[0]!.requestOn).toBe(b);
    expect(parse({ run: 1, sleep: 1 }).tasks[0]!.requestOn).toBeNull();
  });

  it("rejects anything else, naming the path and what was expected", () => {
    expect(() => parse({ request: "mutex", run: 1 })).toThrow(WorkloadError);
    expect(() => parse({ request: "mutex", run: 1 })).toThrow(/req\.json.*tasks\.t\.request.*"sleep", "timer" or "suspend"/);
    expect(() => parse({ request: 3, run: 1 })).toThrow(/tasks\.t\.request/);
  });

  it("is refused on an open-loop task, whose request is its whole life", () => {
    expect(() => parse({ request: "sleep", arrivals: { rate: 10 }, run: 1 })).toThrow(/tasks\.t\.request.*arrivals/);
  });
});
