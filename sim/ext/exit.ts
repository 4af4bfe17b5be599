/** sched_ext exit kinds and the reason strings the kernel gives them. */
import type { ExitKind } from "../result.js";

export const EXIT_REASON: Record<ExitKind, string> = {
  SCX_EXIT_NONE: "",
  SCX_EXIT_DONE: "disable finished",
  SCX_EXIT_UNREG: "unregistered from user space",
  SCX_EXIT_UNREG_BPF: "unregistered from BPF",
  SCX_EXIT_UNREG_KERN: "unregistered from the main kernel",
  SCX_EXIT_SYSRQ: "disabled by sysrq-S",
  SCX_EXIT_ERROR: "runtime error",
  SCX_EXIT_ERROR_BPF: "scx_bpf_error",
  SCX_EXIT_ERROR_STALL: "runnable task stall",
};

/** Kinds at or above SCX_EXIT_ERROR (1024 in the kernel) are errors and get a dump. */
export function isErrorExit(kind: ExitKind): boolean {
  return kind === "SCX_EXIT_ERROR" || kind === "SCX_EXIT_ERROR_BPF" || kind === "SCX_EXIT_ERROR_STALL";
}

/** Thrown inside the core to unwind out of a scheduler callback after an exit was claimed. */
export class ScxAbort extends Error {
  constructor() {
    super("sched_ext scheduler aborted");
  }
}
