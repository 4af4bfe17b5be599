/**
 * `npm test` runs the quick validation subset in this process and asserts that every check of
 * every quick case passes. A case whose scheduler is not registered is reported as skipped,
 * with the reason in its name: never a silent pass.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runSuite, selectCases } from "../../cli/validate/runner.js";
import { missingSchedulers } from "../../cli/validate/harness.js";
import { formatText, fmtRel, fmtSim, fmtTol, fmtValue } from "../../cli/validate/output.js";
import type { ValidationReport } from "../../cli/validate/types.js";

const cases = selectCases(true);
let report: ValidationReport;

describe("scxlab validate --quick", () => {
  beforeAll(async () => {
    report = await runSuite({ quick: true });
    if (report.failed > 0) process.stderr.write(`${formatText(report)}\n`);
  }, 300_000);

  it("covers the model families the issue asks for", () => {
    const ids = cases.map((c) => c.id).join(" ");
    for (const family of ["mm1-fifo-rho0.5", "mm1-fifo-rho0.9", "mmc", "md1", "mg1", "ps-rr", "priority", "srpt", "shares-1cpu", "waterfill", "rr-switch-cost", "textbook"]) {
      expect(ids).toContain(family);
    }
  });

  for (const c of cases) {
    it(c.id, () => {
      // Every scheduler a case names is built in: one missing is a failure, not a skip.
      expect(c.scheds.flatMap(missingSchedulers)).toEqual([]);
      const mine = report.checks.filter((x) => x.caseId === c.id);
      expect(mine.length).toBe(c.checks(true).length);
      const bad = mine.filter((x) => x.verdict !== "PASS").map((x) =>
        `${x.label}: analytic ${fmtValue(x.analytic, x.unit)}, sim ${fmtSim(x)}, rel ${fmtRel(x)}, tolerance ${fmtTol(x)} ${x.note}`);
      expect(bad).toEqual([]);
    });
  }
});
