/** The workloads API: what the CLI, the pool workers and the tests import. */
export { WorkloadError, renderGot, type WorkloadErrorInfo } from "./errors.js";
export { PHASE_FOREVER, parseWorkload, parseWorkloadObject } from "./parse.js";
export { filledParams, loadWorkload, resolveParams } from "./load.js";
export { withAntagonists, ANTAGONIST } from "./antagonists.js";
export { BUILTINS, DEFAULT_WORKLOAD, findBuiltin, type Builtin, type ParamSpec, type ParamValue, type RtAppDoc } from "./builtin/index.js";
