/**
 * Synthetic RunResults shaped like the simulator's: 3 schedulers × 2 workloads × 3 seeds, each
 * scheduler with its own latency/throughput level plus seeded noise, and one run (rr on
 * "mixed", seed 1) carrying a timeline, class switches, a watchdog exit and a kernel log. One
 * workload name, a task name, a group name and the exit message are XSS probes.
 */
import { RUN_SCHEMA, type ExitInfo, type RunResult, type Stats, type Timeline } from "../../sim/result.js";

export const XSS = "<script>alert(1)</script>";
export const WORKLOADS = ["mixed", XSS] as const;
export const SCHEDULERS = [
  { scheduler: "fair", options: {}, wakeupUs: 20, rps: 9000 },
  { scheduler: "simple", options: { fifo: true }, wakeupUs: 35, rps: 9400 },
  { scheduler: "rr", options: { slice_us: 100 }, wakeupUs: 12, rps: 8800 },
] as const;
export const SEEDS = [1, 2, 3] as const;
export const LABELS = ["fair", "simple:fifo=true", "rr:slice_us=100"];

/** mulberry32: a tiny seeded PRNG so fixtures are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** A log-bucket-histogram-like summary around a median, with a heavy tail. */
export function makeStats(count: number, p50: number): Stats {
  if (count === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const r = Math.round;
  return { count, mean: r(p50 * 1.6), min: r(p50 * 0.1), p50: r(p50), p90: r(p50 * 2.2), p99: r(p50 * 6), p999: r(p50 * 14), max: r(p50 * 40) };
}

export interface RunOptions {
  scheduler?: string;
  options?: Record<string, string | number | boolean>;
  workload?: string;
  seed?: number;
  wakeupUs?: number;
  rps?: number;
  timeline?: boolean;
  exit?: ExitInfo | null;
}

const DURATION_NS = 50_000_000;
const CPUS = 4;

export function makeRun(o: RunOptions = {}): RunResult {
  const scheduler = o.scheduler ?? "fair";
  const workload = o.workload ?? "mixed";
  const seed = o.seed ?? 1;
  const rand = rng(hash(`${scheduler}|${workload}|${seed}`));
  const noise = () => 1 + (rand() - 0.5) * 0.1; // ±5 %
  const wakeNs = (o.wakeupUs ?? 20) * 1000 * noise();
  const throughput = (o.rps ?? 9000) * noise();
  const requests = Math.round((throughput * DURATION_NS) / 1e9);
  const webReq = Math.round(requests * 0.8);
  const group = (tasks: number, req: number, wake: number) => ({
    tasks, completed: tasks, cpuNs: Math.round(DURATION_NS * 0.4), requests: req,
    wakeupLatencyNs: makeStats(req, wake), requestLatencyNs: makeStats(req, wake * 8), waitNs: makeStats(req, wake * 0.9),
  });
  const exit = o.exit === undefined ? null : o.exit;
  const result: RunResult = {
    schema: RUN_SCHEMA,
    job: { scheduler, options: { ...(o.options ?? {}) }, workload, params: {}, topology: String(CPUS), cpus: CPUS, seed, durationNs: DURATION_NS, overheads: true },
    simNs: DURATION_NS,
    measuredNs: DURATION_NS,
    events: 100_000 + Math.round(rand() * 1000),
    wallMs: 20 + Math.round(rand() * 10),
    groups: { web: group(5, webReq, wakeNs), [`<b>batch</b>`]: group(3, requests - webReq, wakeNs * 1.5) },
    tasks: TASKS.map(([pid, name, g]) => ({ pid, name, group: g, nice: 0, cpuNs: 1e6, waitNs: 2e5, startNs: 0, exitNs: null, switches: 40, migrations: 3 })),
    tasksTruncated: false,
    cpus: Array.from({ length: CPUS }, (_, cpu) => ({ cpu, busyNs: 4e7, idleNs: 1e7, overheadNs: 1e5 })),
    totals: {
      completed: 8, requests, throughput,
      wakeupLatencyNs: makeStats(requests, wakeNs * 1.1), requestLatencyNs: makeStats(requests, wakeNs * 9),
      contextSwitches: { voluntary: Math.round(4000 * noise()), involuntary: Math.round(900 * noise()) },
      migrations: { smt: 10, core: 0, llc: 20, numa: 0, total: 30 + Math.round(rand() * 10) },
      utilization: Math.min(1, 0.8 * noise()),
      jainFairness: Math.min(1, 0.95 * noise()),
    },
    scx: { scheduler: scheduler === "fair" ? null : scheduler, timeline: [], exit, log: [], events: {} },
    invariants: { created: 8, exited: 0, alive: 8, lost: 0 },
    warnings: [],
  };
  if (o.timeline) addTimeline(result, rand);
  return result;
}

const TASKS: [number, string, string][] = [
  [1, "web-0", "web"], [2, "web-1", "web"], [3, "web-2", "web"], [4, "<img src=x onerror=alert(2)>", "web"],
  [5, "web-4", "web"], [6, "batch-0", "<b>batch</b>"], [7, "batch-1", "<b>batch</b>"], [8, "batch-2", "<b>batch</b>"],
];

const SWITCH_NS = 5_000_000;
const EXIT_NS = 40_000_000;

/** Slices of 50–400 µs with idle gaps on every CPU; class ext between the switch and the exit. */
function addTimeline(r: RunResult, rand: () => number): void {
  const t: Timeline = { cpu: [], pid: [], startNs: [], endNs: [], cls: [], groupOf: {}, sampleNs: 1_000_000, busyCpus: [], queued: [], wakeNs: [], wakePid: [], wakerPid: [], truncated: false };
  for (const [pid, , g] of TASKS) t.groupOf[String(pid)] = g;
  for (let cpu = 0; cpu < CPUS; cpu++) {
    for (let now = Math.round(rand() * 100_000); now < DURATION_NS; ) {
      const len = 50_000 + Math.round(rand() * 350_000);
      const end = Math.min(DURATION_NS, now + len);
      t.cpu.push(cpu);
      t.pid.push(1 + Math.floor(rand() * TASKS.length));
      t.startNs.push(now);
      t.endNs.push(end);
      t.cls.push(now >= SWITCH_NS && now < EXIT_NS ? 1 : 0);
      now = end + (rand() < 0.3 ? Math.round(rand() * 200_000) : 0);
    }
  }
  for (let s = 0; s < DURATION_NS; s += t.sampleNs) {
    let busy = 0;
    for (let i = 0; i < t.cpu.length; i++) if (t.startNs[i]! <= s && s < t.endNs[i]!) busy++;
    t.busyCpus.push(busy);
    t.queued.push(Math.floor(rand() * 6));
  }
  r.timeline = t;
  r.scx.timeline = [
    { atNs: SWITCH_NS, from: "fair", to: r.job.scheduler, reason: "link created" },
    { atNs: EXIT_NS, from: r.job.scheduler, to: "fair", reason: "watchdog" },
  ];
  r.scx.log = [
    { atNs: SWITCH_NS, msg: `sched_ext: BPF scheduler "${r.job.scheduler}" enabled` },
    { atNs: EXIT_NS, msg: `sched_ext: BPF scheduler "${r.job.scheduler}" disabled (runnable task stall)` },
  ];
}

export const STALL_EXIT: ExitInfo = {
  kind: "SCX_EXIT_ERROR_STALL",
  reason: "runnable task stall",
  msg: `web-3[4] failed to run for 30.2s </script><script>alert(3)</script>`,
  atNs: EXIT_NS,
  exitCode: 0,
};

/** The full sweep; the run with the timeline and the exit is the first rr run on "mixed". */
export function makeSweep(): RunResult[] {
  const out: RunResult[] = [];
  for (const workload of WORKLOADS) {
    for (const s of SCHEDULERS) {
      for (const seed of SEEDS) {
        const special = s.scheduler === "rr" && workload === "mixed" && seed === 1;
        out.push(makeRun({ ...s, workload, seed, timeline: special, exit: special ? STALL_EXIT : null }));
      }
    }
  }
  return out;
}

/** A long, dense timeline (back-to-back slices on every CPU) to exercise the zoomed-out view. */
export function withDenseTimeline(r: RunResult, slicesPerCpu: number, sliceNs: number): RunResult {
  const t: Timeline = { cpu: [], pid: [], startNs: [], endNs: [], cls: [], groupOf: {}, sampleNs: 1_000_000, busyCpus: [], queued: [], wakeNs: [], wakePid: [], wakerPid: [], truncated: true };
  for (const [pid, , g] of TASKS) t.groupOf[String(pid)] = g;
  for (let cpu = 0; cpu < CPUS; cpu++) {
    for (let k = 0; k < slicesPerCpu; k++) {
      t.cpu.push(cpu);
      t.pid.push(1 + ((k * 7 + cpu) % TASKS.length));
      t.startNs.push(k * sliceNs);
      t.endNs.push((k + 1) * sliceNs);
      t.cls.push(k % 2); // alternating classes: the worst case for the class band too
    }
  }
  const end = slicesPerCpu * sliceNs;
  for (let s = 0; s < end; s += t.sampleNs) (t.busyCpus.push(CPUS), t.queued.push(2));
  r.simNs = end;
  r.timeline = t;
  return r;
}
