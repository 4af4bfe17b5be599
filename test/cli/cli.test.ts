import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN, scxlab } from "../helpers/cli.js";

describe("scxlab CLI", () => {
  it("run --json - prints a RunResult with the design's fields", () => {
    const r = scxlab("run", "-s", "simple", "-w", "mixed", "--cpus", "4", "--duration", "1", "--seed", "1", "--json", "-");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.schema).toBe("scxlab.run/1");
    expect(j.job).toMatchObject({ scheduler: "simple", workload: "mixed", cpus: 4, seed: 1, durationNs: 1e9, overheads: true });
    for (const k of ["simNs", "events", "wallMs", "groups", "tasks", "cpus", "totals", "scx", "invariants"]) expect(j).toHaveProperty(k);
    expect(j.invariants.lost).toBe(0);
    expect(j.invariants.created).toBe(j.invariants.alive + j.invariants.exited);
    expect(j.groups.server.completed).toBeGreaterThan(0);
    expect(j.scx.timeline[0]).toMatchObject({ from: "fair", to: "simple", reason: "link created" });
  });

  it("--hz 1000 is recorded in the job and makes short slices end four times as often as at 250", () => {
    const switches = (...hz: string[]) => {
      const r = scxlab("run", "-s", "rr", "-o", "slice_us=500", "-w", "hogs", "-p", "n=2", "--cpus", "1", "--duration", "1", ...hz, "--json", "-");
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { job: { hz?: number }; totals: { contextSwitches: { involuntary: number } } };
    };
    const fast = switches("--hz", "1000"), dflt = switches();
    expect(fast.job.hz).toBe(1000);
    expect(dflt.job.hz).toBeUndefined();
    expect(fast.totals.contextSwitches.involuntary).toBe(4 * dflt.totals.contextSwitches.involuntary);
  });

  it("the same seed gives byte-identical JSON apart from wall time", () => {
    const a = scxlab("run", "-s", "simple", "--duration", "1", "--seed", "7", "--json", "-");
    const b = scxlab("run", "-s", "simple", "--duration", "1", "--seed", "7", "--json", "-");
    const strip = (s: string) => s.replace(/"wallMs": \d+/, "");
    expect(strip(a.out)).toBe(strip(b.out));
    const c = scxlab("run", "-s", "simple", "--duration", "1", "--seed", "8", "--json", "-");
    expect(strip(c.out)).not.toBe(strip(a.out));
  });

  it("-s fair (and no -s) runs the default class alone", () => {
    const j = JSON.parse(scxlab("run", "--duration", "0.5", "--json", "-").out);
    expect(j.job.scheduler).toBe("fair");
    expect(j.scx.scheduler).toBeNull();
    expect(j.scx.timeline).toEqual([]);
  });

  it("--crash-at ejects the scheduler: SCX_EXIT_UNREG, tasks back on fair, none lost", () => {
    const j = JSON.parse(scxlab("run", "-s", "simple", "--duration", "2", "--crash-at", "1", "--json", "-").out);
    expect(j.scx.exit).toMatchObject({ kind: "SCX_EXIT_UNREG", reason: "unregistered from user space", atNs: 1e9 });
    expect(j.scx.timeline.map((s: { to: string }) => s.to)).toEqual(["simple", "fair"]);
    expect(j.invariants.lost).toBe(0);
  });

  it("without --json it prints a readable summary", () => {
    const r = scxlab("run", "-s", "simple", "--duration", "0.5");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/scheduler simple · workload mixed · 4 CPUs/);
    expect(r.out).toMatch(/lost 0/);
  });

  it("list shows schedulers with options, workloads with parameters, topologies", () => {
    const r = scxlab("list");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/simple\s+global weighted vtime/);
    expect(r.out).toMatch(/fifo=false/);
    expect(r.out).toMatch(/mixed\s/);
    expect(r.out).toMatch(/2s-2llc-8c-smt/);
  });

  it.each([
    [["run", "-s", "nope"], /^scxlab: unknown scheduler "nope" \(schedulers: fair, simple/],
    [["run", "-s", "simple", "-o", "fifo=maybe"], /^scxlab: scheduler simple: option fifo: expected true or false, got "maybe"/],
    [["run", "-s", "simple", "-o", "nokey"], /^scxlab: -o nokey: expected key=value/],
    [["run", "-w", "nowhere.json"], /^scxlab: nowhere\.json: .*expected a readable workload file/],
    [["run", "-p", "rate=-3"], /^scxlab: mixed: params\.rate: expected a number/],
    [["run", "--cpus", "0"], /^scxlab: --cpus: expected an integer from 1 to 4096, got "0"/],
    [["run", "--duration", "abc"], /^scxlab: --duration: expected seconds > 0/],
    [["run", "--duration", "1e-12"], /^scxlab: --duration: expected at least 1 ns \(1e-9 s\), got "1e-12"$/m],
    [["compare", "--duration", "4e-10"], /^scxlab: --duration: expected at least 1 ns \(1e-9 s\), got "4e-10"$/m],
    [["run", "--overheads", "maybe"], /^scxlab: --overheads: expected on or off, got "maybe"/],
    [["run", "--hz", "200"], /^scxlab: --hz 200: expected one of 100, 250, 300, 1000 \(CONFIG_HZ\)/],
    [["run", "--hz", "fast"], /^scxlab: --hz fast: expected one of 100, 250, 300, 1000/],
    [["run", "--topology", "weird"], /^scxlab: unknown topology "weird"/],
    [["run", "--crash-at", "9", "--duration", "1"], /^scxlab: --crash-at 9: expected a time within the run/],
    [["run", "--bogus"], /^scxlab: Unknown argument: bogus/],
    [["frobnicate"], /^scxlab: Unknown argument: frobnicate/],
    [["compare", "-s", "simple,nope"], /^scxlab: unknown scheduler "nope"/],
    [["compare", "--seeds", "0"], /^scxlab: --seeds: expected an integer/],
  ])("bad input %j: one line on stderr, exit code 2, nothing on stdout", (args, pattern) => {
    const r = scxlab(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(pattern as RegExp);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).not.toMatch(/\bat .*\.js:\d+/);
    expect(r.out).toBe("");
  });

  it("a bad workload file names the file and the JSON path", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-"));
    const f = join(dir, "web.json");
    writeFileSync(f, JSON.stringify({ tasks: { web: { phases: { p1: { run: "x" } } } } }));
    const r = scxlab("run", "-w", f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: tasks.web.phases.p1.run: expected`);
    expect(r.err).toContain('got "x"');
  });

  it("--json to a file writes it whole and nothing on error", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-"));
    const f = join(dir, "r.json");
    expect(scxlab("run", "--duration", "0.2", "--json", f, "--quiet").code).toBe(0);
    expect(JSON.parse(readFileSync(f, "utf8")).schema).toBe("scxlab.run/1");
    const g = join(dir, "bad.json");
    expect(scxlab("run", "-s", "nope", "--json", g).code).toBe(2);
    expect(existsSync(g)).toBe(false);
  });

  it("compare writes report.html, results.json and results.csv and prints a summary", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-"));
    const r = scxlab("compare", "-s", "fair,simple:fifo=true", "-w", "mixed", "--seeds", "2", "--duration", "0.5", "--workers", "1", "--out", dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/workload: mixed/);
    expect(r.out).toMatch(/simple:fifo=true/);
    expect(readdirSync(dir).sort()).toEqual(["report.html", "results.csv", "results.json"]);
    const res = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(res.runs).toHaveLength(4);
    // A row per run and one per task group of each run (mixed has four groups).
    const csv = readFileSync(join(dir, "results.csv"), "utf8").trim().split(/\r?\n/);
    const group = csv[0]!.split(",").indexOf("group");
    expect(csv.slice(1).filter((l) => l.split(",")[group] === "")).toHaveLength(4);
    expect(csv).toHaveLength(1 + 4 * (1 + Object.keys(res.runs[0].groups).length));
  });
});

describe("scxlab compare and Ctrl-C", () => {
  it("SIGINT during a sweep stops it cleanly: exit 130, nothing written", async () => {
    const { spawn } = await import("node:child_process");
    const dir = mkdtempSync(join(tmpdir(), "scxlab-"));
    const out = join(dir, "cmp");
    const child = spawn(process.execPath, [MAIN, "compare", "-s", "fair,simple", "--seeds", "20", "--duration", "20", "--workers", "2", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += String(d); });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted; nothing written/);
    expect(existsSync(join(out, "results.json"))).toBe(false);
    expect(existsSync(join(out, "report.html"))).toBe(false);
  });
});
