import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scxlab } from "../helpers/cli.js";

describe("scxlab validate (CLI)", () => {
  it("runs the selected cases and writes validate.json and validate.html", () => {
    const dir = mkdtempSync(join(tmpdir(), "scxlab-validate-"));
    const r = scxlab("validate", "--quick", "--case", "^textbook-(rr|srtf)$", "--workers", "1", "--out", dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("textbook-rr");
    expect(r.out).toMatch(/6 checks in 2 cases, 6 passed, 0 failed/);
    const j = JSON.parse(readFileSync(join(dir, "validate.json"), "utf8"));
    expect(j.schema).toBe("scxlab.validate/1");
    expect(j.checks.every((c: { verdict: string }) => c.verdict === "PASS")).toBe(true);
    expect(existsSync(join(dir, "validate.html"))).toBe(true);
  });

  it("bad flags are one line and exit 2", () => {
    for (const args of [["--seeds", "1"], ["--seeds", "x"], ["--case", "no-such-case"], ["--case", "("], ["--workers", "0"]]) {
      const r = scxlab("validate", "--quick", ...args);
      expect(r.code).toBe(2);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
  });
});
