/**
 * A scheduler *spec*: what `-s` names, as plain data that crosses to worker threads and is
 * echoed into results. Three sources: a built-in of the registry (`simple`), a user's module
 * file (`./my_sched.js`, `.mjs`, `.ts`), or a compiled sched_ext object (`x.bpf.o`). The
 * kind follows from the text alone, so a job's `scheduler` string is enough to rebuild it.
 */
import type { RawOptions } from "../options.js";

/** The default class alone: nothing is attached. */
export const FAIR = "fair";

export type SchedulerSpec =
  | { readonly kind: "fair" }
  | { readonly kind: "builtin"; readonly name: string; readonly options: RawOptions }
  | { readonly kind: "module"; readonly path: string; readonly options: RawOptions }
  | { readonly kind: "bpf"; readonly path: string; readonly options: RawOptions };

/** File names that are a user's scheduler module. */
export const MODULE_EXTENSIONS = [".js", ".mjs", ".ts", ".mts"] as const;

/** True when `text` names a file rather than a registered scheduler. */
export function isSchedulerFile(text: string): boolean {
  return text.includes("/") || text.includes("\\") || /\.(m?js|m?ts|o)$/i.test(text);
}

/** The spec a job's `scheduler` and `options` fields stand for. */
export function schedulerSpec(scheduler: string, options: RawOptions = {}): SchedulerSpec {
  if (scheduler === FAIR) return { kind: "fair" };
  if (/\.o$/i.test(scheduler)) return { kind: "bpf", path: scheduler, options };
  if (isSchedulerFile(scheduler)) return { kind: "module", path: scheduler, options };
  return { kind: "builtin", name: scheduler, options };
}

/** The loader process's name for a spec, as `scx_NAME` binaries are called. */
export function loaderName(scheduler: string): string {
  const base = scheduler.replace(/^.*[\\/]/, "").replace(/\.bpf\.o$|\.o$|\.m?[jt]s$/i, "");
  return base.startsWith("scx_") ? base : `scx_${base}`;
}
