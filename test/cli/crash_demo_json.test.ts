/**
 * The crash demo's result.json is written in pieces (as `run --json` and compare's results.json
 * are), so a workload of many task names cannot pass V8's limit on one string: the file must hold
 * exactly `JSON.stringify(demoJson(o), null, 2)` and a newline, and no piece may hold a whole
 * group list, neither the run's nor a window's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCrashDemo } from "../../cli/crash/demo.js";
import { demoJson, demoJsonPieces, writeDemoOutputs } from "../../cli/crash/output.js";

const MS = 1e6;

/** A workload file of `n` looping tasks with names of their own, so the run and every window have n groups. */
function manyNames(n: number): string {
  const tasks: Record<string, object> = {};
  for (let i = 0; i < n; i++) tasks[`w${i}`] = { loop: -1, run: 200 + i, sleep: 800 };
  const f = join(mkdtempSync(join(tmpdir(), "scxlab-crash-json-")), "many.json");
  writeFileSync(f, JSON.stringify({ tasks }));
  return f;
}

describe("crash-demo result.json", () => {
  const n = 300;
  const o = runCrashDemo({
    job: { scheduler: "simple", options: {}, workload: manyNames(n), params: {}, topology: "4", cpus: 4, seed: 1, durationNs: 400 * MS, overheads: true },
    fault: "crash", faultAtNs: 150 * MS, pollNs: 100 * MS,
  });

  it("is written in pieces that join to JSON.stringify(demoJson, null, 2) and a newline", async () => {
    const { json } = await writeDemoOutputs(o, mkdtempSync(join(tmpdir(), "scxlab-crash-json-")));
    const expected = `${JSON.stringify(demoJson(o), null, 2)}\n`;
    expect(readFileSync(json, "utf8")).toBe(expected);
    expect([...demoJsonPieces(o)].join("")).toBe(expected);
  });

  it("lays out every group on its own, in the run and in each window", () => {
    const d = demoJson(o) as { groups: object; crashDemo: { windows: { groups: object }[] } };
    expect(Object.keys(d.groups)).toHaveLength(n);
    expect(d.crashDemo.windows.length).toBeGreaterThan(1);
    for (const w of d.crashDemo.windows) expect(Object.keys(w.groups)).toHaveLength(n);
    const biggestGroup = Math.max(
      ...Object.values(d.groups).map((g) => JSON.stringify(g, null, 2).length),
      ...d.crashDemo.windows.flatMap((w) => Object.values(w.groups).map((g) => JSON.stringify(g, null, 2).length)),
    );
    // A piece holds at most one group (indented deeper than alone), never a list of them.
    const longest = Math.max(...[...demoJsonPieces(o)].map((p) => p.length));
    expect(longest).toBeLessThan(2 * biggestGroup);
  });
});
