/**
 * CPU frequency (overheads on): each CPU runs at a performance level, 1024 = its full speed,
 * which scales how fast its task's work gets done. A scheduler asks for a level with
 * scx_bpf_cpuperf_set; as schedutil does with sched_ext's cpuperf_target, the level is the
 * request plus 25 % headroom (map_util_perf), never below the machine's floor, and it takes
 * effect `perfLatencyNs` after the request (the DVFS transition; requests made meanwhile are
 * folded into that one change, as schedutil's rate limit does). A scheduler that never asks
 * leaves every CPU at 1024 (sched_ext sets cpuperf_target to SCX_CPUPERF_ONE at enable).
 * Without a BPF scheduler the fair class is governed as schedutil does it: each CPU's
 * frequency-invariant utilisation, a PELT-like average (32 ms half-life) sampled every 4 ms,
 * is the request. A CPU's speed is its level capped by its package's turbo limit for the number
 * of active cores there (turbo.ts).
 */
import type { CostModel } from "./costs.js";
import type { Topology } from "./topology.js";
import { Turbo, type CapListener } from "./turbo.js";

/** SCX_CPUPERF_ONE: the full performance level. */
export const CPUPERF_ONE = 1024;

/** PELT's half-life: a CPU's utilisation forgets half of its past every 32 ms. */
const PELT_HALFLIFE_NS = 32_000_000;

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

export class CpuPerf implements CapListener {
  /** Performance level each CPU runs at now, 1..1024, before the package's turbo cap. */
  readonly level: Float64Array;
  /** The level last asked for (cpuperf_target), 0..1024. */
  readonly target: Float64Array;
  private readonly timer: Int32Array;
  /** schedutil's view of each CPU (governFair): utilisation, and busy time and time at the last sample. */
  private readonly util: Float64Array;
  private readonly busyAt: Float64Array;
  private readonly sampledAt: Float64Array;
  private readonly pending: Uint8Array;
  private readonly min: number;
  private readonly latencyNs: number;
  /** The package turbo limit by active-core count. */
  readonly turbo: Turbo;

  constructor(private readonly host: PerfHost, costs: CostModel, topo: Topology) {
    const nrCpus = topo.nrCpus;
    this.level = new Float64Array(nrCpus).fill(CPUPERF_ONE);
    this.target = new Float64Array(nrCpus).fill(CPUPERF_ONE);
    this.timer = new Int32Array(nrCpus).fill(-1);
    this.pending = new Uint8Array(nrCpus);
    this.util = new Float64Array(nrCpus).fill(CPUPERF_ONE);
    this.busyAt = new Float64Array(nrCpus);
    this.sampledAt = new Float64Array(nrCpus);
    this.min = Math.min(CPUPERF_ONE, Math.max(1, costs.perfMin));
    this.latencyNs = costs.perfLatencyNs;
    this.turbo = new Turbo(host, this, costs, topo);
  }

  /** Whether levels can change at all (the machine has frequency scaling). */
  get scaling(): boolean {
    return this.min < CPUPERF_ONE;
  }

  /**
   * schedutil for the fair class: each CPU's utilisation (its busy share since the last
   * sample, scaled by its level so that it counts work at full speed) joins a PELT-like
   * average, and the average is the CPU's request. `busy(cpu)` is its busy time so far.
   */
  governFair(now: number, busy: (cpu: number) => number): void {
    for (let c = 0; c < this.level.length; c++) {
      const dt = now - this.sampledAt[c];
      if (dt <= 0) continue;
      const b = busy(c);
      const share = Math.min(1, (b - this.busyAt[c]) / dt) * this.factor(c);
      const keep = 2 ** (-dt / PELT_HALFLIFE_NS);
      this.util[c] = this.util[c] * keep + share * CPUPERF_ONE * (1 - keep);
      this.busyAt[c] = b;
      this.sampledAt[c] = now;
      this.set(c, Math.min(CPUPERF_ONE, Math.round(this.util[c])));
    }
  }

  /** Speed factor of `cpu` from its level under its package's turbo cap (1 at full speed). */
  factor(cpu: number): number {
    return this.current(cpu) / CPUPERF_ONE;
  }

  /** The level `cpu` runs at: its own, capped by the turbo limit of its package (scx_bpf_cpuperf_cur). */
  current(cpu: number): number {
    const cap = this.turbo.cap[this.turbo.pkgOf[cpu]];
    return this.level[cpu] < cap ? this.level[cpu] : cap;
  }

  /** A package's turbo cap moves from `oldCap` to `newCap`: whether `cpu`'s speed changes (it is accounted up to now first). */
  capChanging(cpu: number, oldCap: number, newCap: number): boolean {
    const l = this.level[cpu];
    if ((l < oldCap ? l : oldCap) === (l < newCap ? l : newCap)) return false;
    this.host.perfChanging(cpu);
    return true;
  }

  capChanged(cpu: number): void {
    this.host.perfChanged(cpu);
  }

  /** scx_bpf_cpuperf_set: asks for level `perf` (0..1024, checked by the caller) on `cpu`. */
  set(cpu: number, perf: number): void {
    this.target[cpu] = perf;
    if (this.min >= CPUPERF_ONE || this.pending[cpu] === 1 || this.wanted(cpu) === this.level[cpu]) return;
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
    const want = this.wanted(cpu);
    if (want !== this.level[cpu]) this.change(cpu, want);
  }

  /** The level the request asks for: 25 % headroom over it (map_util_perf), within the floor and full. */
  private wanted(cpu: number): number {
    return Math.min(CPUPERF_ONE, Math.max(this.min, Math.ceil(this.target[cpu] * 1.25)));
  }

  private change(cpu: number, level: number): void {
    const cap = this.turbo.cap[this.turbo.pkgOf[cpu]], old = this.level[cpu];
    if ((old < cap ? old : cap) === (level < cap ? level : cap)) { this.level[cpu] = level; return; }
    this.host.perfChanging(cpu);
    this.level[cpu] = level;
    this.host.perfChanged(cpu);
  }
}
