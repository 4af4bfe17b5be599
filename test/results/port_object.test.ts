/**
 * The report's note on a TS port beside its compiled object (issue 18: the report explains the
 * differences found between a port and its real object): per workload, the same, within each
 * other's intervals, or apart and on which metrics.
 */
import { describe, expect, it } from "vitest";
import { aggregate } from "../../results/index.js";
import { portObjectNotes } from "../../results/port_object.js";
import { buildReportData } from "../../results/report/data.js";
import type { RunResult } from "../../sim/result.js";
import { makeRun } from "./fixtures.js";

const OBJ = "/objs/scx_bpfland.bpf.o";

/** The port's run made into its object's: same numbers, the object's path, the same ops name. */
function asObject(r: RunResult): RunResult {
  return { ...r, job: { ...r.job, scheduler: OBJ }, scx: { ...r.scx, scheduler: "bpfland" } };
}

const seeds = [1, 2, 3];
const port = (workload: string, wakeupUs = 20) => seeds.map((seed) => makeRun({ scheduler: "bpfland", workload, seed, wakeupUs }));

describe("port against object notes", () => {
  it("the same runs are the same on every summary metric; a far slower wakeup is apart and named", () => {
    const runs = [...port("mixed"), ...port("mixed").map(asObject), ...port("server"), ...port("server", 400).map(asObject)];
    const notes = portObjectNotes(runs, aggregate(runs));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^bpfland \(a TS port\) against \/objs\/scx_bpfland\.bpf\.o \(its compiled object\): the same on every summary metric on mixed; apart on server \(wakeup p50 [\d.]+ µs against [\d.]+ µs/);
    expect(notes[0]).toContain('README "Running a compiled sched_ext scheduler"');
  });

  it("runs that differ within their confidence intervals are said to be so", () => {
    const obj = port("mixed").map(asObject);
    // Swap two seeds' results: every mean moves a little, the intervals still overlap.
    const shuffled = [obj[0]!, { ...obj[1]!, totals: { ...obj[1]!.totals, throughput: obj[1]!.totals.throughput * 1.01 } }, obj[2]!];
    const runs = [...port("mixed"), ...shuffled];
    expect(portObjectNotes(runs, aggregate(runs))[0]).toContain("within each other's confidence intervals on mixed");
  });

  it("no note without an object of a port's name; the report carries the note among its notes", () => {
    const plain = [...port("mixed"), ...seeds.map((seed) => makeRun({ scheduler: "simple", workload: "mixed", seed }))];
    expect(portObjectNotes(plain, aggregate(plain))).toEqual([]);
    // Any .o path is an object, as `-s` takes it.
    const upper = [...port("mixed"), ...port("mixed").map(asObject).map((r) => ({ ...r, job: { ...r.job, scheduler: "/objs/BPFLAND.O" } }))];
    expect(portObjectNotes(upper, aggregate(upper))[0]).toMatch(/^bpfland \(a TS port\) against \/objs\/BPFLAND\.O \(its compiled object\): the same/);
    const runs = [...port("mixed"), ...port("mixed").map(asObject)];
    const data = buildReportData({ title: "t", results: runs, aggregate: aggregate(runs), notes: ["first"] });
    expect(data.notes[0]).toBe("first");
    expect(data.notes[1]).toMatch(/^bpfland \(a TS port\) against/);
  });
});
