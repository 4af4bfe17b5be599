/** The README's scheduler table says what `scxlab list` says: names and every option's default. */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listData } from "../../cli/commands/list.js";

const README = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

describe("README drift (issue 14.15)", () => {
  const lines = README.split("\n");
  const start = lines.indexOf("| name | modelled on | idea | options (default) |");
  const rows = lines.slice(start + 2, lines.indexOf("", start));
  const table = new Map(rows.map((l) => {
    const cells = l.split(" | ");
    const name = /`([^`]+)`/.exec(cells[0]!)![1]!;
    const opts = [...cells[cells.length - 1]!.matchAll(/`([A-Za-z_0-9]+)=([^`]*)`/g)].map((m) => [m[1]!, m[2]!] as const);
    return [name, new Map(opts)];
  }));

  it("has the scheduler table", () => expect(start).toBeGreaterThan(0));

  it("lists every scheduler with the defaults the registry has", () => {
    const data = listData();
    expect([...table.keys()]).toEqual(data.schedulers.map((s) => s.name));
    for (const s of data.schedulers) {
      const documented = table.get(s.name)!;
      expect([...documented.keys()].sort(), s.name).toEqual(Object.keys(s.options).sort());
      for (const [k, o] of Object.entries(s.options)) expect(documented.get(k), `${s.name} ${k}`).toBe(String(o.default));
    }
  });
});
