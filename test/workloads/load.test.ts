import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withAntagonists } from "../../workloads/antagonists.js";
import { loadWorkload } from "../../workloads/load.js";
import { errorOf, expectMessage, run, task } from "./helpers.js";

const loadWorkloadMessage = (name: string) => errorOf(() => loadWorkload(name, {})).message;
const tmp = mkdtempSync(join(tmpdir(), "scxlab-workloads-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("parameters of a built-in", () => {
  it("take numbers or strings as a command line gives them", () => {
    expect(loadWorkload("hogs", { n: "3", nice: " -2 " }).tasks[0]).toEqual(task("hog", [run(100_000)], { instances: 3, nice: -2 }));
  });

  it("reject an unknown key, naming the allowed ones", () => {
    expectMessage(() => loadWorkload("hogs", { count: 3 }), 'hogs: params.count: expected one of n, nice, got "count"');
  });

  it("reject bad values with the allowed range", () => {
    expectMessage(() => loadWorkload("hogs", { n: 0 }), "hogs: params.n: expected an integer from 1 to 4096, got 0");
    expectMessage(() => loadWorkload("hogs", { n: 2.5 }), "hogs: params.n: expected an integer from 1 to 4096, got 2.5");
    expectMessage(() => loadWorkload("hogs", { n: "many" }), 'hogs: params.n: expected an integer from 1 to 4096, got "many"');
    expectMessage(() => loadWorkload("hogs", { n: "" }), 'hogs: params.n: expected an integer from 1 to 4096, got ""');
    expectMessage(() => loadWorkload("hogs", { n: true }), "hogs: params.n: expected an integer from 1 to 4096, got true");
    expectMessage(() => loadWorkload("server", { rate: "Infinity" }), 'server: params.rate: expected a number from 0.001 to 10000000, got "Infinity"');
    expectMessage(() => loadWorkload("server", { rate: 0 }), "server: params.rate: expected a number from 0.001 to 10000000, got 0");
  });

  it("accept fractional values where a param is not a count", () => {
    expect(loadWorkload("server", { rate: "12.5" }).tasks[0]!.arrivals).toEqual({ process: "poisson", rate: 12.5 });
  });

  it("do not reach Object.prototype", () => {
    expectMessage(() => loadWorkload("hogs", JSON.parse('{"__proto__": 1}')), 'hogs: params.__proto__: expected one of n, nice, got "__proto__"');
    expectMessage(() => loadWorkload("hogs", { toString: 1 }), 'hogs: params.toString: expected one of n, nice, got "toString"');
  });
});

describe("files", () => {
  it("load from a path", () => {
    const f = join(tmp, "tiny.json");
    writeFileSync(f, '{"tasks": {"a": {"run": 5, "sleep": 5}}}');
    const p = loadWorkload(f, {});
    expect([p.name, p.tasks.length]).toEqual(["tiny", 1]);
  });

  it("a missing file is a one-line error", () => {
    const f = join(tmp, "nosuch.json");
    expectMessage(() => loadWorkload(f, {}), `${f}: expected a readable workload file, got ENOENT`);
  });

  it("a directory is not a workload", () => {
    expectMessage(() => loadWorkload(tmp + "/", {}), `${tmp}/: expected a workload file (a regular file), got a directory`);
  });

  it("a name that is neither a built-in nor a path", () => {
    expectMessage(() => loadWorkload("mixd", {}),
      'mixd: expected a built-in workload (mixed, hogs, schbench, hackbench, pipe, cyclictest, compile, gaming, server) or a .json file, got "mixd"');
  });

  it("an empty name still gives a readable message", () => {
    expect(loadWorkloadMessage("")).toMatch(/^workload: expected a built-in workload \(mixed, .*\) or a \.json file, got ""$/);
  });

  it("params are for built-ins only", () => {
    expectMessage(() => loadWorkload("x.json", { n: 1 }), "x.json: params.n: expected no parameters (they apply to built-in workloads only), got 1");
  });

  it("syntax errors in a file carry the position", () => {
    const f = join(tmp, "broken.json");
    writeFileSync(f, '{"tasks": {\n  "a": {"run": 5,, }\n}}');
    expectMessage(() => loadWorkload(f, {}), `${f}:2:18: expected a string key, got ","`);
  });
});

describe("withAntagonists", () => {
  const base = loadWorkload("hogs", { n: 1 });

  it("adds n always-runnable hogs named antagonist", () => {
    const p = withAntagonists(base, 3);
    expect(p.tasks).toEqual([...base.tasks, task("antagonist", [run(100_000)], { instances: 3 })]);
    expect({ ...p, tasks: base.tasks }).toEqual(base);
  });

  it("n = 0 leaves the plan alone", () => {
    expect(withAntagonists(base, 0)).toBe(base);
  });

  it("rejects bad counts and a clash of names", () => {
    expectMessage(() => withAntagonists(base, -1), "hogs: antagonists: expected an integer from 0 to 4096, got -1");
    expectMessage(() => withAntagonists(base, 1.5), "hogs: antagonists: expected an integer from 0 to 4096, got 1.5");
    expectMessage(() => withAntagonists(withAntagonists(base, 1), 1),
      'hogs: tasks.antagonist: expected no task of that name (antagonists use it), got "antagonist"');
  });
});
