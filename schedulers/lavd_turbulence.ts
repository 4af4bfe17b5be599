/**
 * lavd's turbulence tiers (upstream sys_stat.bpf.c collect_sys_stat/calc_sys_stat, util.bpf.c
 * get_target_dsq_id, balance.bpf.c consume_task, idle.bpf.c repartition_masks_for_latency).
 *
 * Every stat interval upstream measures how much of each CPU's busy time went to something other
 * than its sched_ext tasks (IRQs, steal, RT/DL), from the runqueue clocks it reads
 * (`rq->clock_task`, `rq->clock_pelt`), the idle time `ops.update_idle` reports and the task time
 * it accounts itself; a running average of that share (128 ms half-life) leaves the CPU its
 * latency headroom, and a CPU with less than 7/8 of it is turbulent. A task whose preemption
 * vulnerability (normalised criticality, then its running-average utilisation, 16 steps each) is
 * below its domain's threshold queues on a second domain DSQ, which turbulent CPUs serve; they
 * take from the main one only while it holds more tasks or the domain has no steady CPU. The
 * threshold moves one step per interval so that turbulent CPUs carry the load steady ones do
 * (`lat_load_target_pct`). An idle-CPU search for a vulnerable task tries steady CPUs first.
 *
 * scxlab's kernel accounts no IRQ or steal time, so what upstream measures here is what its
 * readings leave over: the runqueue clocks move only when the kernel runs a callback for the CPU
 * (every tick while it is busy, so up to a tick of a busy interval reads as lost), a CPU the
 * scheduler never saw go idle counts as busy all along, and a task's first run on a CPU read from
 * elsewhere counts no task time. This module reads the clocks as scxlab keeps them for a compiled
 * object (sim/ebpf/scx/rq_clocks.ts): each callback brings the clocks of the CPU it runs for up to
 * date, so the port calls `touch` at the start of each of its callbacks, with the same CPU.
 */
import type { CpuId, Scx, ScxTask, TaskStorage } from "../sim/ext/ops.js";
import { asCpu } from "../sim/ext/consts.js";
import { newRavg, ravgAccumulate, ravgRead, RAVG_FRAC_BITS, type Ravg } from "./lib/ravg.js";
import { calcAvgDecay } from "./lavd.js";

const SCALE = 1024;
const HALF_LIFE = 128_000_000;
/** A CPU is steady with at least this much latency headroom (LAVD_LC_LATENCY_SENSITIVE_THRESH). */
const STEADY_HEADROOM = SCALE - (SCALE >> 3);
const VULN_STEP = 64, VULN_UTIL_STEPS = SCALE / VULN_STEP;
const VULN_MAX = VULN_UTIL_STEPS * VULN_UTIL_STEPS, VULN_INIT = 32;

interface TaskTurb {
  /** PELT clock when its run was last measured, 0 unset (last_measured_pelt_clk). */
  lastPelt: number;
  normLatCri: number;
}

export class LavdTurbulence {
  private readonly n: number;
  /** The runqueue clocks as the kernel last brought them up to date (clock_task, clock_pelt). */
  private readonly clockTask: Float64Array;
  private readonly clockPelt: Float64Array;
  private readonly started: Uint8Array;
  /** Per CPU, as upstream's cpu_ctx. */
  private readonly idleStart: Float64Array;
  private readonly idleTotal: Float64Array;
  private readonly prevTaskClk: Float64Array;
  private readonly prevPeltClk: Float64Array;
  private readonly taskInvr: Float64Array;
  private readonly perfFactor: Float64Array;
  private readonly irqSteal: Ravg[];
  private readonly utilRavg: Ravg[];
  readonly utilEst: Int32Array;
  /** Per CPU over the last interval: its non-idle time, and that in invariant time (compute_wall, compute_invr). */
  readonly computeWall: Float64Array;
  readonly computeInvr: Float64Array;
  readonly headroom: Int32Array;
  /** CPUs with enough headroom (steady_cpumask), and per domain its steady count and threshold. */
  readonly steady: Uint8Array;
  readonly nrSteady: Int32Array;
  readonly vulnThresh: Int32Array;
  private readonly tasks: TaskStorage<TaskTurb>;

  /** `utilOf`: a task's running-average utilisation (task_ctx util_est, which the balancer keeps). */
  constructor(private readonly scx: Scx, private readonly loadTargetPct: number, private readonly utilOf: (p: ScxTask) => number) {
    const n = (this.n = scx.nrCpus());
    this.clockTask = new Float64Array(n);
    this.clockPelt = new Float64Array(n);
    this.started = new Uint8Array(n);
    this.idleStart = new Float64Array(n);
    this.idleTotal = new Float64Array(n);
    this.prevTaskClk = new Float64Array(n);
    this.prevPeltClk = new Float64Array(n);
    this.taskInvr = new Float64Array(n);
    this.perfFactor = new Float64Array(n).fill(SCALE);
    this.irqSteal = Array.from({ length: n }, newRavg);
    this.utilRavg = Array.from({ length: n }, newRavg);
    this.utilEst = new Int32Array(n);
    this.computeWall = new Float64Array(n);
    this.computeInvr = new Float64Array(n);
    this.headroom = new Int32Array(n);
    this.steady = new Uint8Array(n);
    this.nrSteady = new Int32Array(scx.nrLlcs());
    this.vulnThresh = new Int32Array(scx.nrLlcs()).fill(VULN_INIT);
    this.tasks = scx.taskStorage(() => ({ lastPelt: 0, normLatCri: 0 }));
  }

  /**
   * update_rq_clock for a callback run for `cpu`: clock_task becomes now; clock_pelt advances by
   * the time since scaled by capacity and performance level while a task is current, and catches
   * up with clock_task while the CPU is idle.
   */
  touch(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.n)) return;
    const scx = this.scx, now = scx.now(), c = asCpu(cpu);
    if (this.started[cpu] === 0 || scx.cpuCurr(c) === null) {
      this.started[cpu] = 1;
      this.clockPelt[cpu] = now;
    } else if (now > this.clockTask[cpu]) {
      this.clockPelt[cpu] += Math.floor((Math.floor(((now - this.clockTask[cpu]) * scx.cpuCapacity(c)) / SCALE) * scx.cpuperfCur(c)) / SCALE);
    }
    this.clockTask[cpu] = now;
  }

  /** lavd_init: each CPU's clocks as read at load (CPU 0's, which init runs on, start then). */
  init(): void {
    this.touch(0);
    this.prevTaskClk.set(this.clockTask);
    this.prevPeltClk.set(this.clockPelt);
  }

  /** lavd_update_idle: idle periods add up, from when the CPU was seen to go idle. */
  updateIdle(cpu: CpuId, idle: boolean): void {
    const now = this.scx.now();
    if (idle) { this.idleStart[cpu] = now; return; }
    const from = this.idleStart[cpu];
    if (from === 0) return;
    this.idleStart[cpu] = 0;
    if (from <= now) this.idleTotal[cpu] += now - from;
  }

  /** update_stat_for_running: the run is measured from the PELT clock, if read on the task's own CPU. */
  running(p: ScxTask, cpu: CpuId, onOwnCpu: boolean): void {
    const now = this.scx.now();
    this.tasks.get(p).lastPelt = onOwnCpu ? this.clockPelt[cpu] : 0;
    ravgAccumulate(this.utilRavg[cpu], SCALE, now, HALF_LIFE);
    this.utilEst[cpu] = this.readRavg(this.utilRavg[cpu], now);
  }

  /** ravg_read's integer part (>> RAVG_FRAC_BITS), as upstream keeps its estimates. */
  private readRavg(r: Ravg, now: number): number {
    return Math.floor(ravgRead(r, now, HALF_LIFE) / 2 ** RAVG_FRAC_BITS);
  }

  /** account_task_runtime's invariant task time, from the PELT clock (tot_task_time_invr). */
  account(p: ScxTask, cpu: CpuId): void {
    const t = this.tasks.get(p), pelt = this.clockPelt[cpu];
    if (t.lastPelt !== 0) this.taskInvr[cpu] += Math.max(pelt - t.lastPelt, 0);
    t.lastPelt = pelt;
  }

  /** update_stat_for_stopping: the CPU's duty cycle goes to 0. */
  stopping(cpu: CpuId): void {
    const now = this.scx.now();
    ravgAccumulate(this.utilRavg[cpu], 0, now, HALF_LIFE);
    this.utilEst[cpu] = this.readRavg(this.utilRavg[cpu], now);
  }

  /** calc_lat_cri's normalize_lat_cri: criticality in [0, 1024] of the smoothed maximum. */
  setLatCri(p: ScxTask, latCri: number, maxLatCri: number): void {
    this.tasks.get(p).normLatCri = maxLatCri === 0 ? 0 : latCri >= maxLatCri ? SCALE : Math.floor((latCri * SCALE) / maxLatCri);
  }

  /** preemption_vulnerability against the domain's threshold: the task may stay in the main DSQ (and prefers steady CPUs). */
  vulnerable(p: ScxTask, llc: number): boolean {
    return Math.floor(this.tasks.get(p).normLatCri / VULN_STEP) * VULN_UTIL_STEPS + Math.floor(this.utilOf(p) / VULN_STEP) >= this.vulnThresh[llc];
  }

  /** balance.bpf.c consume_task: a turbulent CPU sees its domain's main DSQ only when it holds more than the second or no CPU is steady. */
  seesMain(cpu: CpuId, llc: number, nrMain: number, nrTurb: number): boolean {
    return this.headroom[cpu] >= STEADY_HEADROOM || nrMain > nrTurb || this.nrSteady[llc] === 0;
  }

  /**
   * collect_sys_stat's per-CPU steal time and headroom, its steady mask and tier sums, then
   * calc_sys_stat's threshold step; `duration` is the interval since the last one.
   */
  collect(now: number, duration: number): void {
    const scx = this.scx, nLlc = this.nrSteady.length;
    const utilSteady = new Float64Array(nLlc), utilTurb = new Float64Array(nLlc), capSteady = new Float64Array(nLlc), capTurb = new Float64Array(nLlc);
    const nrTurb = new Int32Array(nLlc);
    this.nrSteady.fill(0);
    for (let cpu = asCpu(0); cpu < this.n; cpu++) {
      let curIdle = 0;
      const from = this.idleStart[cpu];
      if (from !== 0 && from <= now) {
        curIdle = now - from;
        this.idleTotal[cpu] += curIdle;
        this.idleStart[cpu] = now;
      }
      const compute = Math.max(duration - this.idleTotal[cpu], 0);
      const deltaTask = Math.max(this.clockTask[cpu] - this.prevTaskClk[cpu], 0);
      const deltaPelt = Math.min(Math.max(this.clockPelt[cpu] - this.prevPeltClk[cpu], 0), compute);
      const taskWall = Math.max(deltaTask - Math.max(this.idleTotal[cpu] - curIdle, 0), 0);
      const irqWall = Math.max(compute - taskWall, 0);
      let irqInvr: number;
      if (taskWall > 0) {
        this.perfFactor[cpu] = calcAvgDecay(this.perfFactor[cpu], Math.floor((deltaPelt * SCALE) / taskWall), 3);
        irqInvr = Math.floor((irqWall * deltaPelt) / taskWall);
      } else irqInvr = Math.floor((irqWall * this.perfFactor[cpu]) / SCALE);
      const taskInvr = this.taskInvr[cpu], rtDl = Math.max(deltaPelt - taskInvr, 0);
      this.taskInvr[cpu] = 0;
      const steal = Math.min(irqInvr + rtDl, compute);
      this.computeWall[cpu] = compute;
      this.computeInvr[cpu] = Math.min(taskInvr + steal, compute);
      ravgAccumulate(this.irqSteal[cpu], Math.floor((steal * SCALE) / duration), now, HALF_LIFE);
      const avg = this.readRavg(this.irqSteal[cpu], now);
      this.headroom[cpu] = avg < SCALE ? SCALE - avg : 0;
      this.prevTaskClk[cpu] = this.clockTask[cpu];
      this.prevPeltClk[cpu] = this.clockPelt[cpu];
    }
    for (let cpu = asCpu(0); cpu < this.n; cpu++) {
      const llc = scx.cpuLlc(cpu), steady = this.headroom[cpu] >= STEADY_HEADROOM;
      this.steady[cpu] = steady ? 1 : 0;
      if (steady) { utilSteady[llc] += this.utilEst[cpu]; capSteady[llc] += scx.cpuCapacity(cpu); this.nrSteady[llc]++; }
      else { utilTurb[llc] += this.utilEst[cpu]; capTurb[llc] += scx.cpuCapacity(cpu); nrTurb[llc]++; }
      this.idleTotal[cpu] = 0;
    }
    for (let d = 0; d < nLlc; d++) {
      if (nrTurb[d] === 0 || capTurb[d] === 0) { this.vulnThresh[d] = 0; continue; }
      if (capSteady[d] === 0) continue;
      const high = Math.floor((utilSteady[d] * SCALE) / capSteady[d]), low = Math.floor((utilTurb[d] * SCALE) / capTurb[d]);
      const target = Math.floor((high * this.loadTargetPct) / 100);
      if (low > target && this.vulnThresh[d] > 0) this.vulnThresh[d]--;
      else if (low < target && this.vulnThresh[d] < VULN_MAX) this.vulnThresh[d]++;
    }
  }
}
