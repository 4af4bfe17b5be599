/**
 * Running a compiled sched_ext object (`-s x.bpf.o`): check it once when the run is set up (bad
 * objects and options become one BpfObjectError line naming the file), then instantiate it
 * afresh for every run, since each run needs its own maps and address space.
 */
import type { SchedExtOps, Scx } from "../../ext/ops.js";
import { instantiateBpfScheduler } from "./scheduler.js";
import { EngineBug } from "../../errors.js";
import { DEFAULT_HZ } from "../../kernel.js";

export { instantiateBpfScheduler, type BpfSchedulerInstance } from "./scheduler.js";

export interface BpfSchedulerFactory {
  /** The object's ops name (sched_ext_ops.name). */
  readonly name: string;
  /** Loader warnings (an object with no recipe runs with its compiled defaults). */
  readonly warnings: readonly string[];
  create(scx: Scx): SchedExtOps;
}

/**
 * Check `bytes` (the contents of `file`) with `-o name=value` options for its `.rodata`
 * variables, and return a factory for runs. Throws BpfObjectError on anything wrong.
 */
export function loadBpfScheduler(bytes: Uint8Array, file: string, options: Readonly<Record<string, string>>): BpfSchedulerFactory {
  const probe = instantiateBpfScheduler(bytes, file, options, loadTimeScx(), false);
  return { name: probe.ops.name, warnings: probe.warnings, create: (scx) => instantiateBpfScheduler(bytes, file, options, scx).ops };
}

/**
 * An Scx for load-time checking: a one-CPU machine for the recipe to plan on (one node, one
 * LLC, no SMT, the default tick rate for `.kconfig`), and any other kfunc use is a bug (no program runs at load).
 */
const PROBE_MACHINE: Readonly<Record<string, () => number>> = {
  nrCpus: () => 1, nrNodes: () => 1, nrLlcs: () => 1, cpuSibling: () => -1, cpuLlc: () => 0, cpuNode: () => 0, cpuCapacity: () => 1024,
  hz: () => DEFAULT_HZ,
};
function loadTimeScx(): Scx {
  return new Proxy({}, {
    get: (_target, key) => {
      if (typeof key === "string" && Object.hasOwn(PROBE_MACHINE, key)) return PROBE_MACHINE[key];
      return () => { throw new EngineBug(`scx.${String(key)} called while checking an object`); };
    },
  }) as Scx;
}
