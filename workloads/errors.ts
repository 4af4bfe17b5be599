/**
 * Bad workload input, as a value with context. The CLI prints `message` (always one line) and
 * exits with code 2; tests match the fields. Engine bugs are never WorkloadErrors.
 */
import { InputError, type InputErrorInfo } from "../sim/errors.js";

/** Where bad workload input was found: the common input-error shape. */
export type WorkloadErrorInfo = InputErrorInfo;

/** Bad workload input (a file, a built-in's parameters, a trace). */
export class WorkloadError extends InputError {}

export { GOT_MAX, renderGot } from "../sim/errors.js";
