/**
 * The library API does what the CLI does: `compare` as a function (sweep, aggregate, and the
 * command's output files), and deep imports of the package resolve through its exports map
 * (they failed with ERR_PACKAGE_PATH_NOT_EXPORTED before).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compare } from "../../cli/compare_api.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the library API", () => {
  it("compare() runs schedulers × workloads × seeds, aggregates, and writes the command's files", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "scxlab-lib-")), "cmp");
    const c = await compare({ schedulers: [{ scheduler: "simple" }, { scheduler: "rr", options: { slice_us: 4000 } }], workloads: ["hogs"], seeds: 2, duration: 0.2, workers: 1, out });
    expect(c.results.map((r) => `${r.job.scheduler}/${r.job.seed}`)).toEqual(["simple/1", "simple/2", "rr/1", "rr/2"]);
    expect(c.aggregate.rows.map((r) => r.scheduler)).toEqual(["simple", "rr"]);
    for (const f of ["report.html", "results.json", "results.csv"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).runs).toHaveLength(4);
  });

  it("the package's entry and deep paths import by name, as a user's script does", () => {
    const script = `
      import { compare, defineScheduler, createKernel } from "scxlab";
      import { SCX_DSQ_GLOBAL } from "scxlab/sim/ext/consts.js";
      import { mergeStats } from "scxlab/results/index.js";
      console.log([typeof compare, typeof defineScheduler, typeof createKernel, typeof SCX_DSQ_GLOBAL, typeof mergeStats].join(","));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("function,function,function,number,function");
  });
});
