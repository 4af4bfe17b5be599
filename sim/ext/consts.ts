/**
 * sched_ext constants of the TS API, named as in the kernel. DSQ ids: the kernel uses bit 63 for
 * built-in ids, which a double cannot hold exactly, so built-ins live in a band at 2^50 and
 * above; user DSQ ids are integers in [0, 2^50). The kernel's values, and the mapping a BPF
 * object or a C-derived number needs, are in kernel_abi.ts.
 */

import { asDsq, type CpuId, type DsqId } from "./ids.js";

export type { DsqId } from "./ids.js";
// Here because schedulers import their run-time values from this file only.
export { asCpu, asDsq, asPid } from "./ids.js";

export const SCX_DSQ_USER_MAX = 2 ** 50;
export const SCX_DSQ_INVALID = asDsq(2 ** 50);
export const SCX_DSQ_GLOBAL = asDsq(2 ** 50 + 1);
export const SCX_DSQ_LOCAL = asDsq(2 ** 50 + 2);
/** `SCX_DSQ_LOCAL_ON + cpu` (the kernel's `SCX_DSQ_LOCAL_ON | cpu`); `localOn(cpu)` builds one. */
export const SCX_DSQ_LOCAL_ON = asDsq(2 ** 51);
export const SCX_DSQ_LOCAL_CPU_MASK = 0xffff;

/** 20 ms, the default slice. */
export const SCX_SLICE_DFL = 20_000_000;
/** A slice that never expires; the scheduler must preempt such a task itself. */
export const SCX_SLICE_INF = Number.POSITIVE_INFINITY;

// enqueue flags (the kernel's bit values below bit 20; PREEMPT, REENQ, LAST scaled down: kernel_abi.ts)
export const SCX_ENQ_WAKEUP = 1 << 0;
export const SCX_ENQ_HEAD = 1 << 4;
export const SCX_ENQ_CPU_SELECTED = 1 << 10;
export const SCX_ENQ_PREEMPT = 1 << 20;
export const SCX_ENQ_REENQ = 1 << 21;
export const SCX_ENQ_LAST = 1 << 22;

/** The core's ENQUEUE_RESTORE, passed through: re-queued after an attribute change. */
export const SCX_ENQ_RESTORE = 1 << 1;

// dequeue flags
export const SCX_DEQ_SLEEP = 1 << 0;
/** The core's DEQUEUE_SAVE, passed through: taken off for an attribute change, to be restored. */
export const SCX_DEQ_SAVE = 1 << 1;
export const SCX_DEQ_SCHED_CHANGE = 1 << 2;

// wake flags
export const SCX_WAKE_FORK = 1 << 2;
export const SCX_WAKE_TTWU = 1 << 3;
export const SCX_WAKE_SYNC = 1 << 4;

// kick flags
export const SCX_KICK_IDLE = 1 << 0;
export const SCX_KICK_PREEMPT = 1 << 1;
export const SCX_KICK_WAIT = 1 << 2;

// pick-idle flags
export const SCX_PICK_IDLE_CORE = 1 << 0;
export const SCX_PICK_IDLE_IN_NODE = 1 << 1;

// ops flags
export const SCX_OPS_KEEP_BUILTIN_IDLE = 1 << 0;
export const SCX_OPS_ENQ_LAST = 1 << 1;
export const SCX_OPS_ENQ_EXITING = 1 << 2;
export const SCX_OPS_SWITCH_PARTIAL = 1 << 3;
export const SCX_OPS_ALL_FLAGS = 0b1111;

export const SCX_DSP_DFL_MAX_BATCH = 32;
export const SCX_DSP_MAX_LOOPS = 32;
export const SCX_WATCHDOG_MAX_TIMEOUT_MS = 30_000;
export const SCX_EXIT_DUMP_DFL_LEN = 32768;
/** Size of scx_exit_info.msg, its NUL included: longer messages are cut to 1023 characters. */
export const SCX_EXIT_MSG_LEN = 1024;

/** Task weight as sched_ext sees it: 1..10000, nice 0 = 100. */
export const SCX_WEIGHT_DFL = 100;

/** `SCX_DSQ_LOCAL_ON + cpu` as a function, for readability. */
export function localOn(cpu: CpuId): DsqId {
  return asDsq(SCX_DSQ_LOCAL_ON + cpu);
}
