/**
 * The flags every run-like command shares (run, compare, crash-demo, ...) and their resolution
 * into the parts of a Job. yargs only parses; validation happens here so it is testable alone.
 */
import type { Argv } from "yargs";
import { CliError } from "./errors.js";
import { nonNegInt, parseKeyValues, parseOnOff, positiveInt, secondsToNs } from "./args.js";
import { loadTopology } from "./topology_file.js";
import { loadCostTable } from "./costs_file.js";
import type { CostModel } from "../sim/costs.js";
import { DEFAULT_HZ, HZ_CHOICES } from "../sim/kernel.js";
import { DEFAULT_MAX_LIVE_TASKS } from "../sim/spawner.js";

/** Highest --max-tasks: the kernel's PID_MAX_LIMIT on 64-bit machines. */
const MAX_TASKS_LIMIT = 4_194_304;

export interface RunFlags {
  w?: string | string[];
  p?: string | string[];
  cpus?: number | string;
  topology?: string;
  duration?: number | string;
  seed?: number | string;
  overheads?: string;
  hz?: number | string;
  costs?: string;
  "crash-at"?: number | string;
  antagonists?: number | string;
  warmup?: number | string;
  "max-tasks"?: number | string;
  quiet?: boolean;
}

/** Declares the shared flags on a yargs command. */
export function withRunFlags<T>(y: Argv<T>, defaults: { duration: number }): Argv<T & RunFlags> {
  return y
    .option("w", { alias: "workload", type: "string", describe: "built-in workload name or rt-app JSON file" })
    .option("p", { alias: "param", type: "string", describe: "workload parameter key=value (repeatable)" })
    .option("cpus", { type: "string", describe: "number of CPUs (flat machine) [default: 4]" })
    .option("topology", { type: "string", describe: "topology preset (see `scxlab list`) or JSON file" })
    .option("duration", { type: "string", describe: `simulated seconds [default: ${defaults.duration}]` })
    .option("seed", { type: "string", describe: "random seed [default: 1]" })
    .option("overheads", { type: "string", describe: "on: switch/migration/SMT/callback costs; off: ideal machine [default: on]" })
    .option("costs", { type: "string", describe: "cost table JSON file (figures not in it keep the defaults; see docs/costs.md)" })
    .option("hz", { type: "string", describe: `tick rate: with overheads on, ext slices end at the tick (${HZ_CHOICES.join(", ")}) [default: ${DEFAULT_HZ}]` })
    .option("crash-at", { type: "string", describe: "kill the loader with SIGSEGV at this simulated second" })
    .option("antagonists", { type: "string", describe: "mix in N CPU hogs" })
    .option("warmup", { type: "string", describe: "simulated seconds to run before measuring [default: 0]" })
    .option("max-tasks", { type: "string", describe: `most tasks alive at once; arrivals and forks beyond are refused and counted [default: ${DEFAULT_MAX_LIVE_TASKS}]` })
    .option("quiet", { alias: "q", type: "boolean", describe: "print less" }) as unknown as Argv<T & RunFlags>;
}

export interface ResolvedRunFlags {
  readonly params: Record<string, string>;
  readonly cpus: number;
  readonly topology: string;
  /** --duration, or the command's default when not given (see `durationGiven`). */
  readonly durationNs: number;
  /** Whether --duration was given; if not, the workload's own length may apply (run_length.ts). */
  readonly durationGiven: boolean;
  readonly seed: number;
  readonly overheads: boolean;
  /** --hz when given (the kernel's default otherwise). */
  readonly hz: number | undefined;
  /** --costs: the cost model read from the file, absent for the default one. */
  readonly costs?: CostModel;
  readonly crashAtNs: number | null;
  readonly antagonists: number;
  readonly warmupNs: number;
  /** --max-tasks, absent for the default cap. */
  readonly maxTasks?: number;
}

export function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Validates the shared flags (the topology is resolved once to catch errors early). */
export function resolveRunFlags(a: RunFlags, defaults: { duration: number }): ResolvedRunFlags {
  const params = parseKeyValues("-p", asList(a.p));
  const topologyFlag = single("--topology", a.topology) ?? "";
  let cpus = a.cpus === undefined ? 4 : positiveInt("--cpus", single("--cpus", a.cpus), 4096);
  if (topologyFlag !== "") {
    const t = loadTopology(topologyFlag, cpus);
    if (a.cpus !== undefined && t.nrCpus !== cpus) throw new CliError(`--cpus ${cpus} conflicts with --topology ${topologyFlag} (${t.nrCpus} CPUs)`);
    cpus = t.nrCpus;
  }
  const durationNs = secondsToNs("--duration", single("--duration", a.duration) ?? defaults.duration);
  const seed = a.seed === undefined ? 1 : nonNegInt("--seed", single("--seed", a.seed), 2 ** 31);
  const overheads = a.overheads === undefined ? true : parseOnOff("--overheads", single("--overheads", a.overheads)!);
  const hz = resolveHz(single("--hz", a.hz));
  const costsFile = single("--costs", a.costs);
  if (costsFile !== undefined && !overheads) throw new CliError(`--costs ${costsFile}: the ideal machine (--overheads off) has no costs; drop one of the two`);
  const costs = costsFile === undefined ? undefined : loadCostTable(costsFile);
  const crash = single("--crash-at", a["crash-at"]);
  const crashAtNs = crash === undefined ? null : secondsToNs("--crash-at", crash, true);
  const durationGiven = single("--duration", a.duration) !== undefined;
  // without --duration the workload may set the length: run_length.ts checks against that instead
  if (durationGiven && crashAtNs !== null && crashAtNs > durationNs) throw new CliError(`--crash-at ${crash}: expected a time within the run (≤ --duration)`);
  const antagonists = a.antagonists === undefined ? 0 : nonNegInt("--antagonists", single("--antagonists", a.antagonists), 4096);
  const warm = single("--warmup", a.warmup);
  const warmupNs = warm === undefined ? 0 : secondsToNs("--warmup", warm, true);
  if (durationGiven && warmupNs >= durationNs) throw new CliError(`--warmup ${warm}: expected less than --duration`);
  const cap = single("--max-tasks", a["max-tasks"]);
  const maxTasks = cap === undefined ? undefined : positiveInt("--max-tasks", cap, MAX_TASKS_LIMIT);
  return { params, cpus, topology: topologyFlag || String(cpus), durationNs, durationGiven, seed, overheads, hz, crashAtNs, antagonists, warmupNs, ...(maxTasks !== undefined ? { maxTasks } : {}), ...(costs !== undefined ? { costs } : {}) };
}

/** --hz: one of the kernel's CONFIG_HZ choices. */
function resolveHz(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const hz = Number(v);
  if (String(v).trim() === "" || !HZ_CHOICES.includes(hz)) throw new CliError(`--hz ${String(v)}: expected one of ${HZ_CHOICES.join(", ")} (CONFIG_HZ)`);
  return hz;
}

/** A flag that must be given at most once. */
export function single<T>(flag: string, v: T | T[] | undefined): T | undefined {
  if (Array.isArray(v)) {
    if (v.length > 1) throw new CliError(`${flag}: given more than once`);
    return v[0];
  }
  return v;
}
