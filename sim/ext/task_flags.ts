/**
 * The bits of a task's kernel state a scheduler may read, computed in one place for the task
 * view (p.queued) and the BPF task mirror (p->scx.flags, p->__state), so the two never disagree.
 */
import { Cls, Place, type Task } from "../task.js";
import type { Callbacks } from "./callbacks.js";

/**
 * SCX_TASK_QUEUED: an ext task from enqueue_task_scx until dequeue_task_scx, so a running task
 * has it too. The simulator places a task just before or after the callbacks the kernel makes
 * inside those two functions, so during them their own task counts as queued (Callbacks.queuedFor).
 */
export function scxQueued(t: Task, cb: Callbacks): boolean {
  if (t.cls !== Cls.Ext) return false;
  const p = t.place;
  return p === Place.Running || p === Place.Dsq || p === Place.Bpf || cb.queuedFor(t);
}

/** include/linux/sched.h's task states, as p->__state holds them. */
export const TASK_RUNNING = 0;
export const TASK_INTERRUPTIBLE = 1;
export const TASK_DEAD = 0x80;

/**
 * p->__state: TASK_DEAD once the task exited (ops.dispatch may still see it as prev), TASK_RUNNING
 * while queued, else TASK_INTERRUPTIBLE (the model does not tell sleep kinds apart).
 */
export function taskState(t: Task, queued: boolean): number {
  if (t.place === Place.Dead) return TASK_DEAD;
  return queued ? TASK_RUNNING : TASK_INTERRUPTIBLE;
}
