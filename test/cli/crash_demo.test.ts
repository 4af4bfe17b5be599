/**
 * The crash demo, in process: every fault gives the kernel's exit kind at the right simulated
 * time, loses no task, leaves every task on fair, and the run goes on; the link update attempt
 * gets -EOPNOTSUPP; kernel-initiated exits leave the link attached until the loader drops it;
 * a new loader can attach a scheduler through a new link afterwards.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runCrashDemo, type CrashDemoOptions, type CrashDemoOutcome } from "../../cli/crash/demo.js";
import { FAULT_INFO, FAULTS, type Fault } from "../../cli/crash/faults.js";
import { formatStoryLine } from "../../cli/crash/story.js";
import { formatDemo } from "../../cli/crash/format.js";
import type { Job } from "../../cli/job.js";
import { EOPNOTSUPP } from "../../sim/bpf/index.js";
import { SCHEDULERS } from "../../schedulers/index.js";
import type { RunResult } from "../../sim/result.js";

const MS = 1e6;
const T = 200 * MS;
const END = 600 * MS;
const POLL = 100 * MS; // the loaders look at their exit info at 0.05 s, 0.15 s, 0.25 s, ...

function job(scheduler = "simple", over: Partial<Job> = {}): Job {
  return {
    scheduler, options: {}, workload: "mixed", params: {}, topology: "4", cpus: 4, seed: 1,
    durationNs: END, overheads: true, ...over,
  };
}

function demo(fault: Fault, over: Partial<CrashDemoOptions> = {}, scheduler = "simple"): CrashDemoOutcome {
  return runCrashDemo({ job: job(scheduler), fault, faultAtNs: T, pollNs: POLL, ...over });
}

/** Live tasks by class (0 fair, 1 ext), from the machine itself. */
function classes(o: CrashDemoOutcome): { fair: number; ext: number } {
  let fair = 0, ext = 0;
  for (const t of o.machine.kernel.tasks) {
    if (t.place === 5 /* Dead */ || t.place === 6 /* Free */) continue;
    if (t.cls === 1) ext++;
    else fair++;
  }
  return { fair, ext };
}

function window(o: CrashDemoOutcome, prefix: string): RunResult {
  const w = o.windows.find((x) => x.job.scheduler.startsWith(prefix));
  if (!w) throw new Error(`no window "${prefix}" in ${o.windows.map((x) => x.job.scheduler).join(", ")}`);
  return w;
}

function lines(o: CrashDemoOutcome): string[] {
  return o.story.map(formatStoryLine);
}

const KERNEL_INITIATED = new Set<Fault>(["error", "throw", "stall", "bad-dsq", "sysrq"]);

describe.each(FAULTS)("--fault %s", (fault) => {
  let o: CrashDemoOutcome;
  let e: NonNullable<CrashDemoOutcome["exit"]>;
  beforeAll(() => {
    o = demo(fault);
    e = o.exit!;
  });

  it(`ends the scheduler with ${FAULT_INFO[fault].kind}`, () => {
    expect(e).not.toBeNull();
    expect(e.kind).toBe(FAULT_INFO[fault].kind);
    expect(o.result.scx.exit).toEqual(e);
    expect(o.machine.scx.exitInfo).toEqual(e);
    expect(o.machine.scx.current).toBeNull();
    const disabled = lines(o).find((l) => l.includes('sched_ext: BPF scheduler "simple" disabled'));
    expect(disabled).toContain(`(${e.reason}`);
    expect(disabled!.startsWith(`[${(e.atNs / 1e9).toFixed(6).padStart(12)}]`)).toBe(true);
  });

  it("at the right simulated time", () => {
    expect(e).not.toBeNull();
    if (fault === "stall") {
      // The watchdog fires at its first check after a task waited timeout_ms: within one check interval.
      const began = o.stallBeganNs!, timeout = o.timeoutMs! * MS;
      expect(o.timeoutMs).toBe(100);
      expect(began).toBeLessThanOrEqual(T + MS);
      expect(e.atNs).toBeGreaterThan(began + timeout);
      expect(e.atNs).toBeLessThanOrEqual(began + timeout + timeout / 2 + 1);
      expect(o.injector.parked).toBeGreaterThan(0);
    } else if (fault === "error" || fault === "throw" || fault === "bad-dsq") {
      // The scheduler's first callback after the fault is armed misbehaves; the exit is claimed right there.
      expect(o.injector.armedAtNs).toBe(T);
      expect(e.atNs).toBe(o.injector.firedAtNs);
      expect(e.atNs).toBeGreaterThanOrEqual(T);
      expect(e.atNs).toBeLessThan(T + 5 * MS);
      if (fault === "bad-dsq") expect(e.msg).toMatch(/^non-existent DSQ 0x5ca1ab1e for /);
      if (fault === "throw") expect(e.msg).toMatch(/^\w+: injected fault: /);
      if (fault === "error") expect(e.msg).toMatch(/^injected fault: \w+: /);
    } else {
      expect(e.atNs).toBe(T);
    }
  });

  it("loses no task, at the exit and at the end", () => {
    for (const inv of [o.atExit!.invariants, o.result.invariants, ...o.windows.map((w) => w.invariants)]) {
      expect(inv.lost).toBe(0);
      expect(inv.created).toBe(inv.alive + inv.exited);
    }
    expect(o.machine.invariants().lost).toBe(0);
  });

  it("leaves every task on fair", () => {
    expect(o.atExit!.extTasks).toBe(0);
    expect(o.atExit!.fairTasks).toBeGreaterThan(0);
    expect(classes(o).ext).toBe(0);
    const tl = o.result.timeline!;
    for (let i = 0; i < tl.cls.length; i++) if (tl.startNs[i]! >= e.atNs) expect(tl.cls[i]).toBe(0);
    expect(o.result.scx.timeline.map((s) => s.to)).toEqual(["simple", "fair"]);
    expect(o.result.scx.timeline[1]!.atNs).toBe(e.atNs);
  });

  it("keeps working after the fault", () => {
    const before = window(o, "before"), after = window(o, "after (fair)");
    expect(before.simNs).toBe(T);
    expect(after.simNs).toBeGreaterThan(200 * MS);
    expect(after.totals.requests).toBeGreaterThan(0);
    expect(after.totals.completed).toBeGreaterThan(0);
    expect(Object.values(after.groups).reduce((s, g) => s + g.cpuNs, 0)).toBeGreaterThan(0.5 * after.simNs);
    // The windows add up to the whole run.
    const sum = (f: (r: RunResult) => number) => o.windows.reduce((s, w) => s + f(w), 0);
    expect(sum((w) => w.simNs)).toBe(END);
    expect(sum((w) => w.totals.requests)).toBe(o.result.totals.requests);
    expect(sum((w) => w.totals.completed)).toBe(o.result.totals.completed);
    expect(sum((w) => w.totals.contextSwitches.voluntary)).toBe(o.result.totals.contextSwitches.voluntary);
    expect(sum((w) => w.totals.wakeupLatencyNs.count)).toBe(o.result.totals.wakeupLatencyNs.count);
    expect(sum((w) => w.cpus[0]!.busyNs)).toBeCloseTo(o.result.cpus[0]!.busyNs, -1);
  });

  it("the loader's link update got -EOPNOTSUPP", () => {
    expect(o.linkUpdate).toBe(-EOPNOTSUPP);
    expect(o.linkUpdateAtNs).toBe(T / 2);
    expect(lines(o)).toContainEqual(expect.stringMatching(/bpf\(BPF_LINK_UPDATE, .*\) = -1 EOPNOTSUPP \(Operation not supported\)$/));
    expect(lines(o)).toContainEqual(expect.stringMatching(/libbpf: .*bpf_link__update_map .*failed: Operation not supported \(-95\)$/));
  });

  it(KERNEL_INITIATED.has(fault) ? "the link stays attached until the loader releases it" : "user space released the link at the fault", () => {
    if (KERNEL_INITIATED.has(fault)) {
      expect(o.atExit!.linkAttached).toBe(true);
      // The loader sees the exit at its next poll, then destroys the link and exits.
      expect(o.linkReleasedNs).toBeGreaterThan(e.atNs);
      expect(o.linkReleasedNs).toBeLessThanOrEqual(e.atNs + POLL);
      expect(lines(o)).toContainEqual(expect.stringContaining(`# link ${o.linkId} is still attached`));
      expect(lines(o)).toContainEqual(expect.stringContaining(`EXIT: ${e.reason}`));
    } else {
      expect(o.linkReleasedNs).toBe(T);
    }
    expect(o.loader.alive).toBe(false);
    expect(o.loader.exitStatus).toEqual(fault === "crash" ? { signal: "SIGSEGV" } : { code: 0 });
    expect(o.machine.bpf.listLinks()).toEqual([]);
  });
});

describe("--reattach", () => {
  it("after SysRq-S, a new loader attaches through a new link while the dead link is still open", () => {
    const o = demo("sysrq", { reattach: { scheduler: "simple", options: {}, atNs: T + 20 * MS } });
    const r = o.reattach!;
    expect(r.attachedAtNs).toBe(T + 20 * MS);
    expect(r.attempts).toBe(1);
    expect(r.linkId).not.toBe(o.linkId);
    expect(r.extTasks).toBeGreaterThan(0);
    // The old loader closed its stale link afterwards: that unreg left the new scheduler alone.
    expect(o.linkReleasedNs).toBe(250 * MS);
    expect(o.machine.scx.current).toBe("simple");
    // The evicted instance's exit stays on record after the new attach (issue 15.8).
    expect(o.machine.scx.exitInfo?.kind).toBe("SCX_EXIT_SYSRQ");
    expect(o.machine.scx.enableSeq).toBe(2);
    expect(o.result.scx.exit).toBeNull();
    expect(r.injector.uei).toBeNull();
    expect(classes(o)).toEqual({ fair: 0, ext: o.result.invariants.alive });
    expect(o.result.scx.timeline.map((s) => s.to)).toEqual(["simple", "fair", "simple"]);
    expect(o.machine.bpf.listLinks().map((l) => l.id)).toEqual([r.linkId]);
    expect(o.windows.map((w) => w.job.scheduler)).toEqual(["before (simple)", "after (fair)", "reattached (simple)"]);
    const re = window(o, "reattached");
    expect(re.totals.requests).toBeGreaterThan(0);
    expect(re.scx.scheduler).toBe("simple");
    // The eviction still shows in the report's exit table: it goes with the window it ended.
    expect(o.windows[0]!.scx.exit?.kind).toBe("SCX_EXIT_SYSRQ");
    expect(o.result.invariants.lost).toBe(0);
  });

  it("after a crash, another scheduler attaches", () => {
    const other = SCHEDULERS.find((s) => s.name !== "simple")?.name ?? "simple";
    const o = demo("crash", { reattach: { scheduler: other, options: {}, atNs: 400 * MS } });
    expect(o.exit!.kind).toBe("SCX_EXIT_UNREG");
    expect(o.reattach!.attachedAtNs).toBe(400 * MS);
    expect(o.machine.scx.current).toBe(other);
    expect(o.machine.scx.exitInfo?.kind).toBe("SCX_EXIT_UNREG");
    expect(o.result.scx.scheduler).toBe(other);
    expect(classes(o).fair).toBe(0);
    expect(o.result.invariants.lost).toBe(0);
  });

  it("while a stalled scheduler is still enabled the new link gets -EBUSY; it attaches after the watchdog", () => {
    const o = demo("stall", { reattach: { scheduler: "simple", options: {}, atNs: T + 10 * MS } });
    const r = o.reattach!;
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.attachedAtNs).toBeGreaterThan(o.exit!.atNs);
    expect(lines(o)).toContainEqual(expect.stringMatching(/failed to attach struct_ops "simple": Device or resource busy \(-16\)/));
    expect(o.machine.scx.current).toBe("simple");
    expect(o.result.invariants.lost).toBe(0);
    expect(o.windows.map((w) => w.job.scheduler)).toEqual(["before (simple)", "stalled (simple)", "after (fair)", "reattached (simple)"]);
  });
});

describe("the fault injector wraps any registered scheduler", () => {
  for (const s of SCHEDULERS) {
    it.each(["error", "stall"] as const)(`${s.name}: %s`, (fault) => {
      const o = runCrashDemo({ job: job(s.name, { durationNs: 800 * MS }), fault, faultAtNs: T, pollNs: POLL });
      expect(o.exit?.kind).toBe(FAULT_INFO[fault].kind);
      expect(o.result.invariants.lost).toBe(0);
      expect(classes(o).ext).toBe(0);
      expect(window(o, "after (fair)").totals.requests).toBeGreaterThan(0);
    });
  }
});

describe("edge cases", () => {
  it("bad-dsq fires from select_cpu when every wakeup finds an idle CPU (ops.enqueue never runs)", () => {
    const o = runCrashDemo({ job: job("simple", { topology: "16", cpus: 16 }), fault: "bad-dsq", faultAtNs: T, pollNs: POLL });
    expect(o.injector.firedIn).toBe("select_cpu");
    expect(o.exit).toMatchObject({ kind: "SCX_EXIT_ERROR", atNs: o.injector.firedAtNs });
    expect(o.exit!.msg).toMatch(/^non-existent DSQ 0x5ca1ab1e for /);
    expect(o.result.invariants.lost).toBe(0);
  });

  it("a scheduler that fails on its own before the fault: windows split at its exit, nothing breaks", () => {
    const o = demo("stall", { timeoutMs: 1 });
    expect(o.exit!.kind).toBe("SCX_EXIT_ERROR_STALL");
    expect(o.exit!.atNs).toBeLessThan(T);
    expect(o.linkUpdate).toBeNull();
    expect(o.windowStartsNs).toEqual([0, o.exit!.atNs]);
    expect(o.result.invariants.lost).toBe(0);
    expect(formatDemo(o)).toContain("before the fault: the scheduler failed on its own");
  });

  it("--crash-at 0: the update attempt and the crash come right after the attach", () => {
    const o = demo("crash", { faultAtNs: 0 });
    expect(o.linkUpdate).toBe(-EOPNOTSUPP);
    expect(o.exit!.atNs).toBe(0);
    expect(o.windows.map((w) => w.job.scheduler)).toEqual(["after (fair)"]);
  });
});

describe("the demo", () => {
  it("is deterministic", () => {
    const a = demo("stall"), b = demo("stall");
    expect(lines(a)).toEqual(lines(b));
    expect({ ...a.result, wallMs: 0 }).toEqual({ ...b.result, wallMs: 0 });
  });

  it("prints the steps in simulated time, the exit info and the invariant check", () => {
    const text = formatDemo(demo("crash"));
    expect(text).toContain('[    0.000000] sched_ext: BPF scheduler "simple" enabled');
    expect(text).toContain("[    0.200000] scx_simple[100]: segfault");
    expect(text).toContain('[    0.200000] sched_ext: BPF scheduler "simple" disabled (unregistered from user space)');
    expect(text).toMatch(/exit info: kind SCX_EXIT_UNREG \(64\), reason "unregistered from user space", at 0\.200000 s/);
    expect(text).toMatch(/before \(simple\) +0\.000–0\.200/);
    expect(text).toMatch(/after \(fair\) +0\.200–0\.600/);
    expect(text).toMatch(/tasks created \d+ = alive \d+ \+ exited \d+ · lost 0 \(ok\)/);
  });

  it("measures from the end of a warm-up", () => {
    const o = runCrashDemo({ job: job("simple", { warmupNs: 100 * MS }), fault: "crash", faultAtNs: T, pollNs: POLL });
    expect(o.windowStartsNs).toEqual([100 * MS, T]);
    expect(window(o, "before").simNs).toBe(100 * MS);
    expect(o.windows.reduce((s, w) => s + w.totals.requests, 0)).toBe(o.result.totals.requests);
  });
});
