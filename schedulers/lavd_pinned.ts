/**
 * lavd's handling of pinned tasks (tasks allowed on one CPU), as upstream scx_lavd does it
 * (main.bpf.c lavd_enqueue/lavd_quiescent/calc_time_slice/lavd_tick, preempt.bpf.c
 * shrink_slice_at_tick and shrink_boosted_slice_remote, util.bpf.c get_target_dsq_id).
 *
 * Every CPU counts the pinned tasks enqueued for it that have not gone to sleep yet
 * (cpu_ctx.nr_pinned_tasks; the one running counts too). While it has any, the tasks it runs get
 * no boosted slice, and its running task's slice is cut back at each tick and at each stat timer
 * so that the pinned task, which cannot go elsewhere, waits at most about one slice.
 * `--pinned-slice-us` (upstream's default 5 ms) sets that bound lower still (the pinned slice, if
 * shorter than the system's) and puts pinned tasks on per-CPU DSQs that the CPU weighs by
 * deadline against its domain's DSQ; at 0 they queue on the domain's DSQ with everyone else.
 */
import type { CpuId, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { OptionError } from "./options.js";

export class LavdPinned {
  /** The pinned slice in ns, 0 when the mode is off (upstream pinned_slice_ns). */
  readonly sliceNs: number;
  /** Per CPU: pinned tasks enqueued for it and not yet quiescent. */
  private readonly nr: Int32Array;
  /** Per task: the CPU its count was added to, -1 while it holds none (task_ctx.pinned_cpu_id). */
  private readonly countedOn: TaskStorage<{ cpu: number }>;

  constructor(scx: Scx, pinnedSliceUs: number, sliceMinUs: number, sliceMaxUs: number) {
    // As upstream's Opts::proc, which refuses to start with a pinned slice outside the slice range.
    if (pinnedSliceUs !== 0 && (pinnedSliceUs < sliceMinUs || pinnedSliceUs > sliceMaxUs)) {
      throw new OptionError(`scheduler lavd: option pinned_slice_us: ${pinnedSliceUs} is not between slice_min_us (${sliceMinUs}) and slice_max_us (${sliceMaxUs}); 0 turns it off`);
    }
    this.sliceNs = pinnedSliceUs * 1000;
    this.nr = new Int32Array(scx.nrCpus());
    this.countedOn = scx.taskStorage(() => ({ cpu: -1 }));
  }

  /** Pinned tasks waiting for (or running on) `cpu`. */
  waiting(cpu: CpuId): number {
    return this.nr[cpu];
  }

  /** upstream use_per_cpu_dsq (without --per-cpu-dsq or the warm-CPU wait): the per-CPU DSQs are in use. */
  get perCpuDsqs(): boolean {
    return this.sliceNs > 0;
  }

  /** upstream get_target_dsq_id: a pinned task goes to its CPU's own DSQ while the mode is on. */
  onCpuDsq(p: ScxTask): boolean {
    return this.sliceNs > 0 && p.nrCpusAllowed === 1;
  }

  /** lavd_enqueue: a pinned task counts on the CPU chosen for it, once until it is quiescent. */
  enqueued(p: ScxTask, cpu: CpuId): void {
    if (p.nrCpusAllowed !== 1) return;
    const c = this.countedOn.get(p);
    if (c.cpu >= 0) return;
    c.cpu = cpu;
    this.nr[cpu]++;
  }

  /** lavd_quiescent: the count comes off the CPU it was added to, which may not be the task's now. */
  quiescent(p: ScxTask): void {
    if (p.nrCpusAllowed !== 1) return;
    const c = this.countedOn.get(p);
    if (c.cpu < 0) return;
    this.nr[c.cpu]--;
    c.cpu = -1;
  }

  /** calc_time_slice: while pinned tasks wait on `cpu` and the mode is on, every task's slice is min(pinned, system slice); else undefined. */
  slice(cpu: CpuId, sysSlice: number): number | undefined {
    return this.sliceNs > 0 && this.nr[cpu] > 0 ? Math.min(this.sliceNs, sysSlice) : undefined;
  }

  /**
   * shrink_slice_at_tick, for a CPU with pinned tasks waiting: the running task's new slice, what
   * is left of min(pinned, system slice) since it started (0 once past it). Upstream sets it
   * whether it is shorter than the slice left or not.
   */
  tickSlice(sysSlice: number, ranNs: number): number {
    const bound = this.sliceNs > 0 ? Math.min(this.sliceNs, sysSlice) : sysSlice;
    return ranNs >= bound ? 0 : bound - ranNs;
  }

  /** shrink_boosted_slice_remote: the slice a CPU's running task is cut back to at the stat timer. */
  timerSlice(cpu: CpuId, sysSlice: number): number {
    return this.sliceNs > 0 && this.nr[cpu] > 0 ? this.sliceNs : sysSlice;
  }
}
