/**
 * `--costs file.json`: a cost table (sim/cost_table.ts) read like every input file, so a
 * syntax error names its line and column and a bad figure its JSON path; exit code 2.
 */
import { readInputText } from "../workloads/input_file.js";
import { parseJsonText } from "../workloads/json.js";
import { resolveCostTable } from "../sim/cost_table.js";
import type { CostModel } from "../sim/costs.js";
import { plain } from "./topology_file.js";

/** The cost model of the table in `file`, over the default figures. */
export function loadCostTable(file: string): CostModel {
  const text = readInputText(file, "costs", "a cost table file");
  return resolveCostTable(plain(parseJsonText(text, file)), file);
}
