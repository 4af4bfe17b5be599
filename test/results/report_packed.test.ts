/**
 * The report embeds its data packed (results/report/packed.ts) and the browser unpacks it
 * (client/unpack.js). Unpacking must give back exactly the data the report was built from, on
 * real runs (several schedulers share a workload's tasks, forks give pids in run order) and on
 * generated timelines; and packing must actually make the embedded text smaller.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runJob, type Job } from "../../cli/job.js";
import { aggregate, buildReportData, embedJson } from "../../results/index.js";
import { clientDir } from "../../results/report/assets.js";
import { packReportData } from "../../results/report/packed.js";
import type { ReportData } from "../../results/report/data.js";
import type { ReportTimeline } from "../../results/report/timelines.js";
import type { RunResult } from "../../sim/result.js";
import { makeRun } from "./fixtures.js";

/** The client's unpacker, run as the browser runs it: on the JSON text the page embeds. */
function unpackInClient(embedded: string): ReportData {
  const source = readFileSync(join(clientDir(), "unpack.js"), "utf8");
  return runInNewContext(`${source}\nunpackReportData(JSON.parse(text));`, { text: embedded }) as ReportData;
}

function roundTrip(data: ReportData): ReportData {
  return unpackInClient(embedJson(packReportData(data)));
}

function job(scheduler: string, workload: string, seed: number): Job {
  return { scheduler, options: {}, workload, params: {}, topology: "", cpus: 4, seed, durationNs: 3e8, overheads: true, crashAtNs: null, extras: { timeline: true } };
}

describe("packed report data", () => {
  const runs: RunResult[] = [];
  for (const w of ["mixed", "hackbench"]) for (const s of ["fair", "simple", "bpfland"]) for (const seed of [1, 2]) runs.push(runJob(job(s, w, seed)));
  const data = buildReportData({ title: "t", results: runs, aggregate: aggregate(runs) });

  it("unpacks in the client to exactly the data it was packed from (real runs, forks included)", () => {
    expect(data.runs.every((r) => r.timeline !== null && r.timeline.pid.length > 100)).toBe(true);
    expect(JSON.stringify(roundTrip(data))).toBe(JSON.stringify(JSON.parse(embedJson(data))));
  });

  it("shares one task table among the schedulers of a workload and seed, and shrinks the text", () => {
    const packed = packReportData(data);
    expect(packed.taskTables.length).toBeLessThan(runs.length);
    expect(embedJson(packed).length).toBeLessThan(0.75 * embedJson(data).length);
  });

  it("round-trips any timeline, whatever pids, names and times it holds", () => {
    const name = fc.string({ maxLength: 6 });
    const tl = fc.array(fc.record({ pid: fc.integer({ min: 1, max: 20 }), start: fc.integer({ min: 0, max: 1e12 }), len: fc.integer({ min: 0, max: 1e9 }) }), { maxLength: 30 });
    fc.assert(fc.property(fc.array(fc.tuple(tl, fc.dictionary(fc.integer({ min: 1, max: 20 }).map(String), name), fc.constantFrom("w1", "w2")), { minLength: 1, maxLength: 5 }), (specs) => {
      const results = specs.map(([, , workload], i) => makeRun({ workload, seed: i + 1 }));
      const base = buildReportData({ title: "t", results, aggregate: aggregate(results) });
      base.runs.forEach((run, i) => {
        const [slices, names] = specs[i]!;
        const pids = new Set(slices.map((s) => String(s.pid)));
        const own = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).filter(([p]) => pids.has(p)));
        const t: ReportTimeline = {
          cpu: slices.map(() => 0), pid: slices.map((s) => s.pid), startNs: slices.map((s) => s.start), endNs: slices.map((s) => s.start + s.len),
          cls: slices.map(() => 0), groupOf: own(Object.fromEntries(Object.entries(names).map(([p, v]) => [p, `g${v}`]))), sampleNs: 1e6, busyCpus: [], queued: [],
          truncated: false, clippedAtNs: null, names: own(names),
        };
        run.timeline = t;
      });
      expect(JSON.stringify(roundTrip(base))).toBe(JSON.stringify(JSON.parse(embedJson(base))));
    }), { numRuns: 200 });
  });
});
