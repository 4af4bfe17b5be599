/**
 * Structural checks of RunResults read back from a file (merge's inputs): every field that
 * aggregation, the summary and the report read is there with the right type, so a hand-edited
 * or truncated results.json is one InputError naming the file and JSON path, never a crash or a
 * NaN in a table.
 */
import { InputError } from "../../sim/errors.js";
import { renderGot } from "../../sim/errors.js";

/**
 * A value's expected shape: a primitive kind, an object with these fields, an array of one
 * shape, an object whose every value has one shape (`record`: task groups by name), or a field
 * that may be absent (`optional`).
 */
type Shape =
  | "string" | "number" | "integer" | "object" | "nullable-object"
  | { readonly [k: string]: Shape }
  | readonly ["array", Shape] | readonly ["record", Shape] | readonly ["optional", Shape];

const LATENCY: Shape = { count: "number", mean: "number", p50: "number", p90: "number", p99: "number", p999: "number", max: "number" };

/** What aggregation and the report read of each task group (GroupResult). */
const GROUP: Shape = {
  tasks: "number", completed: "number", cpuNs: "number", requests: "number",
  wakeupLatencyNs: LATENCY, requestLatencyNs: LATENCY, waitNs: LATENCY,
};

const RUN: Shape = {
  job: { scheduler: "string", workload: "string", topology: "string", cpus: "integer", seed: "integer", durationNs: "number", options: "object", params: "object" },
  simNs: "number",
  groups: ["record", GROUP],
  cpus: ["array", { cpu: "integer", busyNs: "number" }],
  totals: {
    throughput: "number", utilization: "number", jainFairness: "number",
    wakeupLatencyNs: LATENCY, requestLatencyNs: LATENCY,
    contextSwitches: { voluntary: "number", involuntary: "number" },
    migrations: { total: "number" },
  },
  scx: { exit: "nullable-object" },
  invariants: { created: "number", exited: "number", alive: "number", lost: "number" },
  tasksRefused: ["optional", { count: "number", cap: "number" }],
};

const FAILED: Shape = { job: "integer", scheduler: "string", workload: "string", seed: "integer", error: "string" };

/** Checks one run read from `file` at JSON path `path` (e.g. `runs[3]`). */
export function checkRunShape(v: unknown, file: string, path: string): void {
  check(v, RUN, file, path);
}

/** Checks one entry of a `failed` list. */
export function checkFailedShape(v: unknown, file: string, path: string): void {
  check(v, FAILED, file, path);
}

function check(v: unknown, shape: Shape, file: string, path: string): void {
  const fail = (expected: string): never => {
    throw new InputError({ file, path, expected, got: renderGot(v) });
  };
  if (typeof shape === "string") {
    switch (shape) {
      case "string": if (typeof v !== "string") fail("a string"); return;
      case "number": if (typeof v !== "number" || Number.isNaN(v)) fail("a number"); return;
      case "integer": if (typeof v !== "number" || !Number.isInteger(v)) fail("an integer"); return;
      case "object": if (!isPlainObject(v)) fail("an object"); return;
      case "nullable-object": if (v !== null && !isPlainObject(v)) fail("an object or null"); return;
    }
  }
  if (Array.isArray(shape)) {
    const [kind, each] = shape as readonly ["array" | "record" | "optional", Shape];
    if (kind === "optional") { if (v !== undefined) check(v, each, file, path); return; }
    if (kind === "array") {
      if (!Array.isArray(v)) return fail("an array");
      v.forEach((x, i) => check(x, each, file, `${path}[${i}]`));
      return;
    }
    if (!isPlainObject(v)) return fail("an object");
    for (const [k, x] of Object.entries(v)) check(x, each, file, `${path}[${JSON.stringify(k)}]`);
    return;
  }
  if (!isPlainObject(v)) return fail("an object");
  for (const [k, s] of Object.entries(shape as Record<string, Shape>)) check((v as Record<string, unknown>)[k], s, file, `${path}.${k}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
