/**
 * Integration with the kernel (through the public API): the built-ins and fixtures mean what
 * they say when run: finite ones finish, and no fixture stalls (every task group gets CPU).
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createKernel } from "../../index.js";
import type { WorkloadPlan } from "../../sim/plan.js";
import { loadWorkload } from "../../workloads/load.js";
import { parseWorkload } from "../../workloads/parse.js";

function run(plan: WorkloadPlan, seconds: number) {
  const kernel = createKernel({ cpus: 4, workload: plan, duration: seconds, seed: 1 });
  kernel.runToEnd();
  return kernel.result(0, plan.warnings);
}

describe("on the kernel", () => {
  it.each([
    ["hackbench", { groups: 2, fds: 4, loops: 20 }],
    ["pipe", { loops: 500 }],
    ["compile", { jobs: 16, parallel: 4 }],
  ] as const)("%s runs to completion", (name, params) => {
    const r = run(loadWorkload(name, params), 5);
    expect(r.invariants.alive).toBe(0);
    expect(r.invariants.exited).toBe(r.invariants.created);
  });

  const dir = new URL("./fixtures/", import.meta.url);
  it.each(readdirSync(dir).filter((f) => f.endsWith(".json")))("%s does not stall: live task groups keep getting CPU", (f) => {
    const plan = parseWorkload(readFileSync(new URL(f, dir), "utf8"), f);
    const half = run(plan, 0.5);
    const full = run(plan, 1);
    for (const [name, g] of Object.entries(full.groups)) {
      const exited = full.tasks.filter((t) => t.group === name).every((t) => t.exitNs !== null);
      if (!exited) expect([name, g.cpuNs > (half.groups[name]?.cpuNs ?? 0)]).toEqual([name, true]);
    }
  });

  it("schbench keeps its workers busy (no lost-wakeup stall)", () => {
    const r = run(loadWorkload("schbench", {}), 1);
    expect(r.groups["worker"]!.cpuNs).toBeGreaterThan(0.5e9);
  });
});
