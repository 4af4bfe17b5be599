/** `scxlab list`: schedulers, workloads (with their parameters) and topology presets; `--json` for scripts. */
import type { Argv } from "yargs";
import { COMMAND_TABLE } from "./table.js";
import { LIST_TABLE } from "./list_table.js";
import { FAIR, schedulerSpec } from "../../schedulers/source/spec.js";
import { CliError } from "../errors.js";
import { topologyPresets } from "../../sim/topology.js";
import { table } from "../text_table.js";

export const LIST_SCHEMA = "scxlab.list/1";

type Value = string | number | boolean;

/** What `list` shows, as plain data (the text and the JSON are both made from it). */
export interface ListData {
  schema: typeof LIST_SCHEMA;
  schedulers: { name: string; description: string; origin: string; options: Record<string, { default: Value; doc: string }> }[];
  workloads: { name: string; description: string; params: Record<string, { default: Value; doc: string }> }[];
  topologies: string[];
}

/** The registries' part of ListData, kept in list_table.ts (loading every scheduler module to list them costs ~25 ms). */
export type ListTable = Pick<ListData, "schedulers" | "workloads">;

export function listCommand(y: Argv): Argv {
  return y.command(
    COMMAND_TABLE["list"].usage,
    COMMAND_TABLE["list"].describe,
    (c) => c.option("json", { type: "boolean", describe: "print the same as JSON" })
      .positional("files", { type: "string", array: true, describe: "scheduler module files (.js, .mjs, .ts) whose options to list" }),
    async (argv) => {
      const files = (argv["files"] as string[] | undefined) ?? [];
      if (files.length > 0) {
        const mods = await moduleData(files);
        process.stdout.write(argv["json"] === true ? `${JSON.stringify(mods, null, 1)}\n` : `${formatModules(mods)}\n`);
        return;
      }
      process.stdout.write(argv["json"] === true ? `${JSON.stringify(listData(), null, 1)}\n` : `${formatList()}\n`);
    },
  );
}

/** A user's module files and their options (each loaded and checked as `-s FILE` would). */
async function moduleData(files: readonly string[]): Promise<ListData["schedulers"]> {
  // The resolver loads the module and BPF loaders: only listing files needs it.
  const { prepareScheduler, schedulerOptions } = await import("../../schedulers/index.js");
  const out: ListData["schedulers"] = [];
  for (const file of files) {
    const spec = schedulerSpec(file);
    if (spec.kind !== "module") throw new CliError(`list ${file}: expected a scheduler module file (.js, .mjs, .ts)`);
    await prepareScheduler(spec);
    const options = Object.fromEntries(Object.entries(schedulerOptions(spec)).map(([k, v]) => [k, { default: v.default, doc: v.doc }]));
    out.push({ name: file, description: "a user's scheduler module", origin: file, options });
  }
  return out;
}

function formatModules(mods: ListData["schedulers"]): string {
  const out: string[] = [];
  for (const m of mods) {
    const opts = Object.entries(m.options);
    out.push(`${m.name} options${opts.length === 0 ? ": none" : ":"}`);
    for (const [k, o] of opts) out.push(`  ${k}=${String(o.default)}  ${o.doc}`);
  }
  return out.join("\n");
}

export function listData(): ListData {
  return {
    schema: LIST_SCHEMA,
    schedulers: [
      { name: FAIR, description: "the default class alone (EEVDF/CFS-like), no sched_ext scheduler attached", origin: "kernel/sched/fair.c", options: {} },
      ...LIST_TABLE.schedulers,
    ],
    workloads: LIST_TABLE.workloads,
    topologies: topologyPresets(),
  };
}

export function formatList(): string {
  const d = listData();
  const out: string[] = ["Schedulers (-s NAME, options -o key=value):", ""];
  const rows = [["name", "description", "modelled on"], ...d.schedulers.map((s) => [s.name, s.description, s.origin])];
  out.push(...table(rows, true).map((l) => `  ${l}`));
  for (const s of d.schedulers) {
    const opts = Object.entries(s.options);
    if (opts.length === 0) continue;
    out.push("", `  ${s.name} options:`);
    for (const [k, o] of opts) out.push(`    ${k}=${String(o.default)}  ${o.doc}`);
  }
  out.push("", "Workloads (-w NAME or a .json file, parameters -p key=value):", "");
  for (const b of d.workloads) {
    out.push(`  ${b.name}  ${b.description}`);
    for (const [k, p] of Object.entries(b.params)) out.push(`    ${k}=${String(p.default)}  ${p.doc}`);
  }
  out.push("", `Topologies (--topology): a CPU count, a JSON file, or ${d.topologies.join(", ")}`);
  return out.join("\n");
}
