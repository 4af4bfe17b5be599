import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scxlab } from "../helpers/cli.js";
import { closestNames, didYouMean, editDistance } from "../../cli/suggest.js";
import { formatList, listData, LIST_SCHEMA } from "../../cli/commands/list.js";
import { COMMANDS } from "../../cli/commands/help.js";

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string }).version;

describe("CLI conventions (issue 14.12)", () => {
  it.each([["--version"], ["-V"]])("%s prints the package version and exits 0", (flag) => {
    const r = scxlab(flag);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(VERSION);
  });

  it("-h is --help, and `help <command>` is `<command> --help`, all exit 0", () => {
    const h = scxlab("-h"), help = scxlab("--help");
    expect(h.code).toBe(0);
    expect(h.out).toBe(help.out);
    expect(h.out).toMatch(/scxlab help \[command\]/);
    const a = scxlab("help", "compare"), b = scxlab("compare", "--help");
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).toContain("--baseline");
    expect(scxlab("help").out).toBe(help.out);
  });

  it("`help` knows exactly the commands the CLI has", () => {
    const listed = [...scxlab("--help").out.matchAll(/^ {2}scxlab ([a-z-]+)/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...COMMANDS].sort());
  });

  it("help for an unknown command is bad input with a suggestion", () => {
    const r = scxlab("help", "comapre");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^scxlab: help comapre: expected a command .*; did you mean compare\?$/);
  });

  it("help through a pipe keeps every description whole (no word broken across lines)", () => {
    const out = scxlab("--help").out + scxlab("compare", "--help").out;
    expect(out).toContain("compare schedulers on workloads over several seeds and write an HTML report");
    expect(out).toContain("stop a run still going after this many wall seconds (its worker is terminated) and go on");
    // A broken word leaves a line that starts with a lower-case fragment glued to nothing.
    for (const line of out.split("\n")) expect(line).not.toMatch(/^\s+[a-z]{1,3}$/);
  });

  it("list --json is the same registry as the text, as JSON", () => {
    const r = scxlab("list", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toEqual(JSON.parse(JSON.stringify(listData())));
    expect(j.schema).toBe(LIST_SCHEMA);
    const text = formatList();
    for (const s of j.schedulers) expect(text).toContain(`  ${s.name} `);
    for (const w of j.workloads) expect(text).toContain(`  ${w.name}  `);
    expect(j.schedulers[0].name).toBe("fair");
  });

  it.each([
    [["run", "-s", "bpflnd"], /unknown scheduler "bpflnd" .*; did you mean bpfland\?$/],
    [["compare", "-s", "simple,simpel"], /unknown scheduler "simpel" .*; did you mean simple\?$/],
    [["run", "-w", "mixd"], /^scxlab: mixd: expected a built-in workload .*; did you mean mixed\?$/],
    [["compare", "-w", "schbnch"], /did you mean schbench\?$/],
    [["crash-demo", "-s", "qmpa"], /did you mean qmap\?$/],
  ])("%j suggests the name meant, exit 2", (args, msg) => {
    const r = scxlab(...args);
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(msg);
  });
});

describe("did you mean", () => {
  it("edit distance counts insertions, deletions, substitutions and neighbour swaps", () => {
    expect(editDistance("mixd", "mixed")).toBe(1);
    expect(editDistance("simpel", "simple")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
  it("distance is symmetric and zero only for equal strings (property)", () => {
    fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b) === 0).toBe(a === b);
      expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
    }));
  });
  it("suggests only close names, closest first", () => {
    expect(closestNames("bpflnd", ["simple", "bpfland", "lavd"])).toEqual(["bpfland"]);
    expect(closestNames("zzzzzz", ["simple", "bpfland"])).toEqual([]);
    expect(didYouMean("zzzzzz", ["simple"])).toBe("");
    expect(didYouMean("rr", ["rr:a", "rr:b"])).toBe("; did you mean rr:a or rr:b?");
  });
});
