import { describe, expect, it } from "vitest";
import { hog, plan, task } from "../../helpers/plan.js";
import type { RunResult } from "../../../sim/result.js";
import { S, run, start } from "./run.js";

describe("rusty", () => {
  it("keeps tasks in their LLC domain: 12 hogs and 4 sleepers on 2llc-8c migrate across LLCs under 20 times in 5 s, against over 1000 under simple", () => {
    const p = plan([hog("h", 0, { instances: 12 }), task("s", [{ kind: "run", us: 2000 }, { kind: "sleep", us: 3000 }], { instances: 4 })]);
    const simple = run("simple", p, { topology: "2llc-8c", durationNs: 5 * S });
    const rusty = run("rusty", p, { topology: "2llc-8c", durationNs: 5 * S });
    expect(simple.totals.migrations.llc).toBeGreaterThan(1000);
    expect(rusty.totals.migrations.llc).toBeLessThan(20);
    expect(rusty.totals.utilization).toBe(1);
  });

  it("with stealing off, the load balancer (every 2 s) moves hogs into the idle domain: LLC 1 is 20 % busy before it and over 85 % busy in the next second", () => {
    // Tasks are dealt to domains in turn: the 8 hogs land in domain 0, the 8 light tasks (10 % each) in domain 1.
    const specs = [];
    for (let i = 0; i < 8; i++) specs.push(hog(`h${i}`), task(`l${i}`, [{ kind: "run", us: 1000 }, { kind: "sleep", us: 9000 }]));
    const { m } = start("rusty", plan(specs), { topology: "2llc-8c", durationNs: 3 * S, options: { greedy_threshold: 0 } });
    const llc1Busy = (r: RunResult) => r.cpus.slice(4).reduce((a, c) => a + c.busyNs, 0);
    m.runFor(2 * S);
    const before = llc1Busy(m.result(0));
    m.runFor(1 * S);
    const r = m.result(0);
    expect(r.scx.exit).toBeNull();
    expect(Math.abs(before / (4 * 2 * S) - 0.2)).toBeLessThan(0.01);
    expect((llc1Busy(r) - before) / (4 * S)).toBeGreaterThan(0.85);
    expect(r.scx.events.lb_moved).toBeGreaterThanOrEqual(3);
  });
});
