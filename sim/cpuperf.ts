/**
 * CPU frequency (overheads on): each CPU runs at a performance level, 1024 = its full speed,
 * which scales how fast its task's work gets done. A scheduler asks for a level with
 * scx_bpf_cpuperf_set; as schedutil does with sched_ext's cpuperf_target, the level is the
 * request plus 25 % headroom (map_util_perf), never below the machine's floor, and it takes
 * effect `perfLatencyNs` after the request (the DVFS transition; requests made meanwhile are
 * folded into that one change, as schedutil's rate limit does). A scheduler that never asks
 * leaves every CPU at 1024 (sched_ext sets cpuperf_target to SCX_CPUPERF_ONE at enable), and
 * the fair class runs at full speed (the performance governor; no schedutil for fair yet).
 */
import type { CostModel } from "./costs.js";

/** SCX_CPUPERF_ONE: the full performance level. */
export const CPUPERF_ONE = 1024;

/** What the frequency model needs of the kernel. */
export interface PerfHost {
  readonly now: number;
  /** `cpu`'s speed is about to change: account its running task up to now. */
  perfChanging(cpu: number): void;
  /** `cpu`'s speed changed: recompute its rate and re-arm its checkpoint. */
  perfChanged(cpu: number): void;
  timerCreate(fn: () => void): number;
  timerStart(id: number, delayNs: number): void;
}

export class CpuPerf {
  /** Performance level each CPU runs at now, 1..1024. */
  readonly level: Float64Array;
  /** The level last asked for (cpuperf_target), 0..1024. */
  readonly target: Float64Array;
  private readonly timer: Int32Array;
  private readonly pending: Uint8Array;
  private readonly min: number;
  private readonly latencyNs: number;

  constructor(private readonly host: PerfHost, costs: CostModel, nrCpus: number) {
    this.level = new Float64Array(nrCpus).fill(CPUPERF_ONE);
    this.target = new Float64Array(nrCpus).fill(CPUPERF_ONE);
    this.timer = new Int32Array(nrCpus).fill(-1);
    this.pending = new Uint8Array(nrCpus);
    this.min = Math.min(CPUPERF_ONE, Math.max(1, costs.perfMin));
    this.latencyNs = costs.perfLatencyNs;
  }

  /** Speed factor of `cpu` from its level (1 at full speed). */
  factor(cpu: number): number {
    return this.level[cpu] / CPUPERF_ONE;
  }

  /** scx_bpf_cpuperf_set: asks for level `perf` (0..1024, checked by the caller) on `cpu`. */
  set(cpu: number, perf: number): void {
    this.target[cpu] = perf;
    if (this.min >= CPUPERF_ONE || this.pending[cpu] === 1) return;
    if (this.latencyNs <= 0) { this.apply(cpu); return; }
    if (this.timer[cpu] < 0) this.timer[cpu] = this.host.timerCreate(() => this.apply(cpu));
    this.pending[cpu] = 1;
    this.host.timerStart(this.timer[cpu], this.latencyNs);
  }

  /** Every CPU back to the full level at once (the scheduler went away; fair runs at full speed). */
  reset(): void {
    for (let c = 0; c < this.level.length; c++) {
      this.target[c] = CPUPERF_ONE;
      this.pending[c] = 0;
      if (this.level[c] !== CPUPERF_ONE) this.change(c, CPUPERF_ONE);
    }
  }

  private apply(cpu: number): void {
    if (this.pending[cpu] === 0 && this.latencyNs > 0) return;
    this.pending[cpu] = 0;
    const want = Math.min(CPUPERF_ONE, Math.max(this.min, Math.ceil(this.target[cpu] * 1.25)));
    if (want !== this.level[cpu]) this.change(cpu, want);
  }

  private change(cpu: number, level: number): void {
    this.host.perfChanging(cpu);
    this.level[cpu] = level;
    this.host.perfChanged(cpu);
  }
}
