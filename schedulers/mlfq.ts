/**
 * mlfq — the multi-level feedback queue (Corbató's CTSS; the rules as in OSTEP ch. 8): k ready
 * queues, highest priority first, round robin within a level, quanta that double per level.
 * A new or woken task enters at its current level (new tasks at the top); a task that uses a
 * whole quantum moves down one level; one that gives up the CPU before its quantum ends keeps its
 * level; every `boost_us` every task goes back to the top, so sunk tasks cannot starve. A task
 * waking at a higher level preempts one running at a lower level.
 *
 * sched_ext mapping: the task keeps its level in task storage; the queues are BPF-side lists
 * (like scx_qmap's queue maps), so a task sits in BPF custody between `enqueue` and `dispatch`,
 * which inserts the head of the highest non-empty level into the local DSQ with the rest of its
 * level's quantum as slice. Wakeup preemption is `scx.kickCpu(cpu, SCX_KICK_PREEMPT)` on the CPU
 * running the lowest-level task. The boost is a BPF timer.
 * Good: interactive tasks (short bursts) stay on top and get the CPU at once; hogs sink to the
 * bottom, where long quanta mean few switches. Bad: the quantum rule can be gamed by yielding
 * just before the quantum ends; `boost_us` is a knob with no right value.
 * Simplified: quantum use is measured by the scheduler (running → stopping); a preempted task
 * goes back to the head of its level and keeps what is left of its quantum.
 */
import type { CpuId, SchedExtOps, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_WAKEUP, SCX_KICK_PREEMPT, asCpu } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  levels: { type: "number", default: 3, min: 1, max: 16, integer: true, doc: "number of priority levels" },
  base_slice_us: { type: "number", default: 2_000, min: 1, doc: "quantum (µs) of the top level; it doubles per level down" },
  boost_us: { type: "number", default: 1_000_000, min: 1, doc: "period (µs) of the priority boost to the top level" },
});

interface TaskCtx {
  level: number;
  /** CPU time used of the current quantum at this level, ns. */
  usedNs: number;
  runStartNs: number;
  /** Boost epoch the level belongs to; an older epoch means the task was boosted. */
  epoch: number;
}

/** A FIFO of tasks held by the scheduler (head index plus occasional compaction). */
class Level {
  items: ScxTask[] = [];
  head = 0;
  push(p: ScxTask): void { this.items.push(p); }
  unshift(p: ScxTask): void {
    if (this.head > 0) this.items[--this.head] = p;
    else this.items.unshift(p);
  }
  /** Removes and returns the first task allowed on `cpu`, or null. */
  take(scx: Scx, cpu: CpuId): ScxTask | null {
    for (let i = this.head; i < this.items.length; i++) {
      const p = this.items[i];
      if (!scx.cpuAllowed(p, cpu)) continue;
      if (i === this.head) this.head++;
      else this.items.splice(i, 1);
      if (this.head > 64 && this.head * 2 > this.items.length) { this.items = this.items.slice(this.head); this.head = 0; }
      return p;
    }
    return null;
  }
  drain(): ScxTask[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

export class MlfqScheduler implements SchedExtOps {
  readonly name = "mlfq";
  private readonly levels: Level[];
  private readonly quantumNs: number[];
  private readonly boostNs: number;
  private readonly ctx: TaskStorage<TaskCtx>;
  private epoch = 0;

  constructor(private readonly scx: Scx, opts: OptionValues<typeof options>) {
    this.levels = Array.from({ length: opts.levels }, () => new Level());
    this.quantumNs = this.levels.map((_, i) => Math.round(opts.base_slice_us * 1000) * 2 ** i);
    this.boostNs = Math.round(opts.boost_us * 1000);
    this.ctx = scx.taskStorage(() => ({ level: 0, usedNs: 0, runStartNs: -1, epoch: this.epoch }));
  }

  /** The task's level (0 = top), after any pending boost. */
  level(p: ScxTask): number {
    return this.state(p).level;
  }

  private state(p: ScxTask): TaskCtx {
    const c = this.ctx.get(p);
    if (c.epoch !== this.epoch) { c.epoch = this.epoch; c.level = 0; c.usedNs = 0; }
    return c;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceLeft(this.state(p)), 0);
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const c = this.state(p);
    const q = this.levels[c.level];
    if ((enqFlags & SCX_ENQ_WAKEUP) === 0 && c.usedNs > 0) q.unshift(p); // preempted mid-quantum
    else q.push(p);
    if ((enqFlags & SCX_ENQ_WAKEUP) !== 0) this.preemptLower(p, c.level);
  }

  /** Kicks the CPU running the lowest-priority task if that is below `level`. */
  private preemptLower(p: ScxTask, level: number): void {
    let victim = asCpu(-1), lowest = level;
    for (let cpu = asCpu(0); cpu < this.scx.nrCpus(); cpu++) {
      if (!this.scx.cpuAllowed(p, cpu)) continue;
      const curr = this.scx.cpuCurr(cpu);
      if (curr === null) continue;
      const l = this.state(curr).level;
      if (l > lowest) { lowest = l; victim = cpu; }
    }
    if (victim >= 0) {
      this.scx.stat("preempt");
      this.scx.kickCpu(victim, SCX_KICK_PREEMPT);
    }
  }

  dispatch(cpu: CpuId, last: ScxTask | null): void {
    // ops.dispatch also gets a prev that blocked or exited: only a runnable one (SCX_TASK_QUEUED) may keep the CPU.
    const prev = last !== null && last.queued ? last : null;
    let keepLevel = this.levels.length;
    if (prev !== null) {
      // prev's slice ended while it stays runnable: account for it as stopping would.
      const c = this.state(prev);
      this.charge(c, true);
      c.runStartNs = this.scx.now();
      keepLevel = c.level;
    }
    // Strictly higher levels win; at prev's own level the queued task is next (round robin).
    for (let l = 0; l <= Math.min(keepLevel, this.levels.length - 1); l++) {
      const p = this.levels[l].take(this.scx, cpu);
      if (p === null) continue;
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceLeft(this.state(p)), 0);
      return;
    }
    if (prev !== null) prev.slice = this.sliceLeft(this.state(prev));
  }

  running(p: ScxTask): void {
    this.state(p).runStartNs = this.scx.now();
  }

  stopping(p: ScxTask, runnable: boolean): void {
    this.charge(this.state(p), runnable);
  }

  /** Adds the time run since `running`; a full quantum demotes, giving up the CPU resets. */
  private charge(c: TaskCtx, runnable: boolean): void {
    if (c.runStartNs >= 0) c.usedNs += this.scx.now() - c.runStartNs;
    c.runStartNs = -1;
    if (!runnable) { c.usedNs = 0; return; }
    if (c.usedNs >= this.quantumNs[c.level]) {
      if (c.level < this.levels.length - 1) { c.level++; this.scx.stat("demote"); }
      c.usedNs = 0;
    }
  }

  private sliceLeft(c: TaskCtx): number {
    return Math.max(1, this.quantumNs[c.level] - c.usedNs);
  }

  /** Priority boost: every queued task moves to the top level, in level order. */
  private boost(): void {
    this.epoch++;
    this.scx.stat("boost");
    const top = this.levels[0];
    for (let l = 1; l < this.levels.length; l++) for (const p of this.levels[l].drain()) top.push(p);
  }

  init(): number {
    const timer = this.scx.timerCreate(() => {
      this.boost();
      this.scx.timerStart(timer, this.boostNs);
    });
    this.scx.timerStart(timer, this.boostNs);
    return 0;
  }
}
