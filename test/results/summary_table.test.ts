import { describe, expect, it } from "vitest";
import { aggregate, confidenceInterval, formatEstimate, formatQuantity, formatSummaryTable } from "../../results/index.js";
import { makeRun, makeSweep } from "./fixtures.js";

describe("unit formatting", () => {
  it("picks ns, µs, ms, s by size with ~3 significant digits", () => {
    expect(formatQuantity(512, "ns")).toBe("512 ns");
    expect(formatQuantity(12_345, "ns")).toBe("12.3 µs");
    expect(formatQuantity(1_500_000, "ns")).toBe("1.50 ms");
    expect(formatQuantity(2e9, "ns")).toBe("2.00 s");
    expect(formatQuantity(9400, "rps")).toBe("9.40 k/s");
    expect(formatQuantity(940, "rps")).toBe("940 /s");
    expect(formatQuantity(4870, "count")).toBe("4.87 k");
    expect(formatQuantity(0.98765, "ratio")).toBe("0.988");
    expect(formatQuantity(null, "count")).toBe("—");
  });
  it("puts the half-width on the mean's scale", () => {
    expect(formatEstimate(confidenceInterval([12_000, 13_000, 14_000]), "ns")).toBe("13.0 ± 2.5 µs");
    expect(formatEstimate(confidenceInterval([12_000]), "ns")).toBe("12.0 µs");
  });
});

describe("formatSummaryTable", () => {
  const text = formatSummaryTable(aggregate(makeSweep()));
  const lines = text.split("\n");

  it("has one block per workload, each with a header and a line per scheduler", () => {
    expect(lines.filter((l) => l.startsWith("workload: "))).toHaveLength(2);
    expect(lines.filter((l) => /^rr:slice_us=100 (!)?\s+3\s/.test(l))).toHaveLength(2);
    expect(text).toContain("(3 seeds)");
  });

  it("aligns columns: a block's lines have their '±' at the same positions", () => {
    const block = lines.slice(lines.indexOf(lines.find((l) => l.startsWith("workload: mixed"))!) + 2).slice(0, 3);
    const positions = block.map((l) => [...l].flatMap((c, i) => (c === "±" ? [i] : [])).join(","));
    expect(new Set(positions).size).toBe(1);
  });

  it("marks the best and the significant best", () => {
    // The second workload's rr row: on "mixed" rr exited in one run and is not ranked.
    const rr = lines.filter((l) => /^rr:slice_us=100\s+3\s/.test(l))[0]!;
    expect(rr).toMatch(/µs \*\*/); // the lowest wakeup latency, well separated
    expect(text).toContain("** best and its CI separates");
  });

  it("keeps control characters out of the terminal", () => {
    const r = makeRun({ workload: "evil\u001b[2Jname\u202e" });
    const text = formatSummaryTable(aggregate([r]));
    expect(text).toContain("evil\\u001b[2Jname\\u202e");
    expect(text).not.toMatch(/[\u001b\u202e]/);
  });
});
