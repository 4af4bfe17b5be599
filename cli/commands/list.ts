/** `scxlab list`: schedulers, workloads (with their parameters) and topology presets; `--json` for scripts. */
import type { Argv } from "yargs";
import { SCHEDULERS, FAIR } from "../../schedulers/index.js";
import { BUILTINS } from "../../workloads/builtin/index.js";
import { topologyPresets } from "../../sim/topology.js";
import { table } from "../format_run.js";

export const LIST_SCHEMA = "scxlab.list/1";

type Value = string | number | boolean;

/** What `list` shows, as plain data (the text and the JSON are both made from it). */
export interface ListData {
  schema: typeof LIST_SCHEMA;
  schedulers: { name: string; description: string; origin: string; options: Record<string, { default: Value; doc: string }> }[];
  workloads: { name: string; description: string; params: Record<string, { default: Value; doc: string }> }[];
  topologies: string[];
}

export function listCommand(y: Argv): Argv {
  return y.command(
    "list",
    "list schedulers, workloads and topologies",
    (c) => c.option("json", { type: "boolean", describe: "print the same as JSON" }),
    (argv) => {
      process.stdout.write(argv["json"] === true ? `${JSON.stringify(listData(), null, 1)}\n` : `${formatList()}\n`);
    },
  );
}

export function listData(): ListData {
  const docs = (o: Readonly<Record<string, { default: Value; doc: string }>>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { default: v.default, doc: v.doc }]));
  return {
    schema: LIST_SCHEMA,
    schedulers: [
      { name: FAIR, description: "the default class alone (EEVDF/CFS-like), no sched_ext scheduler attached", origin: "kernel/sched/fair.c", options: {} },
      ...SCHEDULERS.map((s) => ({ name: s.name, description: s.description, origin: s.origin, options: docs(s.options) })),
    ],
    workloads: BUILTINS.map((b) => ({ name: b.name, description: b.description, params: docs(b.params) })),
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
