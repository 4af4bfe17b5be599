/**
 * `--topology`: a preset, a CPU count, or a JSON file. Files are read with the workload JSON
 * reader, so a syntax error names its line and column like a workload error does.
 */
import { readInputText } from "../workloads/input_file.js";
import { resolveTopology, TopologyError, type Topology, type TopologyJson } from "../sim/topology.js";
import { isObject, parseJsonText, type JValue } from "../workloads/json.js";
import { WorkloadError } from "../workloads/errors.js";

/** Resolves `--topology` (with `--cpus` for the flat default). */
export function loadTopology(spec: string, cpus: number): Topology {
  if (spec === "" || spec === "flat") return resolveTopology(String(cpus));
  if (!/\.json$/i.test(spec)) return resolveTopology(spec);
  const text = readInputText(spec, "topology");
  let j: JValue;
  try {
    j = parseJsonText(text, spec);
  } catch (e) {
    if (e instanceof WorkloadError) throw new TopologyError(e);
    throw e;
  }
  if (!isObject(j)) throw new TopologyError({ file: spec, path: "", expected: "an object", got: Array.isArray(j) ? "an array" : JSON.stringify(j) });
  return resolveTopology(plain(j) as TopologyJson, spec);
}

/** A parsed JSON value as plain objects and arrays. */
export function plain(v: JValue): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isObject(v)) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  return v;
}
