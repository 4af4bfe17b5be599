/** `scxlab list`: schedulers, workloads (with their parameters) and topology presets. */
import type { Argv } from "yargs";
import { SCHEDULERS, FAIR } from "../../schedulers/index.js";
import { BUILTINS } from "../../workloads/builtin/index.js";
import { topologyPresets } from "../../sim/topology.js";
import { table } from "../format_run.js";

export function listCommand(y: Argv): Argv {
  return y.command("list", "list schedulers, workloads and topologies", (c) => c, () => {
    process.stdout.write(`${formatList()}\n`);
  });
}

export function formatList(): string {
  const out: string[] = ["Schedulers (-s NAME, options -o key=value):", ""];
  const rows = [["name", "description", "modelled on"], [FAIR, "the default class alone (EEVDF/CFS-like), no sched_ext scheduler attached", "kernel/sched/fair.c"]];
  for (const s of SCHEDULERS) rows.push([s.name, s.description, s.origin]);
  out.push(...table(rows, true).map((l) => `  ${l}`));
  for (const s of SCHEDULERS) {
    const opts = Object.entries(s.options);
    if (opts.length === 0) continue;
    out.push("", `  ${s.name} options:`);
    for (const [k, o] of opts) out.push(`    ${k}=${String(o.default)}  ${o.doc}`);
  }
  out.push("", "Workloads (-w NAME or a .json file, parameters -p key=value):", "");
  for (const b of BUILTINS) {
    out.push(`  ${b.name}  ${b.description}`);
    for (const [k, p] of Object.entries(b.params)) out.push(`    ${k}=${String(p.default)}  ${p.doc}`);
  }
  out.push("", `Topologies (--topology): a CPU count, a JSON file, or ${topologyPresets().join(", ")}`);
  return out.join("\n");
}
