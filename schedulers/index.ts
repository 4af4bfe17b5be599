/**
 * The schedulers as the rest of scxlab sees them: the registry of built-ins and the one resolver
 * that turns any scheduler spec (a built-in, a user's module file, a compiled object) into ops.
 */
export { SCHEDULERS, findScheduler, type SchedulerEntry } from "./registry.js";
export { FAIR, isSchedulerFile, loaderName, schedulerSpec, type SchedulerSpec } from "./source/spec.js";
export { checkScheduler, createScheduler, prepareScheduler, schedulerOptions } from "./source/resolve.js";
export { SchedulerFileError } from "./source/module.js";
export { OptionError, defineOptions, type OptionSchema, type OptionValues, type RawOptions } from "./options.js";
