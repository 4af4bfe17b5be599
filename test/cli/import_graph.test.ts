/**
 * What each entry point loads before it runs anything (issue 20.1 and 20.4): the static import
 * graph of the TypeScript sources, followed from an entry through every `import … from "./…"`
 * (type-only imports and dynamic `import()` are not loaded up front, so they are not followed).
 * `scxlab --help` and `scxlab list` must not load the simulator, the report or d3; a pool
 * thread must not load the report, d3, yargs or the commands. And the layers (issue 12): sim/
 * imports nothing above it, schedulers/, workloads/ and results/ only sim/, whatever the kind
 * of import.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

/** Every module (repository-relative source path, or a package name) `entry` loads statically. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = relative(ROOT, file);
    if (seen.has(rel)) return;
    seen.add(rel);
    const src = readFileSync(file, "utf8");
    for (const m of src.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      if (spec.startsWith(".")) visit(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      else seen.add(spec);
    }
  };
  visit(join(ROOT, entry));
  return seen;
}

const loads = (graph: Set<string>, prefix: string) => [...graph].filter((m) => m === prefix || m.startsWith(prefix));

describe("static import graphs of the entry points", () => {
  it("the walker follows value imports and skips type-only ones (a graph that would catch a regression)", () => {
    const registry = staticGraph("schedulers/registry.ts");
    expect(registry.has("schedulers/lavd.ts")).toBe(true);
    expect(registry.has("sim/ext/consts.ts")).toBe(true);
    const list = staticGraph("cli/commands/list.ts");
    expect(list.has("cli/commands/list_table.ts")).toBe(true);
    // `import type { Argv } from "yargs"` and list_table's type import of list.ts cost nothing at run time.
    expect(list.has("yargs")).toBe(false);
    expect(staticGraph("cli/worker.ts").has("sim/kernel.ts")).toBe(true);
  });

  it("`scxlab --help` loads no command, no simulator, no report and no d3 (yargs comes through require)", () => {
    const g = staticGraph("cli/main.ts");
    for (const p of ["sim/kernel", "sim/machine", "schedulers/", "workloads/", "results/", "cli/commands/list", "cli/commands/run", "d3", "yargs", "typescript"]) {
      expect(loads(g, p), p).toEqual([]);
    }
  });

  it("`scxlab list` loads the table it prints, not the scheduler or workload modules, the engine, the report or d3", () => {
    const g = staticGraph("cli/commands/list.ts");
    for (const p of ["schedulers/registry", "schedulers/index", "schedulers/lib/", "schedulers/simple", "schedulers/lavd", "sim/ext/", "workloads/", "sim/kernel", "sim/machine", "sim/bpf", "results/", "cli/pool", "d3", "typescript"]) {
      expect(loads(g, p), p).toEqual([]);
    }
    // What it does load: a handful of small modules beside the table (issue 20.4: each ES module costs ~1 ms to start).
    expect([...g].sort()).toEqual(["cli/commands/list.ts", "cli/commands/list_table.ts", "cli/commands/table.ts", "cli/errors.ts", "cli/terminal_text.ts", "cli/text_table.ts", "schedulers/source/spec.ts", "sim/errors.ts", "sim/printable.ts", "sim/topology.ts"]);
  });

  it("a pool thread loads what a run needs: not the report, d3, yargs, the commands or the bench", () => {
    const g = new Set([...staticGraph("cli/pool_thread.ts"), ...staticGraph("cli/worker.ts")]);
    for (const p of ["results/report", "results/html", "d3", "yargs", "cli/commands/", "cli/bench/", "cli/main", "typescript", "playwright-core"]) {
      expect(loads(g, p), p).toEqual([]);
    }
  });
});

/** The top folder (layer) of every module `file` imports by a relative path, type-only and dynamic imports included. */
function importedLayers(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const specs = [
    ...[...src.matchAll(/^\s*(?:import|export)\s+(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/gm)].map((m) => m[1]),
    ...[...src.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]),
  ];
  return specs.filter((s) => s.startsWith(".")).map((s) => relative(ROOT, resolve(dirname(file), s)).split(sep)[0]);
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join(ROOT, dir, f));
}

describe("layers import downwards only (issue 12)", () => {
  // cli/ and the package root sit on top and may import any layer.
  const below: Record<string, readonly string[]> = {
    sim: ["sim"],
    schedulers: ["schedulers", "sim"],
    workloads: ["workloads", "sim"],
    results: ["results", "sim"],
  };
  it.each(Object.keys(below))("%s/ imports only from itself and the layers below", (layer) => {
    const files = sources(layer);
    expect(files.length).toBeGreaterThan(5);
    const upward = files.flatMap((f) => importedLayers(f).filter((l) => !below[layer].includes(l)).map((l) => `${relative(ROOT, f)} -> ${l}/`));
    expect(upward).toEqual([]);
  });

  it("the check sees an upward import (cli/ importing sim/ would fail it as sim/)", () => {
    expect(importedLayers(join(ROOT, "cli/job.ts"))).toContain("sim");
  });
});
