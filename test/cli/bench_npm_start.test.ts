import { describe, expect, it } from "vitest";
import { npmStartTarget } from "../../cli/bench/run.js";

describe("bench: the npm start target (issue 20.1, never slower on 2 workers)", () => {
  it("is met by construction when no pool thread ran a job, whatever the noisy wall pairs say", () => {
    const t = npmStartTarget({ name: "npm start", ratios: [0.84, 1.01, 0.95], threads2: [0] }, "0.95x");
    expect(t.met).toBe(true);
    expect(t.measured).toContain("no pool thread started");
  });

  it("is judged by every pair once a pool thread ran jobs", () => {
    expect(npmStartTarget({ name: "npm start", ratios: [1.2, 0.99], threads2: [0, 1] }, "").met).toBe(false);
    expect(npmStartTarget({ name: "npm start", ratios: [1.2, 1.0], threads2: [0, 1] }, "").met).toBe(true);
    expect(npmStartTarget({ name: "npm start", ratios: [1.3], threads2: [1, 2] }, "").measured).toContain("a pool thread ran jobs");
  });
});
