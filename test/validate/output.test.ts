import { describe, expect, it } from "vitest";
import { formatMarkdown, formatText, renderHtml, toJson } from "../../cli/validate/output.js";
import { evaluate, RULE } from "../../cli/validate/runner.js";
import type { CaseDef, CheckOutcome, ValidationReport } from "../../cli/validate/types.js";

const evil = "<script>alert(1)</script>&\"'";

function fakeCase(checks: CaseDef["checks"]): CaseDef {
  return {
    id: "fake", title: evil, model: evil, formula: evil, source: "§0", scheds: [{ kind: "fair" }],
    quick: true, deterministic: false, run: () => ({}), checks,
  };
}

function report(checks: CheckOutcome[]): ValidationReport {
  return {
    schema: "scxlab.validate/1", quick: true, seeds: 3, rule: RULE, familyAlpha: 0.05, statisticalChecks: 1, wallMs: 1, checks,
    passed: checks.filter((c) => c.verdict === "PASS").length, failed: checks.filter((c) => c.verdict === "FAIL").length, skipped: 0,
  };
}

describe("validation verdicts", () => {
  const check = { metric: "m", label: evil, unit: "ms" as const, analytic: 1e6, kind: "ci" as const, allowance: 0, allowanceWhy: evil };

  it("passes when the analytic value is inside the corrected interval", () => {
    const [c] = evaluate(fakeCase(() => [check]), true, [{ m: 0.99e6 }, { m: 1.01e6 }, { m: 1.0e6 }], null, 1);
    expect(c.verdict).toBe("PASS");
    expect(c.half95).toBeGreaterThan(0);
    expect(c.accept).toBeGreaterThanOrEqual(c.half95! * (1 - 1e-12));
  });

  it("fails when it is far outside, and when a run failed or measured nothing", () => {
    expect(evaluate(fakeCase(() => [check]), true, [{ m: 2e6 }, { m: 2.01e6 }, { m: 2.02e6 }], null, 1)[0].verdict).toBe("FAIL");
    expect(evaluate(fakeCase(() => [check]), true, [], "boom", 1)[0].verdict).toBe("FAIL");
    expect(evaluate(fakeCase(() => [check]), true, [{ m: NaN }, { m: 1 }], null, 1)[0].verdict).toBe("FAIL");
    expect(evaluate(fakeCase(() => [check]), true, [{ m: 1e6 }], null, 1)[0].verdict).toBe("FAIL");
  });

  it("a Bonferroni split over more checks widens the band", () => {
    const xs = [{ m: 0.99e6 }, { m: 1.02e6 }, { m: 1.0e6 }, { m: 1.01e6 }];
    const one = evaluate(fakeCase(() => [check]), true, xs, null, 1)[0];
    const many = evaluate(fakeCase(() => [check]), true, xs, null, 50)[0];
    expect(many.accept!).toBeGreaterThan(one.accept!);
  });

  it("deterministic checks compare against the allowance alone", () => {
    const exact = { ...check, kind: "exact" as const, allowance: 1 };
    expect(evaluate(fakeCase(() => [exact]), true, [{ m: 1e6 + 1 }], null, 1)[0].verdict).toBe("PASS");
    expect(evaluate(fakeCase(() => [exact]), true, [{ m: 1e6 + 2 }], null, 1)[0].verdict).toBe("FAIL");
  });

  it("a missing scheduler is a SKIP with the reason, not a pass", () => {
    const c: CaseDef = { ...fakeCase(() => [check]), scheds: [{ kind: "registry", name: "no-such-scheduler", options: {} }] };
    const [o] = evaluate(c, true, [], null, 1);
    expect(o.verdict).toBe("SKIP");
    expect(o.note).toContain("no-such-scheduler not available");
  });
});

describe("validation output", () => {
  const checks = evaluate(fakeCase(() => [{ metric: "m", label: evil, unit: "%", analytic: 0.5, kind: "ci", allowance: 0, allowanceWhy: evil }]), true, [{ m: 0.5 }, { m: 0.51 }], null, 1);
  const r = report(checks);

  it("the HTML page escapes every string and loads nothing", () => {
    const html = renderHtml(r);
    expect(html).not.toContain("<script");
    expect(html).toContain("&#60;script&#62;");
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("text, Markdown and JSON carry the checks", () => {
    expect(formatText(r)).toContain("Rule: PASS when");
    expect(formatMarkdown(r).split("\n").length).toBe(2 + checks.length);
    expect(JSON.parse(toJson(r)).checks[0].analytic).toBe(0.5);
  });
});
