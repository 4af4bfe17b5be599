import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveBaseline } from "../../cli/commands/compare.js";
import { CliError } from "../../cli/errors.js";
import type { SchedulerArg } from "../../cli/args.js";
import { scxlab } from "../helpers/cli.js";



describe("compare --baseline", () => {
  const specs: SchedulerArg[] = [{ name: "simple", options: {} }, { name: "rr", options: { slice_us: "100" } }, { name: "rr", options: { slice_us: "500" } }];
  it("defaults to the first scheduler", () => expect(resolveBaseline(undefined, specs)).toBe("simple"));
  it("takes a configuration as written in -s", () => expect(resolveBaseline("rr:slice_us=500", specs)).toBe("rr:slice_us=500"));
  it("a bare name must be unambiguous", () => {
    expect(() => resolveBaseline("rr", specs)).toThrow(/several configurations/);
    expect(resolveBaseline("rr", specs.slice(0, 2))).toBe("rr:slice_us=100");
  });
  it("an unknown one is bad input with a suggestion", () => {
    expect(() => resolveBaseline("simpel", specs)).toThrow(CliError);
    expect(() => resolveBaseline("simpel", specs)).toThrow(/did you mean simple\?/);
  });
});

describe("compare with an ejected scheduler (issue 14.3)", () => {
  it("flags the ejected row with its exit, ranks the other, and the CSV carries kind and time", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-verdicts-"));
    const r = scxlab("compare", "-s", "simple,qmap:test_error_cnt=10", "-w", "mixed", "--duration", "0.3", "--seeds", "2", "--workers", "1", "--out", dir);
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    const qmap = lines.find((l) => l.startsWith("qmap"))!;
    expect(qmap).toMatch(/^qmap:test_error_cnt=10 !/);
    expect(qmap).toMatch(/ERROR\w* at [\d.]+ ms/);
    expect(qmap).not.toContain("*");
    expect(lines.find((l) => l.startsWith("simple"))).toContain("*");
    expect(r.out).toContain("relative to simple");
    const csv = readFileSync(join(dir, "results.csv"), "utf8").split("\r\n");
    const head = csv[0]!.split(",");
    const qrow = csv.find((l) => l.startsWith("qmap"))!.split(",");
    expect(qrow[head.indexOf("exit_kind")]).toMatch(/^SCX_EXIT_ERROR/);
    expect(Number(qrow[head.indexOf("exit_at_ns")])).toBeGreaterThan(0);
  });
});
