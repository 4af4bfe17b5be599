/**
 * Request accounting of closed-loop tasks: when a request starts and ends. By default each
 * wakeup from a sleep, timer or suspend starts one and the next such block ends it; a spec may
 * bound requests by one kind of block only (TaskSpec.requestOn), the other blocks being think
 * time inside a request. Open-loop tasks are one request from arrival to exit, counted there.
 */
import { Block, type Task } from "./task.js";
import type { GroupStats } from "./group_stats.js";

/** A closed-loop task woke from `why` at `at`: a request starts, if `why` is the kind that bounds them. */
export function startRequest(t: Task, why: Block, at: number): void {
  const on = t.tpl.requestBlock;
  if (on === Block.None) { t.activatedAtNs = at; return; }
  if (why !== on) return;
  t.activatedAtNs = at;
  t.inRequest = true;
}

/** A closed-loop task goes idle through `why` at `now`: the request it was serving ends. */
export function endRequest(t: Task, why: Block, now: number, g: GroupStats): void {
  if (t.openLoop || why > Block.Suspend) return;
  const on = t.tpl.requestBlock;
  if (on !== Block.None) {
    if (why !== on || !t.inRequest) return; // a think-time block inside a request, or before the first
    t.inRequest = false;
  }
  g.recordRequest(t.groupIdx, now - t.activatedAtNs);
}
