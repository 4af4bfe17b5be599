/**
 * The commands of scxlab: what the top-level help lists for each, and how to load its module.
 * main.ts loads only the module of the command that runs (the others are listed by name), so
 * `scxlab list` and `scxlab --help` never load the simulator, the report or the compilers.
 */
import type { Argv } from "yargs";

export interface CommandEntry {
  /** The yargs command string: the name and its positionals. */
  readonly usage: string;
  readonly describe: string;
  /** Loads the command's module; what it returns registers the command (builder and handler). */
  readonly load: () => Promise<(y: Argv) => Argv>;
}

export const COMMAND_TABLE = {
  run: {
    usage: "run",
    describe: "run one scheduler on one workload",
    load: async () => (await import("./run.js")).runCommand,
  },
  list: {
    usage: "list [files..]",
    describe: "list schedulers, workloads and topologies (or the options of scheduler module files)",
    load: async () => (await import("./list.js")).listCommand,
  },
  compare: {
    usage: "compare",
    describe: "compare schedulers on workloads over several seeds and write an HTML report",
    load: async () => (await import("./compare.js")).compareCommand,
  },
  "crash-demo": {
    usage: "crash-demo",
    describe: "watch a sched_ext scheduler get evicted when its loader crashes (or another fault) and every task return to fair",
    load: async () => (await import("./crash_demo.js")).crashDemoCommand,
  },
  validate: {
    usage: "validate",
    describe: "check the simulator against queueing theory and textbook schedules",
    load: async () => (await import("./validate.js")).validateCommand,
  },
  import: {
    usage: "import <trace>",
    describe: "turn a recorded schedule (perf sched timehist or perf script output) into a workload file",
    load: async () => (await import("./import.js")).importCommand,
  },
  merge: {
    usage: "merge <files..>",
    describe: "merge the results.json of sweep shards (compare --shard i/n) and render one report",
    load: async () => (await import("./merge.js")).mergeCommand,
  },
  bench: {
    usage: "bench",
    describe: "measure the simulator: events/s, the M/M/4 yardstick, worker scaling, memory (writes bench.json, bench.html)",
    load: async () => (await import("./bench.js")).benchCommand,
  },
} satisfies Readonly<Record<string, CommandEntry>>;
