import type { RunResult } from "../../sim/result.js";

/**
 * Each task's state over time, rebuilt from the timeline: running (its slices), runnable (woken
 * or preempted, waiting for a CPU) and sleeping (blocked until a wakeup). A slice that ended
 * with the task still runnable (the timeline's endRunnable) is followed by waiting; one that
 * ended in a block is followed by sleep up to the task's next wakeup, then waiting until it runs.
 * Older timelines without endRunnable fall back to the wakeups alone.
 */

export type TaskState = "running" | "runnable" | "sleeping";

export interface StateSpan {
  state: TaskState;
  startNs: number;
  endNs: number;
}

/** Per task that ran (ascending pid), its state spans in time order; one task at a time. */
export function* taskStates(result: RunResult): Generator<{ pid: number; spans: StateSpan[] }> {
  const t = result.timeline;
  if (!t) return;
  const end = result.simNs;
  const slicesOf = indexBy(t.pid);
  const wakesOf = indexBy(t.wakePid);
  const task = new Map(result.tasks.map((x) => [x.pid, x]));
  const pids = [...slicesOf.keys()].sort((a, b) => a - b);
  for (const pid of pids) {
    const slices = slicesOf.get(pid)!.sort((a, b) => t.startNs[a]! - t.startNs[b]!);
    const wakes = (wakesOf.get(pid) ?? []).map((i) => t.wakeNs[i]!).sort((a, b) => a - b);
    let w = 0;
    const spans: StateSpan[] = [];
    const span = (state: TaskState, from: number, to: number) => {
      if (to > from) spans.push({ state, startNs: from, endNs: to });
    };
    // Before the first slice: waiting since the last wakeup before it, or since the task began.
    const first = t.startNs[slices[0]!]!;
    while (w < wakes.length && wakes[w]! <= first) w++;
    const began = w > 0 ? wakes[w - 1]! : task.get(pid)?.startNs;
    if (began !== undefined) span("runnable", Math.max(0, began), first);
    for (let k = 0; k < slices.length; k++) {
      const i = slices[k]!;
      const sliceEnd = t.endNs[i]!;
      span("running", t.startNs[i]!, sliceEnd);
      const next = k + 1 < slices.length ? t.startNs[slices[k + 1]!]! : end;
      // The first wakeup after this slice ended (and not after the next slice began).
      while (w < wakes.length && wakes[w]! < sliceEnd) w++;
      const wake = w < wakes.length && wakes[w]! <= next ? wakes[w]! : null;
      if (wake !== null) w++;
      const runnable = t.endRunnable ? t.endRunnable[i] === 1 : wake === null && k + 1 < slices.length;
      if (runnable) {
        span("runnable", sliceEnd, next);
      } else if (wake !== null) {
        span("sleeping", sliceEnd, wake);
        span("runnable", wake, next);
      } else {
        const exitNs = task.get(pid)?.exitNs ?? null;
        if (exitNs === null || exitNs > sliceEnd) span("sleeping", sliceEnd, next);
      }
    }
    yield { pid, spans };
  }
}

function indexBy(pids: readonly number[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let i = 0; i < pids.length; i++) {
    const list = out.get(pids[i]!);
    if (list) list.push(i);
    else out.set(pids[i]!, [i]);
  }
  return out;
}
