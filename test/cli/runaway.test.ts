/**
 * Runaway callbacks (issue 19.4): a user's module whose callback never returns cannot hang a
 * sweep or `scxlab run`. Its jobs run on a watched pool thread; the watchdog sees the callback
 * count stand still inside a callback, stops the thread, and replays the job with the scheduler
 * ejected at that call (SCX_EXIT_ERROR "callback did not return in N s"), the run going on under
 * fair. These run the built modules in dist/ (pool threads load dist/cli/worker.js).
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { scxlab } from "../helpers/cli.js";

const DIST = join(__dirname, "../../dist");
const FIX = fileURLToPath(new URL("./fixtures/", import.meta.url));

type Pool = typeof import("../../cli/pool.js");
const pool = async (): Promise<Pool> => (await import(pathToFileURL(join(DIST, "cli/pool.js")).href)) as Pool;

const job = (scheduler: string, seed: number) => ({
  scheduler, options: {}, workload: "mixed", params: {}, topology: "4", cpus: 4, seed, durationNs: 0.5e9, overheads: true, crashAtNs: null,
});
type Outcomes = Awaited<ReturnType<Pool["runJobs"]>>;
const strip = (os: Outcomes) => os.map((o) => (o.ok ? JSON.stringify({ ...o.result, wallMs: 0 }) : o.error));

describe("a callback that never returns", () => {
  it("is ejected by replay at that call, the run goes on under fair with nothing lost, the same for any worker count", async () => {
    const { runJobs } = await pool();
    const runaway = `${FIX}runaway_enqueue.mjs`;
    const jobs = [job("simple", 1), job(runaway, 1), job("fair", 2), job(runaway, 2)];
    const runs: Outcomes[] = [];
    for (const workers of [1, 2]) runs.push(await runJobs(jobs, { workers, callbackTimeoutMs: 1000 }));
    for (const out of runs) {
      for (const i of [1, 3]) {
        const o = out[i];
        expect(o.ok, o.ok ? "" : o.error).toBe(true);
        if (!o.ok) continue;
        expect(o.thread).toBeGreaterThan(0); // a module's job runs on a pool thread
        expect(o.result.scx.exit).toMatchObject({ kind: "SCX_EXIT_ERROR", msg: expect.stringMatching(/^enqueue: callback did not return in 1 s$/) });
        expect(o.result.invariants.lost).toBe(0);
        // the run went on after the ejection: tasks ran under fair until the end
        expect(o.result.scx.exit!.atNs).toBeLessThan(o.result.job.durationNs);
      }
      expect(out[0].ok && out[2].ok).toBe(true);
    }
    expect(strip(runs[1])).toEqual(strip(runs[0]));
  });

  it("a second runaway after the ejection stops the job as timed out; the other jobs finish", async () => {
    const { runJobs } = await pool();
    const jobs = [job(`${FIX}runaway_twice.mjs`, 1), job("simple", 2)];
    const out = await runJobs(jobs, { workers: 2, callbackTimeoutMs: 1000 });
    expect(out[0]).toMatchObject({ ok: false, timedOut: true });
    expect(out[0].ok ? "" : out[0].error).toMatch(/^callback did not return in 1 s, again after the scheduler was ejected at callback \d+/);
    expect(out[1].ok).toBe(true);
  });

  it("scxlab run -s module.mjs reports it as the scheduler's error exit instead of hanging", () => {
    const r = scxlab("run", "-s", `${FIX}runaway_enqueue.mjs`, "-w", "mixed", "--duration", "0.5", "--json", "-");
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.scx.exit).toMatchObject({ kind: "SCX_EXIT_ERROR", msg: expect.stringMatching(/^enqueue: callback did not return in 5 s$/) });
    expect(result.invariants.lost).toBe(0);
  });
});
