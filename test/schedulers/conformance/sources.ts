/**
 * Where the schedulers under test come from: every registered scheduler, and users' module
 * files (through the same resolver and attach path as `-s file.mjs`). A compiled BPF object
 * becomes one more entry of SOURCES, and every suite then runs it too.
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { createScheduler, prepareScheduler, SCHEDULERS, schedulerSpec } from "../../../schedulers/index.js";
import type { SchedExtOps, Scx } from "../../../sim/ext/ops.js";
import { clangTestsEnabled, compileBpfFile } from "../../ebpf/clang.js";

/** One scheduler the suites run, built fresh for every machine. */
export interface Candidate {
  /** The name its ops carry (and RunResult.scx.scheduler shows). */
  readonly name: string;
  /** Which source it came from, e.g. "registry". */
  readonly source: string;
  make(scx: Scx): SchedExtOps;
}

export interface SchedulerSource {
  readonly name: string;
  /** Loads what the source needs (files are read once) and lists its schedulers with default options. */
  candidates(): Promise<readonly Candidate[]>;
}

const registry: SchedulerSource = {
  name: "registry",
  candidates: async () => SCHEDULERS.map((e) => ({ name: e.name, source: "registry", make: (scx: Scx) => e.create(scx, {}) })),
};

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

/**
 * The well-formed module fixtures (the others in fixtures/ are broken on purpose); each one's
 * ops carry its file's base name.
 */
const MODULE_FILES = ["user_simple.mjs", "factory_fifo.ts"];

const modules: SchedulerSource = {
  name: "module",
  async candidates() {
    const out: Candidate[] = [];
    for (const file of MODULE_FILES) {
      const spec = schedulerSpec(`${FIXTURES}${file}`);
      await prepareScheduler(spec);
      out.push({ name: basename(file).replace(/\.m?[jt]s$/, ""), source: "module", make: (scx) => createScheduler(spec, scx) });
    }
    return out;
  },
};

/**
 * Compiled sched_ext objects built from our own BPF C (test/ebpf/progs), loaded through
 * `-s x.bpf.o`'s path. Without clang-19 they are left out locally; in CI (CI=true) a missing
 * clang fails the build of the list instead.
 */
const BPF_PROGRAMS = ["eng_simple.bpf.c"];

const bpfObjects: SchedulerSource = {
  name: "bpf",
  async candidates() {
    if (!clangTestsEnabled()) return [];
    const out: Candidate[] = [];
    for (const prog of BPF_PROGRAMS) {
      const spec = schedulerSpec(compileBpfFile(prog));
      await prepareScheduler(spec);
      out.push({ name: prog.replace(/\.bpf\.c$/, ""), source: "bpf", make: (scx) => createScheduler(spec, scx) });
    }
    return out;
  },
};

export const SOURCES: readonly SchedulerSource[] = [registry, modules, bpfObjects];

/** Every scheduler of every source. */
export async function allCandidates(): Promise<Candidate[]> {
  const lists = await Promise.all(SOURCES.map((s) => s.candidates()));
  return lists.flat();
}
