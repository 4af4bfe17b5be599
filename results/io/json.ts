import { join } from "node:path";
import type { RunResult } from "../../sim/result.js";
import type { Aggregate } from "../aggregate.js";
import { atomicWrite } from "./atomicWrite.js";

export const RESULTS_SCHEMA = "scxlab.results/1";

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  runs: RunResult[];
  aggregate: Aggregate;
}

/** `results.json`: every run as returned, plus the aggregate computed from them. */
export async function writeResultsJson(
  dir: string,
  results: readonly RunResult[],
  aggregate: Aggregate,
  fileName = "results.json",
): Promise<string> {
  const file: ResultsFile = { schema: RESULTS_SCHEMA, runs: [...results], aggregate };
  return atomicWrite(join(dir, fileName), JSON.stringify(file, null, 1) + "\n");
}
