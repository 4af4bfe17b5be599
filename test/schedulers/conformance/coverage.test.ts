/** The shared suite covers the whole registry and the module fixtures, and every named exception still names something real. */
import { describe, expect, it } from "vitest";
import { SCHEDULERS } from "../../../schedulers/index.js";
import { allCandidates } from "./sources.js";
import { CHECKS, EXCEPTIONS } from "./exceptions.js";
import { FLAT } from "./flat.js";
import { SHAPED } from "./shaped.js";

describe("conformance coverage", () => {
  it("runs every registered scheduler, the anchor policy simple included, and the module fixtures", async () => {
    const all = await allCandidates();
    const names = all.filter((c) => c.source === "registry").map((c) => c.name);
    expect(names).toEqual(SCHEDULERS.map((s) => s.name));
    expect(names).toContain("simple");
    expect(all.filter((c) => c.source === "module").map((c) => c.name)).toEqual(["user_simple", "factory_fifo"]);
  });

  it("every exception names a known scheduler, check and scenario kind, and gives a reason", async () => {
    const known = new Set((await allCandidates()).map((c) => c.name));
    for (const e of EXCEPTIONS) {
      expect(known.has(e.scheduler), e.scheduler).toBe(true);
      expect(CHECKS).toContain(e.check);
      if (e.scenarios !== undefined) expect([FLAT.name, SHAPED.name]).toContain(e.scenarios);
      expect(e.reason.trim().length).toBeGreaterThan(0);
    }
  });
});
