/**
 * Hostile paths and flags (issue 19): devices and FIFOs are never read, outputs never go to a
 * pseudo file system, a directory or over a file, and flag mistakes that once passed silently
 * (an empty or repeated -s, a sub-millisecond --job-timeout, __proto__ as a key, a central CPU the
 * machine lacks) are one line on stderr with exit 2 — never 1, never a hang, nothing written.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { scxlab } from "../helpers/cli.js";

const TMP = mkdtempSync(join(tmpdir(), "scxlab-hostile-"));
const FIFO = join(TMP, "fifo.json");
spawnSync("mkfifo", [FIFO]);
const FILE = join(TMP, "plain.txt");
writeFileSync(FILE, "x");
mkdirSync(join(TMP, "dir.json"));


describe("hostile paths and flags: exit 2 with one line", () => {
  it.each([
    [["run", "-w", "/dev/zero"], /\/dev\/zero: expected a workload file \(a regular file\), got a character device/],
    [["run", "-w", FIFO], /expected a workload file \(a regular file\), got a FIFO/],
    [["run", "-w", join(TMP, "dir.json")], /got a directory/],
    [["import", "/dev/zero", "--out", "-"], /expected a trace file \(a regular file\)/],
    [["merge", "/dev/zero", "--out", join(TMP, "m")], /expected results\.json \(a regular file\)/],
    [["run", "--topology", FIFO], /a regular file/],
    [["compare", "--out", "/proc/scxlab-x"], /--out: expected a writable directory path, got "\/proc\/scxlab-x" \(on the pseudo file system \/proc\)/],
    [["crash-demo", "--out", "/sys/x"], /pseudo file system \/sys/],
    [["compare", "--out", FILE], /an existing file/],
    [["run", "--json", TMP], /--json: expected a writable file path, got .* \(a directory\)/],
    [["run", "--trace", TMP], /--trace: expected a writable file path/],
    [["run", "--json", join(TMP, "a.json"), "--trace", join(TMP, "a.json")], /two different files/],
    [["import", FILE, "--out", TMP], /--out: expected a writable file path/],
    [["compare", "-s", ",", "--out", join(TMP, "o1")], /-s: expected at least one scheduler/],
    [["compare", "-s", "fair,fair", "--out", join(TMP, "o2")], /-s fair: given twice/],
    [["compare", "-w", "mixed,mixed", "--out", join(TMP, "o3")], /-w mixed: given twice/],
    [["compare", "--job-timeout", "0.0004", "--out", join(TMP, "o4")], /--job-timeout: expected wall seconds from 0\.001/],
    [["run", "-p", "__proto__=1"], /params\.__proto__: expected one of/],
    [["run", "-s", "central", "-o", "central_cpu=99", "--cpus", "4", "--duration", "0.1"], /central_cpu: expected a CPU from 0 to 3, got 99/],
  ])("%j", (args, pattern) => {
    const r = scxlab(...(args as string[]));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.out).toBe("");
  });

  it("nothing is created by a refused command", () => {
    for (const d of ["o1", "o2", "o3", "o4", "m"]) expect(existsSync(join(TMP, d)), d).toBe(false);
  });
});

describe("merge validates its inputs like any other input", () => {
  const base = join(TMP, "sweep");
  const made = scxlab("compare", "-s", "simple,rr", "-w", "hogs", "--duration", "0.2", "--seeds", "2", "--out", base);
  const results = () => JSON.parse(readFileSync(join(base, "results.json"), "utf8")) as { runs: Record<string, unknown>[] };
  const variant = (name: string, edit: (j: { runs: Record<string, unknown>[] }) => void, extra?: [string, unknown]) => {
    const dir = join(TMP, name);
    mkdirSync(dir, { recursive: true });
    const j = results();
    edit(j);
    writeFileSync(join(dir, "results.json"), JSON.stringify(j));
    if (extra) writeFileSync(join(dir, extra[0]), JSON.stringify(extra[1]));
    return join(dir, "results.json");
  };

  it("the sweep to mutate was written", () => {
    expect(made.code, made.err).toBe(0);
    expect(results().runs).toHaveLength(4);
  });

  it.each([
    ["runs-empty-object", (j: { runs: unknown[] }) => { j.runs = [{}]; }, undefined, /runs\[0\]\.job: expected an object, got nothing/],
    ["runs-null", (j: { runs: unknown[] }) => { j.runs[0] = null; }, undefined, /runs\[0\]: expected an object, got null/],
    ["totals-string", (j: { runs: Record<string, unknown>[] }) => { j.runs[1].totals = "x"; }, undefined, /runs\[1\]\.totals: expected an object, got "x"/],
    ["group-empty", (j: { runs: Record<string, Record<string, unknown>>[] }) => { const g = Object.keys(j.runs[0].groups)[0]!; j.runs[0].groups[g] = {}; }, undefined, /runs\[0\]\.groups\["[^"]+"\]\.tasks: expected a number, got nothing/],
    ["group-stats-null", (j: { runs: Record<string, Record<string, Record<string, unknown>>>[] }) => { const g = Object.keys(j.runs[2].groups)[0]!; j.runs[2].groups[g]!.wakeupLatencyNs = null; }, undefined, /runs\[2\]\.groups\["[^"]+"\]\.wakeupLatencyNs: expected an object, got null/],
    ["refused-null", (j: { runs: Record<string, unknown>[] }) => { j.runs[0].tasksRefused = null; }, undefined, /runs\[0\]\.tasksRefused: expected an object, got null/],
    ["failed-null", () => undefined, ["failed.json", { schema: "scxlab.failed/1", failed: [null] }], /failed\.json: failed\[0\]: expected an object, got null/],
    ["topologies", (j: { runs: Record<string, Record<string, unknown>>[] }) => { j.runs[1].job.topology = "2llc-8c"; j.runs[1].job.cpus = 8; }, undefined, /expected one machine per pooled interval/],
  ] as const)("%s", (name, edit, extra, pattern) => {
    const file = variant(name, edit as (j: { runs: Record<string, unknown>[] }) => void, extra as [string, unknown] | undefined);
    const r = scxlab("merge", file, "--out", join(TMP, `${name}-out`));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(TMP, `${name}-out`))).toBe(false);
  });

  it("--out at an input's own folder (by another spelling too) is refused, and the input keeps its files", () => {
    const files = () => Object.fromEntries(readdirSync(base).sort().map((f) => [f, readFileSync(join(base, f), "utf8")]));
    const before = files();
    for (const out of [base, `${base}/`, join(base, "..", "sweep")]) {
      const r = scxlab("merge", join(base, "results.json"), "--out", out);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/--out .*: expected a folder apart from the inputs, got the folder of .*results\.json/);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    expect(files()).toEqual(before);
  });
});

describe("the output set of compare survives faults", () => {
  const out = join(TMP, "set");

  it("a sharded run's shard.json is removed by a later plain run into the same folder; files scxlab did not write stay", () => {
    const a = scxlab("compare", "-s", "simple,rr", "-w", "hogs", "--duration", "0.2", "--seeds", "2", "--shard", "1/2", "--out", out);
    expect(a.code, a.err).toBe(0);
    expect(existsSync(join(out, "shard.json"))).toBe(true);
    writeFileSync(join(out, "notes.txt"), "mine");
    const b = scxlab("compare", "-s", "simple", "-w", "hogs", "--duration", "0.2", "--seeds", "2", "--out", out);
    expect(b.code, b.err).toBe(0);
    expect(existsSync(join(out, "shard.json"))).toBe(false);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).runs).toHaveLength(2);
  });

  it("a staging folder and a lock left by a killed scxlab are cleaned up; a live lock refuses with exit 2", () => {
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    mkdirSync(join(out, `.scxlab-staging-${dead}`));
    writeFileSync(join(out, `.scxlab-staging-${dead}`, "results.json"), "{half");
    writeFileSync(join(out, ".scxlab.lock"), `${dead}\n`);
    const r = scxlab("compare", "-s", "simple", "-w", "hogs", "--duration", "0.2", "--seeds", "2", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(out, `.scxlab-staging-${dead}`))).toBe(false);
    expect(existsSync(join(out, ".scxlab.lock"))).toBe(false);
    writeFileSync(join(out, ".scxlab.lock"), `${process.pid}\n`);
    const before = readFileSync(join(out, "results.json"), "utf8");
    const locked = scxlab("compare", "-s", "rr", "-w", "hogs", "--duration", "0.2", "--seeds", "2", "--out", out);
    expect(locked.code).toBe(2);
    expect(locked.err).toMatch(/locked by pid \d+/);
    expect(readFileSync(join(out, "results.json"), "utf8")).toBe(before);
  });
});

describe("names from files cannot drive the terminal", () => {
  it("U+202E and control characters in a task name and a file name are escaped in run's output and in errors", () => {
    const w = join(TMP, "x\u202ey.json");
    writeFileSync(w, JSON.stringify({ tasks: { "a\u202eb\u0007": { loop: -1, run: 1000, sleep: 1000 } } }));
    const r = scxlab("run", "-w", w, "--duration", "0.1");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("a\\u202eb\\u0007");
    expect(r.out).toContain("x\\u202ey.json");
    expect(r.out).not.toMatch(/[\u202e\u0007]/);
    const bad = scxlab("run", "-w", w, "-p", "a=1");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("x\\u202ey.json");
    expect(bad.err).not.toContain("\u202e");
  });
});

describe("one failing job does not abort a compare", () => {
  it("the failed job is listed (stderr, failed.json, report) and the others are written", () => {
    const out = join(TMP, "flaky");
    const mod = fileURLToPath(new URL("../schedulers/fixtures/flaky_build.mjs", import.meta.url));
    const r = scxlab("compare", "-s", mod, "-w", "hogs", "--duration", "0.2", "--seeds", "3", "--workers", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: job 1 \(.*flaky_build\.mjs on hogs, seed 2\): .*second build fails; left out/);
    expect(r.out).toMatch(/2 runs .* · 1 failed/);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).runs).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(out, "failed.json"), "utf8")).failed[0]).toMatchObject({ job: 1, seed: 2, timedOut: false });
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("second build fails");
  });
});

describe("topologies the kernel could not have are refused", () => {
  const cpu = (core: number, llc: number, node = 0) => ({ core, llc, node, capacity: 1024 });
  it.each([
    ["null entry", { cpus: [null] }, /cpus\[0\]: expected an object/],
    ["8192 CPUs", { nodes: 1, llcsPerNode: 1, coresPerLlc: 4096, threadsPerCore: 2 }, /expected at most 4096 CPUs/],
    ["200k-entry list", { cpus: Array.from({ length: 200_000 }, (_, i) => cpu(i, 0)) }, /cpus: expected at most 4096 CPUs, got 200000/],
    ["3 threads per core", { cpus: [cpu(0, 0), cpu(0, 0), cpu(0, 0)] }, /at most 2 CPUs \(SMT threads\) per core/],
    ["siblings split across LLCs", { cpus: [cpu(0, 0), cpu(0, 1)] }, /SMT sibling of cpus\[0\]/],
    ["an LLC in two nodes", { cpus: [cpu(0, 0, 0), cpu(1, 0, 1)] }, /LLC 0 within one node/],
    ["sparse LLC ids", { cpus: [cpu(0, 0), cpu(1, 5)] }, /llc ids: expected 0\.\.1 without gaps/],
    ["negative capacity", { cpus: [{ core: 0, llc: 0, node: 0, capacity: -1 }] }, /capacity: expected an integer 1\.\.4096/],
  ])("%s", (name, topo, pattern) => {
    const file = join(TMP, `topo-${name.replace(/\W+/g, "_")}.json`);
    writeFileSync(file, JSON.stringify(topo));
    const r = scxlab("run", "-s", "rusty", "--topology", file, "--duration", "0.05");
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(pattern);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
