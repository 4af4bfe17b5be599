/** The built-in workload registry, in the order `scxlab list` shows them (default first). */
import { compile } from "./compile.js";
import { cyclictest } from "./cyclictest.js";
import { gaming } from "./gaming.js";
import { hackbench } from "./hackbench.js";
import { hogs } from "./hogs.js";
import { mixed } from "./mixed.js";
import { pipe } from "./pipe.js";
import { schbench } from "./schbench.js";
import { server } from "./server.js";
import type { Builtin } from "./types.js";

export type { Builtin, ParamSpec, ParamValue, RtAppDoc } from "./types.js";

export const BUILTINS: readonly Builtin[] = [mixed, hogs, schbench, hackbench, pipe, cyclictest, compile, gaming, server];

/** The workload a run uses when none is named. */
export const DEFAULT_WORKLOAD = "mixed";

export function findBuiltin(name: string): Builtin | undefined {
  return BUILTINS.find((b) => b.name === name);
}
