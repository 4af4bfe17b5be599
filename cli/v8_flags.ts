/**
 * V8's inlining budget, raised before the simulator runs. The scheduler path is a chain of small
 * calls (kernel → sched_ext core → the scheduler's callback → a kfunc → the core again); with
 * V8's default budget (920 bytes of bytecode inlined into one optimised function) TurboFan stops
 * part-way and leaves the rest as calls. Five times that inlines the chain: the M/M/4 yardstick
 * through `scxlab run` took 23 % less main-thread CPU time in paired, interleaved runs (median of
 * 6 fresh processes each: 1118 → 864 ms for 960k customers); 2760 and 9200 gained less.
 * Flags belong to the process: worker threads started later share them. Import this module first.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--max-inlined-bytecode-size-cumulative=4600");
