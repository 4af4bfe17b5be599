/**
 * Running a compiled sched_ext object (`-s x.bpf.o`): check it once when the run is set up (bad
 * objects and options become one BpfObjectError line naming the file), then instantiate it
 * afresh for every run, since each run needs its own maps and address space.
 */
import type { SchedExtOps, Scx } from "../../ext/ops.js";
import { instantiateBpfScheduler } from "./scheduler.js";
import { EngineBug } from "../../errors.js";

export { instantiateBpfScheduler, type BpfSchedulerInstance } from "./scheduler.js";

export interface BpfSchedulerFactory {
  /** The object's ops name (sched_ext_ops.name). */
  readonly name: string;
  create(scx: Scx): SchedExtOps;
}

/**
 * Check `bytes` (the contents of `file`) with `-o name=value` options for its `.rodata`
 * variables, and return a factory for runs. Throws BpfObjectError on anything wrong.
 */
export function loadBpfScheduler(bytes: Uint8Array, file: string, options: Readonly<Record<string, string>>): BpfSchedulerFactory {
  const probe = instantiateBpfScheduler(bytes, file, options, loadTimeScx());
  return { name: probe.ops.name, create: (scx) => instantiateBpfScheduler(bytes, file, options, scx).ops };
}

/** An Scx for load-time checking: one CPU, and any kfunc use is a bug (nothing runs at load). */
function loadTimeScx(): Scx {
  return new Proxy({}, {
    get: (_target, key) => {
      if (key === "nrCpus") return () => 1;
      return () => { throw new EngineBug(`scx.${String(key)} called while checking an object`); };
    },
  }) as Scx;
}
