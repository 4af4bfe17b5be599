/**
 * The one scheduler resolver: a spec (schedulers/source/spec.ts) becomes an ops table. The CLI,
 * the pool's workers, compare, crash-demo, validate and the library API all go through here, so
 * a built-in, a user's module file and a compiled object are attached the same way.
 * `prepareScheduler` does the asynchronous part (loading a file) once per thread; after it,
 * `createScheduler` is synchronous and pure, as a job needs.
 */
import type { SchedExtOps, Scx } from "../../sim/ext/ops.js";
import { EngineBug } from "../../sim/errors.js";
import { OptionError, resolveOptions, type OptionSchema, type RawOptions } from "../options.js";
import { findScheduler } from "../registry.js";
import { prepareModule, preparedModule } from "./module.js";
import { FAIR, schedulerSpec, type SchedulerSpec } from "./spec.js";

/** Loads what the spec needs (a module file) and validates its options; nothing runs. */
export async function prepareScheduler(spec: SchedulerSpec): Promise<void> {
  switch (spec.kind) {
    case "fair":
      return;
    case "builtin":
      resolveOptions(spec.name, findScheduler(spec.name).options, spec.options);
      return;
    case "module": {
      const mod = await prepareModule(spec.path);
      resolveOptions(spec.path, mod.options, spec.options);
      return;
    }
    case "bpf": {
      const bpf = await loadBpfSource();
      bpf.prepareBpfObject(spec.path, bpf.stringOptions(spec.options));
      return;
    }
  }
}

type BpfSource = typeof import("./bpf.js");
/** The object loader, imported on first use: a run of built-ins or modules never needs it. */
let bpfSource: BpfSource | null = null;
async function loadBpfSource(): Promise<BpfSource> {
  bpfSource ??= await import("./bpf.js");
  return bpfSource;
}

/** Validates a built-in's name and options synchronously (files need prepareScheduler). */
export function checkScheduler(name: string, raw: RawOptions): void {
  const spec = schedulerSpec(name, raw);
  if (spec.kind === "fair") {
    if (Object.keys(raw).length > 0) throw new OptionError(`scheduler fair: takes no options`);
    return;
  }
  if (spec.kind === "builtin") resolveOptions(name, findScheduler(name).options, raw);
}

/** The ops table of a spec for the machine behind `scx`. A file must have been prepared. */
export function createScheduler(spec: SchedulerSpec, scx: Scx): SchedExtOps {
  switch (spec.kind) {
    case "fair":
      throw new EngineBug("the fair class has no ops table to create");
    case "builtin":
      return findScheduler(spec.name).create(scx, spec.options);
    case "module":
      return preparedOrBug(spec.path).create(scx, spec.options);
    case "bpf": {
      if (bpfSource === null) throw new EngineBug(`${spec.path}: BPF object used before prepareScheduler loaded it`);
      return bpfSource.preparedBpfOrBug(spec.path, bpfSource.stringOptions(spec.options)).create(scx);
    }
  }
}

/** The option schema of a spec (for `list` and errors). */
export function schedulerOptions(spec: SchedulerSpec): OptionSchema {
  switch (spec.kind) {
    case "fair":
    case "bpf":
      // an object's options are its .rodata variables, checked against its BTF when it is prepared
      return {};
    case "builtin":
      return findScheduler(spec.name).options;
    case "module":
      return preparedOrBug(spec.path).options;
  }
}

function preparedOrBug(path: string) {
  const mod = preparedModule(path);
  if (mod === undefined) throw new EngineBug(`${path}: scheduler module used before prepareScheduler loaded it`);
  return mod;
}

export { FAIR };
