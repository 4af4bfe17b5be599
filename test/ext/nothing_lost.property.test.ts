/**
 * "Nothing is lost", whatever the scheduler does. fast-check generates small workloads (1-8
 * tasks mixing run, sleep, yield, suspend/resume, fork and exit; open-loop arrivals; random nice
 * and affinity; 1-4 CPUs) and a misbehaving scheduler whose every decision is read from a
 * generated script: direct dispatch to LOCAL / GLOBAL / LOCAL_ON / user DSQs / bogus ids, tasks
 * kept in custody and dispatched later or never, stale and duplicate dispatches, inserts of the
 * wrong task, exceptions, scx.error / scx.exit, kicks, slices of 0, huge, infinite or garbage.
 * User space meanwhile detaches, crashes, sysrq's and re-attaches at random times.
 *
 * After every small step: no task is lost or in two places (sim/invariants.ts, and the stricter
 * placeViolations of ./util.ts), every exit has a valid kind with its reason, and once the
 * scheduler is gone no task is left in the ext class. Also: the same plan and seed give the same
 * RunResult.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  SCX_DSQ_GLOBAL, SCX_DSQ_INVALID, SCX_DSQ_LOCAL, SCX_ENQ_HEAD, SCX_ENQ_PREEMPT, SCX_KICK_IDLE,
  SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_OPS_ENQ_LAST, SCX_OPS_SWITCH_PARTIAL, SCX_SLICE_INF, localOn,
  asCpu, asDsq,
} from "../../sim/ext/consts.js";
import type { SchedExtOps, Scx, ScxTask } from "../../sim/ext/ops.js";
import { EXIT_REASON } from "../../sim/ext/exit.js";
import type { Machine } from "../../sim/machine.js";
import type { EventSpec, TaskSpec, WorkloadPlan } from "../../sim/plan.js";
import type { ExitKind, RunResult } from "../../sim/result.js";
import { plan, task } from "../helpers/plan.js";
import { machine } from "../helpers/machine.js";
import { load, placeViolations, type Loaded } from "./util.js";

const MS = 1_000_000;
const VALID_EXITS: ExitKind[] = [
  "SCX_EXIT_UNREG", "SCX_EXIT_UNREG_BPF", "SCX_EXIT_SYSRQ", "SCX_EXIT_ERROR", "SCX_EXIT_ERROR_BPF", "SCX_EXIT_ERROR_STALL",
];

// ---- workloads ----

const eventArb: fc.Arbitrary<EventSpec> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 3000 }).map((us): EventSpec => ({ kind: "run", us })) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2000 }).map((mean): EventSpec => ({ kind: "run", us: { dist: "exp", mean } })) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3000 }).map((us): EventSpec => ({ kind: "sleep", us })) },
  { weight: 1, arbitrary: fc.constant<EventSpec>({ kind: "yield" }) },
  { weight: 1, arbitrary: fc.constantFrom("r0", "r1").map((ref): EventSpec => ({ kind: "suspend", ref })) },
  { weight: 1, arbitrary: fc.constantFrom("r0", "r1").map((ref): EventSpec => ({ kind: "resume", ref })) },
  { weight: 1, arbitrary: fc.constant<EventSpec>({ kind: "fork", task: "kid" }) },
  { weight: 1, arbitrary: fc.constant<EventSpec>({ kind: "exit" }) },
);

/** A closed-loop task; an endless program always spends time (the parser demands it too). */
const taskArb = (i: number, cpus: number): fc.Arbitrary<TaskSpec> => fc.record({
  events: fc.array(eventArb, { minLength: 1, maxLength: 6 }),
  loop: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 5 })),
  nice: fc.integer({ min: -20, max: 19 }),
  cpus: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: cpus - 1 }), { minLength: 1, maxLength: cpus }), { nil: null }),
  ext: fc.integer({ min: 0, max: 3 }),
  instances: fc.integer({ min: 1, max: 2 }),
}).map(({ events, loop, nice, cpus: mask, ext, instances }) => {
  const spends = events.some((e) => e.kind === "run" || e.kind === "sleep");
  const evs = spends ? events : [...events, { kind: "run", us: 500 } as EventSpec];
  return task(`t${i}`, evs, { loop, nice, cpus: mask, instances, policy: ext === 0 ? "SCHED_EXT" : "SCHED_OTHER" });
});

const workloadArb = fc.integer({ min: 1, max: 4 }).chain((cpus) => fc.record({
  cpus: fc.constant(cpus),
  tasks: fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => taskArb(i, cpus)))),
  arrivals: fc.option(fc.record({ rate: fc.integer({ min: 200, max: 3000 }), max: fc.integer({ min: 1, max: 30 }), mean: fc.integer({ min: 50, max: 2000 }) }), { nil: null }),
  kidUs: fc.integer({ min: 1, max: 2000 }),
}));

type Workload = { cpus: number; tasks: TaskSpec[]; arrivals: { rate: number; max: number; mean: number } | null; kidUs: number };

function toPlan(w: Workload): WorkloadPlan {
  const specs: TaskSpec[] = [...w.tasks, task("kid", [{ kind: "run", us: w.kidUs }], { loop: 1, forkOnly: true })];
  if (w.arrivals !== null) {
    specs.push(task("open", [{ kind: "run", us: { dist: "exp", mean: w.arrivals.mean } }], {
      loop: 1, arrivals: { process: "poisson", rate: w.arrivals.rate, max: w.arrivals.max },
    }));
  }
  return plan(specs);
}

// ---- the misbehaving scheduler ----

interface Script {
  /** Decisions, read cyclically; 0 always means "behave". */
  readonly moves: number[];
  readonly flags: number;
  readonly timeoutMs: number;
  readonly maxBatch: number;
  /** Which optional callbacks exist (bit per callback). */
  readonly has: number;
}

const scriptArb: fc.Arbitrary<Script> = fc.record({
  moves: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 7, arbitrary: fc.integer({ min: 0, max: 999 }) }), { minLength: 1, maxLength: 48 }),
  flags: fc.constantFrom(0, 0, SCX_OPS_ENQ_LAST, SCX_OPS_SWITCH_PARTIAL, SCX_OPS_ENQ_LAST | SCX_OPS_SWITCH_PARTIAL),
  timeoutMs: fc.integer({ min: 10, max: 200 }),
  maxBatch: fc.integer({ min: 1, max: 8 }),
  has: fc.integer({ min: 0, max: 0xfff }),
});

/** Thrown by the scheduler if simulated time stops while callbacks keep coming (a livelock). */
class Livelock extends Error {}

/** Builds a scheduler from a script; `cursor` is shared so a re-attached one continues the script. */
function misbehaving(s: Script, scx: Scx, cursor: { i: number; calls: number; lastNow: number; hung: boolean }): SchedExtOps {
  const n = scx.nrCpus();
  const next = (): number => {
    if (scx.now() === cursor.lastNow) {
      // Far beyond the kernel's own storm guard (100 000 reschedules), which ejects the scheduler.
      if (++cursor.calls > 2_000_000) { cursor.hung = true; throw new Livelock(`no progress at ${scx.now()}`); }
    } else { cursor.lastNow = scx.now(); cursor.calls = 0; }
    return s.moves[cursor.i++ % s.moves.length];
  };
  const held: ScxTask[] = [];
  const seen: ScxTask[] = [];
  const remember = (p: ScxTask) => { if (seen.length < 64 && !seen.includes(p)) seen.push(p); };

  /** Rare fatal moves: ~1 % each of throw, scx.error, scx.exit. */
  const fatal = (a: number, where: string) => {
    if (a === 997) throw new Error(`thrown in ${where}`);
    if (a === 998) scx.error(`error in ${where}`);
    if (a === 999) scx.exit(a, `exit in ${where}`);
  };
  const target = (a: number): number => {
    switch (a % 11) {
      case 0: case 1: case 2: return SCX_DSQ_LOCAL;
      case 3: return SCX_DSQ_GLOBAL;
      case 4: return localOn(asCpu(a % n));
      case 5: case 6: return 0; // user FIFO
      case 7: case 8: return 1; // user vtime
      default: return a % 50 === 9 ? [SCX_DSQ_INVALID, 77, -1, localOn(asCpu(n + 3)), 1.5][a % 5] : 0;
    }
  };
  const slice = (a: number): number => [0, MS, 5 * MS, 20 * MS, 3 * MS, SCX_SLICE_INF, 1e12, 100, NaN, -5][a % 10];
  const flags = (a: number): number => [0, 0, 0, SCX_ENQ_HEAD, SCX_ENQ_PREEMPT][a % 5];
  const insert = (p: ScxTask, a: number, f: number) => {
    const dsq = target(a);
    if (dsq === 1 || (a % 97 === 13)) scx.dsqInsertVtime(p, asDsq(dsq), slice(a >> 3), (a * 7919) % 1000, f | flags(a >> 5));
    else scx.dsqInsert(p, asDsq(dsq), slice(a >> 3), f | flags(a >> 5));
  };
  const kick = (a: number) => scx.kickCpu(asCpu(a % n), [0, SCX_KICK_IDLE, SCX_KICK_PREEMPT, SCX_KICK_WAIT, SCX_KICK_PREEMPT | SCX_KICK_WAIT][a % 5]);

  const ops: SchedExtOps & Record<string, unknown> = {
    name: "chaos",
    flags: s.flags,
    timeout_ms: s.timeoutMs,
    dispatch_max_batch: s.maxBatch,
    init() {
      const a = next();
      fatal(a, "init");
      scx.createDsq(asDsq(0), -1);
      if (a % 23 !== 5) scx.createDsq(asDsq(1), -1); // sometimes DSQ 1 never exists
      return a === 996 ? -22 : 0;
    },
    enqueue(p, f) {
      remember(p);
      const a = next();
      fatal(a, "enqueue");
      if (a === 0) { scx.dsqInsert(p, asDsq(0), 5 * MS, f); return; }
      if (a % 7 === 0) { held.push(p); return; } // keep, dispatch later
      if (a % 101 === 1) return; // forget it: only the watchdog can save it now
      if (a % 89 === 2 && seen.length > 1) { insert(seen[a % seen.length], a, f); return; } // maybe the wrong task
      if (a % 13 === 3) kick(a >> 2);
      insert(p, a, f);
    },
    dispatch(cpu, prev) {
      const a = next();
      fatal(a, "dispatch");
      if (a === 0) { if (!scx.dsqMoveToLocal(asDsq(0)) && scx.dsqNrQueued(asDsq(1)) > 0) scx.dsqMoveToLocal(asDsq(1)); return; }
      const rounds = a % 43 === 0 ? s.maxBatch + 1 : 1 + (a % 3);
      for (let r = 0; r < rounds; r++) {
        const b = next();
        switch (b % 8) {
          case 0: scx.dsqMoveToLocal(asDsq(b % 2)); break;
          case 1: case 2: { const p = held.shift(); if (p !== undefined) insert(p, b, 0); break; }
          case 3: if (seen.length > 0) insert(seen[b % seen.length], b, 0); break; // stale or duplicate
          case 4: if (prev !== null) { if (b % 3 === 0) prev.slice = slice(b >> 2); else insert(prev, b, 0); } break;
          case 5: kick(b >> 3); break;
          case 6: if (b % 5 === 0) scx.dispatchCancel(); break;
          default: if (held.length > 0 && b % 3 === 0) { const p = held.shift()!; insert(p, b, 0); insert(p, b >> 1, 0); } break;
        }
      }
      void cpu;
    },
  };
  const optional: [string, (...args: never[]) => unknown][] = [
    ["select_cpu", (p: ScxTask, prev: number, wf: number) => {
      remember(p);
      const a = next();
      fatal(a, "select_cpu");
      let cpu = prev;
      switch (a % 6) {
        case 0: { const r = scx.selectCpuDfl(p, asCpu(prev), wf); cpu = r.cpu; if (r.isIdle) scx.dsqInsert(p, SCX_DSQ_LOCAL, 20 * MS, 0); break; }
        case 1: cpu = a % n; break; // maybe outside the task's affinity
        case 2: { const c = scx.pickIdleCpu(p.cpusAllowed, 0); cpu = c >= 0 ? c : prev; break; }
        case 3: if (a % 61 === 3) cpu = n + (a % 3); break; // an invalid CPU number, rarely
        default: break;
      }
      const b = next();
      if (b % 4 === 1) insert(p, b, 0);
      else if (b % 67 === 2 && seen.length > 1) insert(seen[b % seen.length], b, 0); // wrong task
      return cpu;
    }],
    ["tick", (p: ScxTask) => { const a = next(); fatal(a, "tick"); if (a % 5 === 1) p.slice = slice(a >> 3); if (a % 7 === 2) kick(a >> 2); }],
    ["running", (p: ScxTask) => { const a = next(); fatal(a, "running"); if (a % 11 === 1) p.slice = slice(a >> 2); }],
    ["stopping", (p: ScxTask) => { const a = next(); fatal(a, "stopping"); p.dsqVtime += a; }],
    ["runnable", (p: ScxTask) => { remember(p); fatal(next(), "runnable"); }],
    ["quiescent", () => { fatal(next(), "quiescent"); }],
    ["init_task", () => { const a = next(); fatal(a, "init_task"); return a === 995 ? -12 : 0; }],
    ["enable", (p: ScxTask) => { remember(p); fatal(next(), "enable"); }],
    ["disable", () => { /* nothing to free */ }],
    ["yield", () => next() % 2 === 0],
    ["update_idle", (cpu: number) => { const a = next(); if (a % 17 === 3) kick(cpu + a); }],
    ["exit_task", () => { /* nothing */ }],
  ];
  optional.forEach(([name, fn], bit) => { if (s.has & (1 << bit)) ops[name] = fn; });
  return ops;
}

// ---- user space ----

/** At step boundaries: 0 nothing, 1 sysrq, 2 detach, 3 crash the loader, 4 close the link, 5 (re-)attach. */
const controlArb = fc.array(fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 16 });
const stepsArb = fc.array(fc.integer({ min: 10_000, max: 4 * MS }), { minLength: 10, maxLength: 40 });

interface Case { w: Workload; s: Script; steps: number[]; control: number[]; seed: number }
const caseArb: fc.Arbitrary<Case> = fc.record({ w: workloadArb, s: scriptArb, steps: stepsArb, control: controlArb, seed: fc.integer({ min: 1, max: 1000 }) });

/** Runs a case, calling `check` after every step; returns the machine. */
function runCase(c: Case, check: (m: Machine, where: string) => void): Machine {
  const m = machine(toPlan(c.w), { cpus: c.w.cpus, seed: c.seed, durationNs: 1e9 });
  const cursor = { i: 0, calls: 0, lastNow: -1, hung: false };
  let cur: Loaded | null = load(m, (scx) => misbehaving(c.s, scx, cursor));
  check(m, "attach");
  c.steps.forEach((dt, i) => {
    const ctl = c.control[i % c.control.length];
    if (cur !== null && cur.link < 0) cur = null; // link create failed (-EBUSY while another is on)
    if (ctl === 1) m.scx.sysrq();
    else if (ctl === 2 && cur !== null) cur.proc.bpf.linkDetach(cur.link);
    else if (ctl === 3 && cur !== null) { cur.proc.crash("SIGKILL"); cur = null; }
    else if (ctl === 4 && cur !== null) { cur.proc.close(cur.link); cur.proc.exit(0); cur = null; }
    else if (ctl === 5) {
      if (cur !== null) { cur.proc.exit(0); cur = null; }
      cur = load(m, (scx) => misbehaving(c.s, scx, cursor));
    }
    check(m, `control ${ctl} before step ${i}`);
    m.runFor(dt);
    expect(cursor.hung, "simulated time stopped advancing").toBe(false);
    check(m, `step ${i} (t=${m.kernel.now})`);
  });
  return m;
}

function checkAll(m: Machine, where: string): void {
  const v = placeViolations(m);
  if (v.length > 0) throw new Error(`${where}: ${v.join("; ")}`);
  const inv = m.invariants();
  if (inv.lost !== 0) throw new Error(`${where}: invariants ${JSON.stringify(inv)}`);
  const ei = m.scx.exitInfo;
  if (ei !== null) {
    if (!VALID_EXITS.includes(ei.kind)) throw new Error(`${where}: exit kind ${ei.kind}`);
    if (ei.reason !== EXIT_REASON[ei.kind]) throw new Error(`${where}: reason ${ei.reason} for ${ei.kind}`);
    // While a scheduler runs, the exit shown is an earlier scheduler's (kept, as sysfs does).
    if (m.scx.state !== "disabled" && m.kernel.ext.exitInfo !== null && !m.kernel.ext.aborting) throw new Error(`${where}: the running scheduler has an exit`);
  }
  const k = m.kernel;
  for (let c = 0; c < k.topo.nrCpus; c++) {
    const t = k.currOf(c);
    if (t !== null && t.cpusAllowed !== null && t.cpusAllowed[c] !== 1) throw new Error(`${where}: ${t.comm} runs on cpu${c} outside its affinity`);
    for (let i = 0; i < k.ext.dsqs.local[c].fifo.n; i++) {
      const q = k.ext.dsqs.local[c].fifo, u = k.tasks[q.slotAt(i)];
      if (u.dsqStamp === q.stampAt(i) && u.cpusAllowed !== null && u.cpusAllowed[c] !== 1) throw new Error(`${where}: ${u.comm} queued on cpu${c}'s local DSQ outside its affinity`);
    }
  }
}

/** A RunResult without its wall-clock field. */
function comparable(r: RunResult): Omit<RunResult, "wallMs"> {
  const { wallMs: _w, ...rest } = r;
  return rest;
}

/** A task of the ext class, for the shrunk counterexamples below. */
const extTask = (name: string, events: EventSpec[], over: Partial<TaskSpec>) => task(name, events, { policy: "SCHED_EXT", ...over });

describe("nothing is lost under a misbehaving scheduler", () => {
  it("after every step: each live task in exactly one place, valid exits, no ext task once disabled", () => {
    fc.assert(fc.property(caseArb, (c) => { runCase(c, checkAll); }), { numRuns: 2500 });
  });

  it("regression: a task woken again at the instant it blocked may block again (not 'waking each other endlessly')", () => {
    // Shrunk counterexample on one CPU: both t0 reach their suspend at 3 µs, a t1 resumes them,
    // and they finish; four tasks leave the CPU six times at that instant, all legally.
    const c: Case = {
      w: {
        cpus: 1, arrivals: null, kidUs: 1,
        tasks: [
          extTask("t0", [{ kind: "sleep", us: 2 }, { kind: "suspend", ref: "r0" }], { loop: 1, instances: 2 }),
          extTask("t1", [{ kind: "resume", ref: "r0" }, { kind: "sleep", us: 1 }, { kind: "run", us: 1 }, { kind: "sleep", us: 1 }], { loop: -1, instances: 2 }),
        ],
      },
      s: { moves: [0], flags: 0, timeoutMs: 10, maxBatch: 1, has: 0 },
      steps: Array.from({ length: 10 }, () => 10_000), control: [1], seed: 1,
    };
    runCase(c, checkAll);
  });

  it("regression: a reschedule is never dropped (a CPU listed twice overflowed the list and stalled for good)", () => {
    // Shrunk counterexample: ENQ_LAST, a task that yields, forks and suspends at once, an exit at
    // 1 µs; the CPU running t1-1 lost its reschedule and kept running it in the ext class.
    const c: Case = {
      w: {
        cpus: 4, arrivals: null, kidUs: 1,
        tasks: [
          extTask("t0", [{ kind: "run", us: 1 }, { kind: "sleep", us: 1 }], { loop: 1 }),
          extTask("t1", [{ kind: "run", us: 1 }, { kind: "yield" }, { kind: "fork", task: "kid" }, { kind: "suspend", ref: "r0" }, { kind: "run", us: 1 }], { loop: 1, instances: 2, cpus: [2, 1, 0] }),
          extTask("t2", [{ kind: "exit" }, { kind: "run", us: 500 }], { loop: -1 }),
        ],
      },
      s: { moves: [191], flags: SCX_OPS_ENQ_LAST, timeoutMs: 10, maxBatch: 1, has: 0 },
      steps: Array.from({ length: 10 }, () => 10_000), control: [0], seed: 1,
    };
    runCase(c, checkAll);
  });

  it("the same plan, script and seed give deep-equal RunResults", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const a = runCase(c, () => {}).result(0);
      const b = runCase(c, () => {}).result(0);
      expect(comparable(b)).toEqual(comparable(a));
    }), { numRuns: 100 });
  });
});
