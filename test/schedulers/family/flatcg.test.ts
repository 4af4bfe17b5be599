import { describe, expect, it } from "vitest";
import { hog, plan } from "../../helpers/plan.js";
import { S, run } from "./run.js";

describe("flatcg", () => {
  it("cgroups /a (weight 100) and /b (weight 200), two hogs each on 2 CPUs, share the CPUs 1:2 (within 3 %)", () => {
    const p = plan([hog("a", 0, { instances: 2, taskgroup: "/a" }), hog("b", 0, { instances: 2, taskgroup: "/b" })],
      { cgroups: [{ path: "/a", weight: 100 }, { path: "/b", weight: 200 }] });
    const r = run("flatcg", p, { topology: "2", durationNs: 10 * S });
    expect(r.groups.a.cpuNs + r.groups.b.cpuNs).toBe(2 * 10 * S);
    expect(Math.abs(r.groups.b.cpuNs / r.groups.a.cpuNs / 2 - 1)).toBeLessThan(0.03);
  });

  it("flattens the hierarchy R{A(100){B(100), C(100)}, D(200)}: B, C and D get 1/6, 1/6 and 2/3 (within 3 %)", () => {
    const p = plan([
      hog("b", 0, { instances: 2, taskgroup: "/A/B" }), hog("c", 0, { instances: 2, taskgroup: "/A/C" }), hog("d", 0, { instances: 2, taskgroup: "/D" }),
    ], { cgroups: [{ path: "/A", weight: 100 }, { path: "/A/B", weight: 100 }, { path: "/A/C", weight: 100 }, { path: "/D", weight: 200 }] });
    const r = run("flatcg", p, { topology: "2", durationNs: 10 * S });
    const total = r.groups.b.cpuNs + r.groups.c.cpuNs + r.groups.d.cpuNs;
    const want = { b: 1 / 6, c: 1 / 6, d: 2 / 3 };
    for (const [g, share] of Object.entries(want)) expect(Math.abs(r.groups[g].cpuNs / total / share - 1), g).toBeLessThan(0.03);
  });

  it("with equal cgroup weights the two cgroups split evenly (within 3 %)", () => {
    const p = plan([hog("a", 0, { instances: 2, taskgroup: "/a" }), hog("b", 0, { instances: 2, taskgroup: "/b" })]);
    const r = run("flatcg", p, { topology: "2", durationNs: 10 * S });
    expect(Math.abs(r.groups.b.cpuNs / r.groups.a.cpuNs - 1)).toBeLessThan(0.03);
  });
});
