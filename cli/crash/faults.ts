/**
 * The ways a sched_ext scheduler can go away in `scxlab crash-demo`, and what the kernel calls
 * each exit (reference/sched_ext.md §3.5, reference/struct_ops.md §3 items 6-7).
 */
import type { ExitKind } from "../../sim/result.js";

export const FAULTS = ["crash", "exit", "detach", "error", "throw", "stall", "bad-dsq", "sysrq"] as const;
export type Fault = (typeof FAULTS)[number];

/** Who ends the scheduler: user space drops the link, or the kernel ejects it on its own. */
export type Initiator = "user" | "kernel";

export interface FaultInfo {
  /** The exit kind the kernel records. */
  readonly kind: ExitKind;
  readonly initiator: Initiator;
  /** True when the scheduler itself misbehaves (the fault injector wraps its ops). */
  readonly inScheduler: boolean;
  /** One line for `--help` and the report. */
  readonly what: string;
}

export const FAULT_INFO: Record<Fault, FaultInfo> = {
  crash: { kind: "SCX_EXIT_UNREG", initiator: "user", inScheduler: false, what: "the loader is killed by SIGSEGV: its fds close and the link is released" },
  exit: { kind: "SCX_EXIT_UNREG", initiator: "user", inScheduler: false, what: "the loader exits normally without destroying the link: exit closes its fds" },
  detach: { kind: "SCX_EXIT_UNREG", initiator: "user", inScheduler: false, what: "the loader calls BPF_LINK_DETACH: unreg now, the fd stays open and polls EPOLLHUP" },
  error: { kind: "SCX_EXIT_ERROR_BPF", initiator: "kernel", inScheduler: true, what: "the scheduler calls scx_bpf_error() from its next callback" },
  throw: { kind: "SCX_EXIT_ERROR_BPF", initiator: "kernel", inScheduler: true, what: "the scheduler's next callback throws an exception" },
  stall: { kind: "SCX_EXIT_ERROR_STALL", initiator: "kernel", inScheduler: true, what: "the scheduler stops dispatching: the watchdog ejects it after timeout_ms" },
  "bad-dsq": { kind: "SCX_EXIT_ERROR", initiator: "kernel", inScheduler: true, what: "the scheduler inserts a task into a DSQ that does not exist" },
  sysrq: { kind: "SCX_EXIT_SYSRQ", initiator: "kernel", inScheduler: false, what: "an operator presses SysRq-S: the kernel disables the scheduler" },
};

/** `enum scx_exit_kind` values, for the exit-info line. */
export const EXIT_KIND_VALUE: Record<ExitKind, number> = {
  SCX_EXIT_NONE: 0,
  SCX_EXIT_DONE: 1,
  SCX_EXIT_UNREG: 64,
  SCX_EXIT_UNREG_BPF: 65,
  SCX_EXIT_UNREG_KERN: 66,
  SCX_EXIT_SYSRQ: 67,
  SCX_EXIT_ERROR: 1024,
  SCX_EXIT_ERROR_BPF: 1025,
  SCX_EXIT_ERROR_STALL: 1026,
};

export function isFault(s: string): s is Fault {
  return (FAULTS as readonly string[]).includes(s);
}
