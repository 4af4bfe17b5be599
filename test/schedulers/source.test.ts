/**
 * The scheduler resolver with a user's module file as the source: loading (.mjs class, .ts
 * factory), options, every kind of mistake in the file as one InputError, and the proof that a
 * module goes through the same attach path as a built-in: scx_simple's policy written as a
 * user's module gives the built-in's RunResult byte for byte.
 */
import { describe, expect, it } from "vitest";
import { scxlab } from "../helpers/cli.js";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runJob, prepareSchedulers, type Job } from "../../cli/job.js";
import { InputError } from "../../sim/errors.js";
import { prepareScheduler, schedulerSpec, schedulerOptions, SchedulerFileError } from "../../schedulers/index.js";

const FIX = fileURLToPath(new URL("./fixtures/", import.meta.url));

function job(scheduler: string, options: Record<string, string> = {}, workload = "mixed"): Job {
  return { scheduler, options, workload, params: {}, topology: "", cpus: 4, seed: 3, durationNs: 1e9, overheads: true, crashAtNs: null };
}

/** A RunResult as text, without the job and wall time, with the ops name of the module made the built-in's. */
function comparable(r: ReturnType<typeof runJob>): string {
  const { job: _j, wallMs: _w, ...rest } = r;
  return JSON.stringify(rest).replaceAll("user_simple", "simple");
}

describe("a user's scheduler module through the resolver", () => {
  it("scx_simple's policy as a user's .mjs gives the built-in simple's RunResult, vtime and fifo modes", async () => {
    for (const options of [{}, { fifo: "true", slice_us: "3000" }] as Record<string, string>[]) {
      const mine = job(`${FIX}user_simple.mjs`, options);
      await prepareSchedulers([mine]);
      const a = runJob(mine), b = runJob(job("simple", options));
      expect(a.scx.exit).toBeNull();
      expect(a.invariants.lost).toBe(0);
      expect(comparable(a).length).toBeGreaterThan(1000);
      expect(comparable(a)).toBe(comparable(b));
    }
  });

  it("a .ts factory module is transpiled; its options schema is the one -o checks", async () => {
    const spec = schedulerSpec(`${FIX}factory_fifo.ts`, { slice_us: "2000" });
    await prepareScheduler(spec);
    expect(Object.keys(schedulerOptions(spec))).toEqual(["slice_us"]);
    const r = runJob(job(`${FIX}factory_fifo.ts`, { slice_us: "2000" }));
    expect(r.scx.exit).toBeNull();
    expect(r.totals.requests).toBeGreaterThan(0);
    await expect(prepareScheduler(schedulerSpec(`${FIX}factory_fifo.ts`, { slice: "1" }))).rejects.toThrow(/unknown option "slice" \(options: slice_us\)/);
  });

  it.each([
    ["syntax_error.js", /syntax_error\.js:3:\d+: expected valid JavaScript or TypeScript, got/],
    ["no_default.mjs", /no_default\.mjs: default export: expected a scheduler class or factory/],
    ["missing.mjs", /missing\.mjs: expected a readable file, got ENOENT/],
    ["../fixtures", /expected a scheduler module/],
  ])("%s: one InputError naming the file and what was expected", async (file, pattern) => {
    const err = await prepareScheduler(schedulerSpec(`${FIX}${file}`)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(pattern);
    expect((err as Error).message).not.toContain("\n");
  });

  it("a callback that is not a function is refused when the ops are built", async () => {
    const j = job(`${FIX}bad_callback.mjs`);
    await prepareSchedulers([j]);
    expect(() => runJob(j)).toThrow(SchedulerFileError);
    expect(() => runJob(j)).toThrow(/bad_callback\.mjs: enqueue: expected a function/);
  });
});

describe("a user's module from the command line", () => {

  it("run -s file.ts -o works; a broken file is one line on stderr and exit 2", () => {
    const ok = scxlab("run", "-s", `${FIX}factory_fifo.ts`, "-o", "slice_us=3000", "-w", "hogs", "--duration", "0.5", "--json", "-");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).job).toMatchObject({ scheduler: `${FIX}factory_fifo.ts`, options: { slice_us: "3000" } });
    const bad = scxlab("run", "-s", `${FIX}no_default.mjs`, "--duration", "0.5");
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split("\n")).toHaveLength(1);
    expect(bad.out).toBe("");
  });

  it("a module whose top-level await never settles is refused (exit 2), not a silent exit 0 that ran nothing", () => {
    for (const args of [["run", "-s", `${FIX}idle_import.mjs`, "--duration", "0.1"], ["list", `${FIX}idle_import.mjs`]]) {
      const r = scxlab(...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err.trim()).toBe(`scxlab: ${FIX}idle_import.mjs: expected a module that loads, got a top-level await that never settles`);
      expect(r.out).toBe("");
    }
  });

  it("compare puts a module beside a built-in; 1 and 2 workers give the same results.json", () => {
    const outs = [1, 2].map((w) => {
      const dir = join(mkdtempSync(join(tmpdir(), "scxlab-module-")), "out");
      const r = scxlab("compare", "-s", `simple,${FIX}user_simple.mjs:slice_us=5000`, "-w", "mixed", "--duration", "0.5", "--seeds", "2", "--workers", String(w), "--out", dir);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain("user_simple.mjs:slice_us=5000");
      return readFileSync(join(dir, "results.json"), "utf8").replace(/"wallMs": \d+/g, "");
    });
    expect(outs[0].length).toBeGreaterThan(100);
    expect(outs[1]).toBe(outs[0]);
  });
});

describe("crash-demo evicts a user's module", () => {
  it("the module attaches, the loader dies, every task goes back to fair, none lost", () => {
    const out = join(mkdtempSync(join(tmpdir(), "scxlab-module-demo-")), "demo");
    const r = scxlab("crash-demo", "-s", `${FIX}user_simple.mjs`, "-w", "hogs", "--duration", "1", "--crash-at", "0.4", "--out", out);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/sched_ext: BPF scheduler "user_simple" disabled \(unregistered from user space\)/);
    expect(r.out).toMatch(/lost 0/);
  });
});

describe("list shows a module's options", () => {
  it("list FILE prints the module's -o keys with defaults and docs; --json the same as data", () => {
    const r = scxlab("list", `${FIX}factory_fifo.ts`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/factory_fifo\.ts options:\n {2}slice_us=5000 {2}slice in µs/);
    const j = scxlab("list", "--json", `${FIX}user_simple.mjs`);
    expect(JSON.parse(j.out)[0].options).toEqual({ fifo: { default: false, doc: "global FIFO" }, slice_us: { default: 20000, doc: "slice in µs" } });
    const bad = scxlab("list", `${FIX}no_default.mjs`);
    expect(bad.code).toBe(2);
  });
});
