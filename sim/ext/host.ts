/** What the sched_ext core needs from the kernel that hosts it. */
import type { Task } from "../task.js";
import type { Topology } from "../topology.js";
import type { CostModel } from "../costs.js";

export interface ExtHost {
  readonly now: number;
  readonly topo: Topology;
  readonly costs: CostModel;
  readonly tasks: Task[];
  /** Reused out-parameter of the default CPU selection. */
  readonly selectOut: { cpu: number; isIdle: boolean };
  /** The task whose program is running and makes the current wakeup (`current`), or null: the kernel's own. */
  readonly waker: Task | null;
  /** The CPU that waker runs on, or -1. */
  readonly wakerCpu: number;
  /**
   * The CPU whose timer interrupt makes the current wakeup (a sleep ending), or -1; there
   * `current` is the task that interrupt found running (`irqCurrent`), or the idle task (null).
   */
  readonly irqCpu: number;
  readonly irqCurrent: Task | null;
  cpuAllowed(t: Task, cpu: number): boolean;
  firstAllowed(t: Task): number;
  /** Reschedule `cpu` if it runs a lower class, i.e. is idle (an insert into its local DSQ). */
  kickIfLower(cpu: number): void;
  /** Zero the slice of `cpu`'s running ext task and reschedule it. */
  preemptExt(cpu: number): void;
  /** Account the cost of one scheduler callback on `cpu`. */
  chargeCallback(cpu: number): void;
  /** Account `ns` of kernel work on `cpu` (a DSQ lock held or waited for). */
  chargeNs(cpu: number, ns: number): void;
}
