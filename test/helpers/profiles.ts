/** The cost profiles shipped in calibrate/profiles, read as `--costs` reads them. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveCostTable } from "../../sim/cost_table.js";
import type { CostModel } from "../../sim/costs.js";

/** The cost model of calibrate/profiles/NAME.json. */
export function costProfile(name: string): CostModel {
  const path = join(import.meta.dirname, "../../calibrate/profiles", `${name}.json`);
  return resolveCostTable(JSON.parse(readFileSync(path, "utf8")), path);
}
