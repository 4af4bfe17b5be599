/**
 * The worker pool (cli/pool.ts): outcomes keyed by job whatever the number of workers, jobs
 * grouped by scheduler per worker, and --job-timeout stopping a runaway job by terminating its
 * worker while the sweep goes on. These run the built CLI and dist/ modules (workers load
 * dist/cli/worker.js); `npm test` builds first.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { scxlab } from "../helpers/cli.js";

const DIST = join(__dirname, "../../dist");

type Pool = typeof import("../../cli/pool.js");
const pool = async (): Promise<Pool> => (await import(pathToFileURL(join(DIST, "cli/pool.js")).href)) as Pool;

const job = (scheduler: string, seed: number, workload = "schbench") => ({
  scheduler, options: {}, workload, params: {}, topology: "4", cpus: 4, seed, durationNs: 0.2e9, overheads: true, crashAtNs: null,
});

describe("the pool", () => {
  it("compare writes byte-identical files with 1 and 2 workers", () => {
    const dirs = [1, 2].map((w) => {
      const d = mkdtempSync(join(tmpdir(), `scxlab-pool-${w}-`));
      const r = scxlab("compare", "-s", "fair,simple:fifo=true,bpfland", "-w", "mixed,schbench", "--seeds", "2", "--duration", "0.3", "--workers", String(w), "--out", d, "--quiet");
      expect(r.code, r.err).toBe(0);
      return d;
    });
    for (const f of ["results.json", "results.csv", "report.html"]) {
      expect(readFileSync(join(dirs[1], f)).equals(readFileSync(join(dirs[0], f))), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(dirs[0], "results.json"), "utf8")).runs).toHaveLength(12);
  });

  it("runJobs returns outcomes in job order for any worker count, on the calling thread and pool threads alike", async () => {
    const { runJobs } = await pool();
    const jobs = [job("simple", 1), job("fair", 2), job("bpfland", 3), job("simple", 4), job("fair", 5)];
    const strip = (os: Awaited<ReturnType<Pool["runJobs"]>>) => os.map((o) => (o.ok ? JSON.stringify({ ...o.result, wallMs: 0 }) : o.error));
    const inline = await runJobs(jobs, { workers: 1 });
    const one = await runJobs(jobs, { workers: 1, forcePool: true });
    const three = await runJobs(jobs, { workers: 3 });
    // the calling thread's lane beside a pool thread started whatever the sweep's size
    const both = await runJobs(jobs, { workers: 2, workerStartMs: 0 });
    expect(both.some((o) => o.thread === 0) && both.some((o) => (o.thread ?? 0) > 0)).toBe(true);
    expect(strip(both)).toEqual(strip(inline));
    expect(inline.every((o) => o.ok)).toBe(true);
    expect(inline.every((o) => o.thread === 0)).toBe(true); // ran in this thread
    expect(one.every((o) => (o.thread ?? 0) > 0)).toBe(true); // ran on a worker thread
    expect(strip(one)).toEqual(strip(inline));
    expect(strip(three)).toEqual(strip(inline));
    inline.forEach((o, i) => { if (o.ok) expect(o.result.job.seed).toBe(jobs[i].seed); });
  });

  it("hands each worker a contiguous lane of one scheduler's jobs where it can", async () => {
    const { planLanes, runJobs } = await pool();
    const jobs = [1, 2, 3, 4].flatMap((s) => [job("simple", s), job("fair", s), job("bpfland", s)]);
    const lanes = planLanes(jobs, 3);
    expect(lanes.flat().sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i));
    for (const lane of lanes) expect(new Set(lane.map((i) => jobs[i].scheduler)).size).toBe(1);
    // Two lanes of 6: bpfland×4 + fair×2 | fair×2 + simple×4 (sorted by name, split by cost).
    expect(planLanes(jobs, 2).map((l) => l.map((i) => jobs[i].scheduler))).toEqual([
      ["bpfland", "bpfland", "bpfland", "bpfland", "fair", "fair"], ["fair", "fair", "simple", "simple", "simple", "simple"],
    ]);
    // Which thread runs what depends on timing (work stealing); only that both threads work is certain.
    const out = await runJobs(jobs, { workers: 2, workerStartMs: 0 });
    expect(new Set(out.map((o) => o.thread)).size).toBe(2);
    expect(out.every((o) => o.ok)).toBe(true);
  });

  it("raises V8's inlining budget only for sweeps of long jobs (short ones would only pay its compiling)", async () => {
    const { inliningPays, estimateMs } = await import(pathToFileURL(join(DIST, "cli/pool_plan.js")).href) as typeof import("../../cli/pool_plan.js");
    const { INLINING_PAYS_MS } = await import(pathToFileURL(join(DIST, "cli/v8_flags.js")).href) as typeof import("../../cli/v8_flags.js");
    const long = { ...job("simple", 1), cpus: 16, topology: "16", durationNs: 100e9 };
    expect(estimateMs(long)).toBeGreaterThanOrEqual(INLINING_PAYS_MS);
    expect(estimateMs(job("simple", 1))).toBeLessThan(INLINING_PAYS_MS);
    expect(inliningPays([long])).toBe(true);
    expect(inliningPays([job("simple", 1), job("fair", 2)])).toBe(false);
    expect(inliningPays([])).toBe(false);
  });

  it("--job-timeout terminates the worker of a scheduler whose callback never returns; the other jobs finish", async () => {
    // A worker entry with worker.ts's contract that also registers "spin": its enqueue loops forever.
    const dir = mkdtempSync(join(tmpdir(), "scxlab-spin-"));
    const worker = join(dir, "spin-worker.mjs");
    writeFileSync(worker, [
      `import work from ${JSON.stringify(pathToFileURL(join(DIST, "cli/worker.js")).href)};`,
      `import { SCHEDULERS } from ${JSON.stringify(pathToFileURL(join(DIST, "schedulers/index.js")).href)};`,
      `SCHEDULERS.push({ name: "spin", description: "enqueue never returns", origin: "test", options: {},`,
      `  create: () => ({ name: "spin", enqueue() { for (;;) {} } }) });`,
      `export default work;`,
    ].join("\n"));
    const { runJobs } = await pool();
    const jobs = [job("simple", 1), job("spin", 1), job("simple", 2), job("fair", 3)];
    // The limit is far above what a normal 0.2 s job needs even on a loaded machine.
    const out = await runJobs(jobs, { workers: 2, jobTimeoutMs: 5000, workerUrl: pathToFileURL(worker).href });
    expect(out[1]).toMatchObject({ ok: false, timedOut: true });
    expect(out[1].ok ? "" : out[1].error).toMatch(/timed out after 5 s/);
    for (const i of [0, 2, 3]) expect(out[i].ok, `job ${i}`).toBe(true);
  });

  it("compare --job-timeout reports the job that ran too long, writes failed.json and keeps the rest", () => {
    // busy.json is ~10^6 events per simulated second: 600 s of it is minutes of work, whereas hogs
    // for 600 s is a few hundred thousand events (well under a second), so a 5 s limit separates them
    // on any machine, however loaded or fast.
    const d = mkdtempSync(join(tmpdir(), "scxlab-timeout-"));
    const busy = join(d, "busy.json");
    writeFileSync(busy, JSON.stringify({ tasks: { busy: { instance: 8, loop: -1, run: 10, sleep: 10 } } }));
    const out = join(d, "out");
    const r = scxlab("compare", "-s", "simple", "-w", `hogs,${busy}`, "--seeds", "1", "--duration", "600", "--job-timeout", "5", "--workers", "1", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`warning: job 1 (simple on ${busy}, seed 1): timed out after 5 s`);
    expect(r.out).toMatch(/1 timed out/);
    expect(readdirSync(out).sort()).toEqual(["failed.json", "report.html", "results.csv", "results.json"]);
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(res.runs.map((x: { job: { workload: string } }) => x.job.workload)).toEqual(["hogs"]);
    const failed = JSON.parse(readFileSync(join(out, "failed.json"), "utf8"));
    expect(failed).toMatchObject({ schema: "scxlab.failed/1", failed: [{ job: 1, workload: busy, timedOut: true }] });
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain(`Not included: job 1 (simple on ${busy}, seed 1)`);
  });

  it("--job-timeout rejects nonsense", () => {
    for (const bad of ["0", "-1", "abc", ""]) {
      const r = scxlab("compare", "--job-timeout", bad, "--out", join(tmpdir(), "never"));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^scxlab: --job-timeout: expected wall seconds from 0\.001 to 1e6/);
    }
    expect(existsSync(join(tmpdir(), "never", "results.json"))).toBe(false);
  });
});
