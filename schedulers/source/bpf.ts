/**
 * A compiled sched_ext object (`-s x.bpf.o`) as a scheduler source: read once per thread and
 * checked by loading it (sim/ebpf), with `-o name=value` setting its `const volatile` .rodata
 * variables as the scx loaders do; every run then instantiates it afresh (its own maps and
 * address space) and attaches it through the same struct_ops path as any scheduler.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isMainThread } from "node:worker_threads";
import { EngineBug } from "../../sim/errors.js";
import { BpfObjectError } from "../../sim/ebpf/obj/errors.js";
import { loadBpfScheduler, type BpfSchedulerFactory } from "../../sim/ebpf/scx/index.js";
import type { RawOptions } from "../options.js";

const MAX_OBJECT_BYTES = 64 << 20;
const prepared = new Map<string, BpfSchedulerFactory>();

function key(path: string, options: Readonly<Record<string, string>>): string {
  return `${resolve(path)}\u0000${JSON.stringify(Object.entries(options).sort())}`;
}

/** Option values as the strings `-o` gives (scripts may pass numbers and booleans). */
export function stringOptions(raw: RawOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) Object.defineProperty(out, k, { value: String(v), enumerable: true });
  return out;
}

/** Reads and checks the object with these options (BpfObjectError, an InputError, on anything wrong). */
export function prepareBpfObject(path: string, options: Readonly<Record<string, string>>): BpfSchedulerFactory {
  const k = key(path, options);
  const known = prepared.get(k);
  if (known !== undefined) return known;
  let bytes: Uint8Array;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new BpfObjectError(path, "expected a regular file");
    if (st.size > MAX_OBJECT_BYTES) throw new BpfObjectError(path, `expected at most ${MAX_OBJECT_BYTES >> 20} MiB, got ${st.size} bytes`);
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    if (e instanceof BpfObjectError) throw e;
    throw new BpfObjectError(path, `expected a readable file, got ${(e as NodeJS.ErrnoException).code ?? "an error"}`);
  }
  const factory = loadBpfScheduler(bytes, path, options);
  prepared.set(k, factory);
  // Once, from the thread that set the run up (workers prepare the same object again).
  if (isMainThread) for (const w of factory.warnings) process.stderr.write(`scxlab: warning: ${path}: ${w}\n`);
  return factory;
}

/** The factory prepared for this object and options in this thread. */
export function preparedBpfOrBug(path: string, options: Readonly<Record<string, string>>): BpfSchedulerFactory {
  const f = prepared.get(key(path, options));
  if (f === undefined) throw new EngineBug(`${path}: BPF object used before prepareScheduler loaded it`);
  return f;
}
