/**
 * `scxlab crash-demo` as a user runs it (the built CLI in dist/): the story on stdout, the two
 * files in --out, and bad flags as one line on stderr with exit code 2.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crashDemoFromFlags } from "../../cli/commands/crash_demo.js";
import { defaultDemoScheduler } from "../../cli/crash/demo.js";
import { CliError } from "../../cli/errors.js";
import { SCHEDULERS } from "../../schedulers/index.js";
import { scxlab } from "../helpers/cli.js";

describe("scxlab crash-demo", () => {
  it("tells the story and writes report.html and result.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-crash-"));
    const r = scxlab("crash-demo", "-s", "simple", "--duration", "1", "--crash-at", "0.4", "--out", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain('[    0.000000] sched_ext: BPF scheduler "simple" enabled');
    expect(r.out).toMatch(/\[ {4}0\.200000\] scx_simple\[\d+\]: bpf\(BPF_LINK_UPDATE, .*\) = -1 EOPNOTSUPP \(Operation not supported\)/);
    expect(r.out).toMatch(/\[ {4}0\.400000\] scx_simple\[\d+\]: segfault .*SIGSEGV/);
    expect(r.out).toContain('[    0.400000] sched_ext: BPF scheduler "simple" disabled (unregistered from user space)');
    expect(r.out).toMatch(/exit info: kind SCX_EXIT_UNREG \(64\)/);
    expect(r.out).toMatch(/lost 0 \(ok\)/);
    expect(r.out).toContain(`report: ${join(dir, "report.html")}`);
    expect(existsSync(join(dir, "report.html"))).toBe(true);
    const j = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    expect(j.schema).toBe("scxlab.run/1");
    expect(j.job).toMatchObject({ scheduler: "simple", durationNs: 1e9, crashAtNs: 4e8 });
    expect(j.scx.exit).toMatchObject({ kind: "SCX_EXIT_UNREG", atNs: 4e8 });
    expect(j.invariants.lost).toBe(0);
    expect(j.timeline).toBeUndefined();
    expect(j.crashDemo.linkUpdate).toMatchObject({ result: -95, errno: "EOPNOTSUPP" });
    expect(j.crashDemo.windows.map((w: { job: { scheduler: string } }) => w.job.scheduler)).toEqual(["before (simple)", "after (fair)"]);
    // The demo has no --seeds: its report must not tell the reader to run more of them (issue 14.14).
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html).not.toContain("Run more seeds");
    expect(html).toContain("one window of this single run");
  });

  it("--fault stall --reattach: the watchdog fires, a new loader attaches", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-crash-"));
    const r = scxlab("crash-demo", "-s", "simple", "--fault", "stall", "--reattach", "--duration", "1", "--crash-at", "0.2", "--out", dir, "--quiet");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/exit info: kind SCX_EXIT_ERROR_STALL \(1026\), reason "runnable task stall"/);
    expect(r.out).toMatch(/reattach: "simple" enabled at 0\.600000 s through a new link 2 .*at the end: simple enabled, last exit on record SCX_EXIT_ERROR_STALL \(the evicted instance's\)/);
    const j = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    expect(j.scx.exit).toBeNull();
    expect(j.scx.timeline.map((s: { to: string }) => s.to)).toEqual(["simple", "fair", "simple"]);
  });

  const bad: [string, string[], RegExp][] = [
    ["an unknown fault", ["--fault", "boom"], /^scxlab: --fault boom: expected one of crash, exit, detach, error, throw, stall, bad-dsq, sysrq$/],
    ["--crash-at beyond --duration", ["--crash-at", "9", "--duration", "5"], /^scxlab: --crash-at 9: expected a time within the run/],
    ["--crash-at at the very end", ["--crash-at", "5", "--duration", "5"], /^scxlab: --crash-at 5: expected a time before the end of the run/],
    ["-s fair", ["-s", "fair"], /^scxlab: -s fair: crash-demo needs a sched_ext scheduler/],
    ["an unknown scheduler", ["-s", "nosuch"], /^scxlab: unknown scheduler "nosuch"/],
    ["--reattach of an unknown scheduler", ["--reattach", "nosuch"], /^scxlab: unknown scheduler "nosuch"/],
    ["--reattach-at before the fault", ["--reattach", "--reattach-at", "1"], /^scxlab: --reattach-at 1: expected a time after the fault/],
    ["--reattach-at alone", ["--reattach-at", "3"], /^scxlab: --reattach-at: only with --reattach$/],
    ["--timeout-ms 0", ["--timeout-ms", "0"], /^scxlab: --timeout-ms: expected an integer from 1 to 30000/],
    ["--warmup past the fault", ["--warmup", "3"], /^scxlab: --warmup: expected it to end before the fault/],
    ["a stall too close to the end", ["--fault", "stall", "--crash-at", "4.9"], /^scxlab: --fault stall: the watchdog \(timeout_ms=100\) needs 0.15 s after the fault/],
  ];
  it.each(bad)("%s: one line on stderr, exit code 2", (_what, args, msg) => {
    const r = scxlab("crash-demo", ...args, "--out", join(tmpdir(), "scxlab-never-written"));
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    expect(r.err.trimEnd()).toMatch(msg);
  });
});

describe("crash-demo flags", () => {
  it("defaults: the default scheduler, a crash at 2 s of 5, out/crash, no reattach", () => {
    const { options, out } = crashDemoFromFlags({});
    expect(defaultDemoScheduler()).toBe(SCHEDULERS.some((s) => s.name === "bpfland") ? "bpfland" : "simple");
    expect(options.job.scheduler).toBe(defaultDemoScheduler());
    expect(options).toMatchObject({ fault: "crash", faultAtNs: 2e9, timeoutMs: null, reattach: null });
    expect(options.job.durationNs).toBe(5e9);
    expect(out).toBe("out/crash");
  });

  it("a short run moves the default fault earlier; --reattach defaults to the same scheduler halfway to the end", () => {
    const { options } = crashDemoFromFlags({ s: "simple", o: "fifo=true", duration: "1", reattach: "" });
    expect(options.faultAtNs).toBe(4e8);
    expect(options.reattach).toEqual({ scheduler: "simple", options: { fifo: "true" }, atNs: 7e8 });
  });

  it("--reattach takes inline options", () => {
    const { options } = crashDemoFromFlags({ s: "simple", reattach: "simple:slice_us=500", "reattach-at": "4" });
    expect(options.reattach).toEqual({ scheduler: "simple", options: { slice_us: "500" }, atNs: 4e9 });
  });

  it("rejects a bad --fault before anything runs", () => {
    expect(() => crashDemoFromFlags({ fault: "segv" })).toThrow(CliError);
  });
});
