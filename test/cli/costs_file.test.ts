/**
 * `--costs file.json` (issue 15.10): a cost table read like every input file. Bad tables are one
 * line naming the file and the JSON path, exit 2; a table is part of the job (recorded in the
 * RunResult, so a run can be repeated); the shipped profile loads; the ideal machine refuses one.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { scxlab } from "../helpers/cli.js";
import { COSTS_SCHEMA, CostTableError, costTableJson, resolveCostTable } from "../../sim/cost_table.js";
import { DEFAULT_COSTS } from "../../sim/costs.js";

const TMP = mkdtempSync(join(tmpdir(), "scxlab-costs-"));
const PROFILE = join(__dirname, "../../calibrate/profiles/kvm-epyc-2vcpu.json");

function file(name: string, text: string): string {
  const p = join(TMP, name);
  writeFileSync(p, text);
  return p;
}

describe("resolveCostTable: every figure checked, one error naming the JSON path", () => {
  it.each([
    [[], "", /expected an object of cost figures, got \[\]/],
    [{ contextSwitch: 1 }, "contextSwitch", /expected one of the keys/],
    [{ contextSwitchNs: -1 }, "contextSwitchNs", /a time in ns from 0/],
    [{ ipiNs: "5us" }, "ipiNs", /a time in ns/],
    [{ smtSpeed: 0 }, "smtSpeed", /above 0 and at most 1/],
    [{ perfMin: 2000 }, "perfMin", /from 1 to 1024/],
    [{ migrationNs: { l3: 5 } }, "migrationNs.l3", /one of smt, core, llc, numa/],
    [{ migrationNs: [1, 2] }, "migrationNs", /an object with times in ns/],
    [{ idleStates: [{ name: "C1", residencyNs: 10, exitNs: 1 }, { name: "C6", residencyNs: 5, exitNs: 50 }] }, "idleStates[1].residencyNs", /more than the previous state's 10/],
    [{ idleStates: [{ name: "C1", residencyNs: 10, exitNs: 1, depth: 3 }] }, "idleStates[0].depth", /one of the keys name/],
    [{ idleStates: [{ name: "", residencyNs: 10, exitNs: 1 }] }, "idleStates[0].name", /a state name/],
    [{ schema: "scxlab.costs/9" }, "schema", /scxlab\.costs\/1/],
    [{ turboMhz: 3700 }, "turboMhz", /an array of frequencies in MHz by active-core count/],
    [{ turboMhz: [3700, 0] }, "turboMhz[1]", /a frequency in MHz from 1 to 100000/],
    [{ turboMhz: [3500, 3700] }, "turboMhz[1]", /at most the previous entry's 3500 MHz/],
    [{ idleStates: [{ name: "C6", residencyNs: 600, exitNs: 133, powerGated: 1 }] }, "idleStates[0].powerGated", /true or false/],
    [{ contextSwitchNs: Infinity }, "contextSwitchNs", /a time in ns from 0 to 1000000000, got Infinity$/],
  ])("%j → %s", (j, path, msg) => {
    let e: unknown = null;
    try { resolveCostTable(j, "t.json"); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(CostTableError);
    const err = e as CostTableError;
    expect(err.file).toBe("t.json");
    expect(err.path).toBe(path);
    expect(err.message).toMatch(msg);
    expect(err.message).not.toMatch(/\n/);
  });

  it("an empty table is the default cost model; a figure given replaces only that figure", () => {
    expect(resolveCostTable({}, "t.json")).toEqual(DEFAULT_COSTS);
    const c = resolveCostTable({ migrationNs: { llc: 7 }, ipiNs: 3 }, "t.json");
    expect(c.migrationNs).toEqual([0, DEFAULT_COSTS.migrationNs[1], DEFAULT_COSTS.migrationNs[2], 7, DEFAULT_COSTS.migrationNs[4]]);
    expect(c.ipiNs).toBe(3);
    expect(c.contextSwitchNs).toBe(DEFAULT_COSTS.contextSwitchNs);
  });

  it("a table written out by costTableJson reads back as the same model (any figures)", () => {
    const ns = fc.integer({ min: 0, max: 1e6 });
    const dist = fc.tuple(ns, ns, ns, ns).map((a) => [0, ...a]);
    const states = fc.uniqueArray(fc.integer({ min: 0, max: 1e7 }), { maxLength: 5 }).chain((rs) =>
      fc.tuple(...[...rs].sort((a, b) => a - b).map((r, i) => fc.record({ name: fc.constant(`S${i}`), residencyNs: fc.constant(r), exitNs: ns, polls: fc.boolean(), powerGated: fc.constant(true) }, { requiredKeys: ["name", "residencyNs", "exitNs", "polls"] }))));
    const turbo = fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 20 }).map((a) => [...a].sort((x, y) => y - x));
    fc.assert(fc.property(ns, ns, fc.double({ min: 0.01, max: 1, noNaN: true }), dist, dist, states, ns, ns, ns, ns, fc.integer({ min: 1, max: 1024 }), turbo,
      (cs, cb, smt, mig, bounce, idle, ipi, lock, timer, lat, pmin, turboMhz) => {
        const model = { ...DEFAULT_COSTS, contextSwitchNs: cs, callbackNs: cb, smtSpeed: smt, migrationNs: mig, dsqBounceNs: bounce, idleStates: idle, ipiNs: ipi, dsqLockNs: lock, timerNs: timer, perfLatencyNs: lat, perfMin: pmin, turboMhz };
        expect(resolveCostTable(JSON.parse(JSON.stringify(costTableJson(model))), "t.json")).toEqual(model);
      }));
  });
});

describe("scxlab run --costs", () => {
  it("a bad table: exit 2, one line with the file, JSON path and what was expected", () => {
    const bad = file("bad.json", JSON.stringify({ dsqBounceNs: { llc: -5 } }));
    const r = scxlab("run", "-w", "pipe", "--duration", "0.01", "--costs", bad, "-q");
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain(`${bad}: dsqBounceNs.llc: expected a time in ns from 0 to 1000000000, got -5`);
  });

  it("a syntax error names line and column; a missing file is refused", () => {
    const r = scxlab("run", "-w", "pipe", "--duration", "0.01", "--costs", file("syntax.json", '{\n  "ipiNs": 5,\n  oops\n}'), "-q");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/syntax\.json:3:3/);
    const m = scxlab("run", "-w", "pipe", "--duration", "0.01", "--costs", join(TMP, "none.json"), "-q");
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/none\.json: expected a readable cost table file, got ENOENT/);
  });

  it("with --overheads off a cost table is refused (the ideal machine has no costs)", () => {
    const r = scxlab("run", "-w", "pipe", "--duration", "0.01", "--overheads", "off", "--costs", file("empty.json", "{}"), "-q");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--overheads off/);
  });

  it("the table is part of the job: recorded in the RunResult, and a table of the default figures changes nothing else", () => {
    const plainOut = join(TMP, "plain.json"), tabled = join(TMP, "tabled.json");
    expect(scxlab("run", "-s", "simple", "-w", "pipe", "--duration", "0.05", "--json", plainOut, "-q").code).toBe(0);
    expect(scxlab("run", "-s", "simple", "-w", "pipe", "--duration", "0.05", "--json", tabled, "--costs", file("defaults.json", JSON.stringify(costTableJson(DEFAULT_COSTS))), "-q").code).toBe(0);
    const a = JSON.parse(readFileSync(plainOut, "utf8")), b = JSON.parse(readFileSync(tabled, "utf8"));
    expect(b.job.costs).toEqual(DEFAULT_COSTS);
    expect(a.job.costs).toBeUndefined();
    delete a.wallMs; delete b.wallMs; delete b.job.costs;
    expect(b).toEqual(a);
  });

  it("the shipped profile of this machine loads and changes results (idle exits make wakeups slower)", () => {
    const j = JSON.parse(readFileSync(PROFILE, "utf8"));
    expect(j.schema).toBe(COSTS_SCHEMA);
    const out = join(TMP, "profile.json"), base = join(TMP, "base.json");
    expect(scxlab("run", "-w", "pipe", "--duration", "0.05", "--json", base, "-q").code).toBe(0);
    expect(scxlab("run", "-w", "pipe", "--duration", "0.05", "--json", out, "--costs", PROFILE, "-q").code).toBe(0);
    const wake = (f: string) => JSON.parse(readFileSync(f, "utf8")).groups;
    const g = Object.keys(wake(out))[0];
    expect(wake(out)[g].wakeupLatencyNs.mean).toBeGreaterThan(wake(base)[g].wakeupLatencyNs.mean);
  });
});
