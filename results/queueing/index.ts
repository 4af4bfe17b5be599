/** Queueing formulas and published schedules that the validation cases compare runs against. */
export * from "./mm1.js";
export * from "./mmc.js";
export * from "./random_split.js";
export * from "./size_classes.js";
export * from "./mg1_fcfs.js";
export * from "./mg1_ps.js";
export * from "./mg1_priority.js";
export * from "./mg1_srpt.js";
export * from "./round_robin.js";
export * from "./waterfill.js";
export * from "./textbook.js";
