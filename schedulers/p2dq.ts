/**
 * p2dq — modelled on scx_p2dq (sched-ext/scx scheds/rust/scx_p2dq, Meta, D. Hodges), following
 * upstream commit 7a58a3a1a857 (2026-08-07); reference/sched_ext.md §4.15.
 *
 * Per LLC: a vtime-ordered LLC DSQ and a migration DSQ, plus an affinity DSQ per CPU for tasks
 * that may not use every CPU. Tasks live in slice classes (0.5 / 2.5 / 5 ms by default, scaled
 * by weight and clamped to the smallest and largest); new tasks start in class `init_dsq_index`
 * (0, the interactive class). When a task goes to sleep, an awake period that used ≥ 90 % of its
 * slice (95 % if affinitized) moves it up a class (only at weight ≥ 100), one under 50 % (25 %)
 * moves it down; tasks under weight 100 stay in class 0 or 1. A CPU takes the lowest vtime among
 * its affinity DSQ, its LLC's other affinity DSQs, the LLC DSQ and the migration DSQ. A task is
 * queued as migratable (`can_migrate`) only when the machine is saturated (under
 * `saturated_percent` % of CPUs idle) or overloaded or its LLC saturated, as update_idle last
 * found them, it may use every CPU, it has counted down its runs in the LLC, and it is not
 * interactive unless `dispatch_lb_interactive`. A waking or re-queued task takes prev if idle,
 * else an idle core or CPU of its LLC (a random one until it was first queued by vtime, or the
 * LLC the last load period hinted), and when migratable in a saturated LLC its LLC again (upstream's
 * per-LLC "node" mask holds only that LLC's CPUs) and anywhere when the machine is saturated.
 * Every load period each LLC is compared with a rotating other one; one more than
 * `lb_slack_pct` % busier gets it as its hint (all LLCs hint LLC 0 before the first period).
 * An idle CPU with nothing to run picks two LLCs (power of two choices) and pulls from the
 * migration DSQ of the busier one if its load is at least the local one's plus `lb_slack_pct` %,
 * then from the other, and from both (and a third) unconditionally when the machine is saturated.
 * A SCX_WAKE_SYNC wakeup (the waker is about to sleep) follows upstream's sync branch: an idle
 * CPU of the wakee's LLC, or prev; with `wakeup_llc_migrations` the waker's LLC or CPU. A CPU
 * running a task under weight 100 is marked (CPU_CTX_F_NICE_TASK): a task enqueued for it goes to
 * its local DSQ with SCX_ENQ_PREEMPT. A new task's first slice is the init class's scaled by
 * weight, unclamped, as p2dq_init_task sets it.
 * An LLC's load (pick-two, the hints) is, as upstream's default, the sum of its tasks' PELT
 * averages (1 ms periods decaying by 127/128, updated at runnable, running and stopping), or with
 * `enable_pelt=false` its CPU time in the current 250 ms period.
 * Simplified: no autoslice,
 * deadline, energy, thermal or big/little modes, no arena queues (ATQ/DHQ), LLC shards or
 * fork/exec balancing; an affinitized task takes prev if idle, else any idle CPU
 * it may use (upstream also weighs its LLC and SMT), and a CPU does not move mismatched heads of
 * its LLC's affinity DSQs to their own CPUs. keep_running is left out: upstream declines prev
 * whenever it is still queued, which a runnable prev always is.
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, DsqId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_ENQ_CPU_SELECTED, SCX_ENQ_PREEMPT, SCX_KICK_IDLE, SCX_OPS_KEEP_BUILTIN_IDLE, SCX_PICK_IDLE_CORE, SCX_WAKE_SYNC, localOn, asCpu, asDsq } from "../sim/ext/consts.js";
import { hasSmt } from "./lib/idle_near.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  dsq_slice0_us: { type: "number", default: 500, min: 1, doc: "slice of class 0, the interactive class, in µs (scx_p2dq -t, first)" },
  dsq_slice1_us: { type: "number", default: 2_500, min: 1, doc: "slice of class 1 in µs (scx_p2dq -t, second)" },
  dsq_slice2_us: { type: "number", default: 5_000, min: 1, doc: "slice of class 2 in µs (scx_p2dq -t, third)" },
  init_dsq_index: { type: "number", default: 0, min: 0, max: 2, integer: true, doc: "slice class of a new task at weight 100 (scx_p2dq -i)" },
  lb_slack_pct: { type: "number", default: 5, min: 0, max: 99, doc: "pick-two pulls from an LLC at least this % busier than the local one (scx_p2dq --lb-slack-factor)" },
  saturated_percent: { type: "number", default: 5, min: 0, max: 100, doc: "the machine is saturated below this % of idle CPUs (scx_p2dq --saturated-percent)" },
  dispatch_lb_interactive: { type: "boolean", default: true, doc: "interactive (class 0) tasks may migrate across LLCs (scx_p2dq --dispatch-lb-interactive)" },
  wakeup_llc_migrations: { type: "boolean", default: false, doc: "a sync wakeup may move the wakee to its waker's LLC (scx_p2dq --wakeup-llc-migrations)" },
  lb_interval_us: { type: "number", default: 250_000, min: 1_000, doc: "load period in µs (upstream's load-balance timer, 250 ms)" },
  enable_pelt: { type: "boolean", default: true, doc: "LLC load as summed per-task decayed utilisation (PELT, 1 ms periods) instead of CPU time per load period (scx_p2dq --enable-pelt)" },
});

const NR_CLASSES = 3;
/** upstream's PELT bounds: the decayed sum (128 × 1024) and the average. */
const PELT_SUM_MAX = 131_072;
const PELT_MAX_UTIL = 1024;
/** No pick-two right after a load period starts (upstream lb_config.backoff_ns). */
const PICK2_BACKOFF_NS = 5_000_000;

/** Per-task state (upstream task_ctx). */
export interface TaskCtx {
  cls: number;
  /** LLC the task last ran in (at first, its CPU's at creation). */
  llc: number;
  /** Queued on an LLC or migration DSQ at least once; until then its idle CPU is sought in a random LLC. */
  placed: boolean;
  /** Runs left in this LLC before it may be queued as migratable. */
  llcRuns: number;
  sliceNs: number;
  lastRunAt: number;
  /** Start of the current awake period's first run (0: not started). */
  lastRunStarted: number;
  /** Ran with weight < 100 last time, so its CPU carries the nice mark (upstream TASK_CTX_F_WAS_NICE). */
  wasNice: boolean;
  /** upstream's PELT: last update (0: none yet), decayed sum, average (0..1024), whole ms banked under a period. */
  peltAt: number;
  utilSum: number;
  utilAvg: number;
  periodContribMs: number;
  /** The LLC its utilisation was last added to (-1: none) and how much (upstream task_llc_pelt). */
  peltLlc: number;
  peltUtil: number;
}

export class P2dqScheduler implements SchedExtOps {
  readonly name = "p2dq";
  readonly timeout_ms = 25_000;
  /** update_idle tracks saturation; the kernel keeps its own idle tracking too, as the loader asks. */
  readonly flags = SCX_OPS_KEEP_BUILTIN_IDLE;
  private readonly o: OptionValues<typeof options>;
  private readonly classSlices: number[];
  private readonly nrCpus: number;
  private readonly nrLlcs: number;
  private readonly smt: boolean;
  /** upstream min_llc_runs_pick2's default, log2 of the LLC count. */
  private readonly llcRunsCfg: number;
  private readonly llcMasks: Uint8Array[] = [];
  /**
   * Per LLC: the LLC the last load period found it more than lb_slack_pct % busier than (upstream
   * llc_ctx.lb_llc_id), or -1; a wakeup placed there with its LLC runs counted down is sent there
   * once. 0 for every LLC until the first period ends, as upstream's zeroed LLC contexts start.
   */
  readonly llcHint: Int32Array;
  /** Which LLC each one is compared with next period (upstream llc_lb_offset). */
  private lbOffset = 1;
  private sat = false;
  private overloaded = false;
  private readonly llcSat: Uint8Array;
  /** Runs in an LLC before a task may be queued as migratable (upstream min_llc_runs_pick2, 1 until update_idle sets it). */
  private minLlcRuns = 1;
  private readonly llcVtime: Float64Array;
  /** 1 while the CPU runs a task under weight 100 (upstream CPU_CTX_F_NICE_TASK): wakers preempt it. */
  readonly niceCpu: Uint8Array;
  /**
   * Each LLC's load as pick-two and the load timer read it (upstream llc_get_load): with PELT the
   * summed utilisation of the tasks last seen there, else CPU time in the current period; and
   * when that period began.
   */
  readonly llcLoad: Float64Array;
  private periodStart = 0;
  private timer = -1;
  private picked = asCpu(-1);
  private pickedIdle = false;
  private bestDsq = asDsq(-1);
  private bestVtime = 0;
  private distribute = 0;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.classSlices = [o.dsq_slice0_us * 1000, o.dsq_slice1_us * 1000, o.dsq_slice2_us * 1000];
    this.nrCpus = scx.nrCpus();
    this.nrLlcs = scx.nrLlcs();
    this.smt = hasSmt(scx);
    this.llcRunsCfg = Math.floor(Math.log2(this.nrLlcs));
    this.llcVtime = new Float64Array(this.nrLlcs);
    this.llcLoad = new Float64Array(this.nrLlcs);
    this.niceCpu = new Uint8Array(this.nrCpus);
    for (let l = 0; l < this.nrLlcs; l++) this.llcMasks.push(new Uint8Array(this.nrCpus));
    for (let c = asCpu(0); c < this.nrCpus; c++) this.llcMasks[scx.cpuLlc(c)][c] = 1;
    this.llcHint = new Int32Array(this.nrLlcs);
    this.llcSat = new Uint8Array(this.nrLlcs);
    this.tctx = scx.taskStorage<TaskCtx>((p) => {
      const cls = p.weight === 100 ? o.init_dsq_index : p.weight < 100 ? 0 : NR_CLASSES - 1;
      // upstream p2dq_init_task_impl: the init class's slice scaled by weight, not clamped, whatever the class
      const sliceNs = Math.floor((this.classSlices[o.init_dsq_index] * p.weight) / 100);
      return { cls, llc: scx.cpuLlc(scx.taskCpu(p)), placed: false, llcRuns: this.minLlcRuns, sliceNs, lastRunAt: 0, lastRunStarted: 0, wasNice: false,
        peltAt: 0, utilSum: 0, utilAvg: 0, periodContribMs: 0, peltLlc: -1, peltUtil: 0 };
    });
  }

  private llcDsq(llc: number): DsqId { return asDsq(llc); }
  private migDsq(llc: number): DsqId { return asDsq(this.nrLlcs + llc); }
  private affnDsq(cpu: CpuId): DsqId { return asDsq(2 * this.nrLlcs + cpu); }

  /** Class slice × weight, clamped to the smallest and largest class slices. */
  private slice(p: ScxTask, cls: number): number {
    const s = Math.floor((this.classSlices[cls] * p.weight) / 100);
    return Math.min(Math.max(s, this.classSlices[0]), this.classSlices[NR_CLASSES - 1]);
  }

  private idleCpus(): number {
    let n = 0;
    for (let c = asCpu(0); c < this.nrCpus; c++) if (this.scx.isCpuIdle(c)) n++;
    return n;
  }

  /** Under saturated_percent % of the CPUs idle, as update_idle last found (upstream `saturated`). */
  saturated(): boolean {
    return this.sat;
  }

  /** No CPU of the LLC was idle when one of its CPUs last left idle, and none has gone idle since (LLC_CTX_F_SATURATED). */
  llcSaturated(llc: number): boolean {
    return this.llcSat[llc] === 1;
  }

  /** upstream task_refresh_llc_runs: the run count update_idle keeps. */
  private refreshLlcRuns(t: TaskCtx): void {
    t.llcRuns = this.minLlcRuns;
  }

  /**
   * upstream p2dq_update_idle: the saturation state the other paths read, tracked at each idle
   * transition: the machine's (and the run count it sets), `overloaded` from no idle CPU until
   * one goes idle, and the CPU's LLC, saturated when it leaves idle with no idle CPU left there.
   */
  update_idle(cpu: CpuId, idle: boolean): void {
    const pct = Math.floor((100 * this.idleCpus()) / this.nrCpus);
    this.sat = pct < this.o.saturated_percent;
    this.minLlcRuns = this.sat ? Math.min(2, this.llcRunsCfg)
      : Math.min((pct > 0 ? Math.floor(Math.log2(pct)) : 0) + Math.floor(Math.log2(this.nrLlcs)), this.llcRunsCfg);
    if (pct === 0) this.overloaded = true;
    const llc = this.scx.cpuLlc(cpu);
    if (idle) {
      this.llcSat[llc] = 0;
      this.overloaded = false;
    } else {
      const m = this.llcMasks[llc];
      let any = false;
      for (let c = asCpu(0); c < this.nrCpus && !any; c++) any = m[c] === 1 && this.scx.isCpuIdle(c);
      if (!any) this.llcSat[llc] = 1;
    }
  }

  /** upstream can_migrate: every CPU allowed, runs counted down, and the machine or the LLC saturated. */
  canMigrate(p: ScxTask, t: TaskCtx, llc: number): boolean {
    if (this.nrLlcs < 2 || p.nrCpusAllowed !== this.nrCpus) return false;
    if (!this.o.dispatch_lb_interactive && t.cls === 0) return false;
    if (t.llcRuns > 0) return false;
    return this.sat || this.overloaded || this.llcSaturated(llc);
  }

  /** upstream pick_idle_cpu into `picked` / `pickedIdle` (whether the CPU was claimed idle). */
  private pickIdle(p: ScxTask, t: TaskCtx, prev: CpuId, wakeFlags: number): void {
    const scx = this.scx;
    this.pickedIdle = true;
    this.picked = prev;
    if (scx.cpuAllowed(p, prev) && scx.testAndClearCpuIdle(prev)) return;
    this.pickedIdle = false;
    if (this.idleCpus() === 0) return;
    const migratable = this.canMigrate(p, t, t.llc);
    if (this.nrLlcs > 1 && (this.llcSaturated(t.llc) || this.sat || this.overloaded) && !migratable) return;
    let home = t.placed ? t.llc : scx.randomU32() % this.nrLlcs;
    if ((wakeFlags & SCX_WAKE_SYNC) !== 0) { this.syncWakeup(t, home); return; }
    const hint = this.llcHint[home];
    if (hint >= 0 && t.llcRuns === 0) {
      this.llcHint[home] = -1;
      home = hint;
      scx.stat("select_pick2");
    }
    if (this.claim(this.llcMasks[home])) return;
    if (this.nrLlcs > 1 && this.llcSaturated(home) && migratable) {
      // upstream's "node" mask of an LLC holds that LLC's CPUs only (p2dq_init sets each CPU in
      // its own LLC's node mask), so this second look stays in the LLC.
      if (this.claim(this.llcMasks[home])) return;
      if (this.saturated()) this.claim(null);
    }
  }

  /**
   * upstream pick_idle_cpu's WAKE_SYNC branch: an interactive wakee (or a 2-LLC, 2-node machine)
   * takes an idle CPU of its LLC or stays on prev; otherwise a wakee in its waker's LLC (or when
   * `wakeup_llc_migrations` is off) takes an idle core, then CPU, of its LLC, or prev; else it
   * moves to the waker's LLC: an idle core, an idle CPU, or the waker's own CPU.
   */
  private syncWakeup(t: TaskCtx, home: number): void {
    const scx = this.scx, mask = this.llcMasks[home];
    if (t.cls === 0 || (this.nrLlcs === 2 && scx.nrNodes() === 2)) {
      const c = scx.pickIdleCpu(mask, 0);
      if (c >= 0) { this.picked = c; this.pickedIdle = true; scx.stat("wake_llc"); } else scx.stat("wake_prev");
      return;
    }
    const waker = scx.currentTask();
    if (waker === null) { scx.stat("wake_prev"); return; }
    const wakerLlc = this.tctx.get(waker).llc;
    if (wakerLlc === home || !this.o.wakeup_llc_migrations) {
      let c = this.smt ? scx.pickIdleCpu(mask, SCX_PICK_IDLE_CORE) : asCpu(-1);
      if (c < 0) c = scx.pickIdleCpu(mask, 0);
      if (c >= 0) { this.picked = c; this.pickedIdle = true; scx.stat("wake_llc"); } else scx.stat("wake_prev");
      return;
    }
    scx.stat("wake_mig");
    if (!this.claim(this.llcMasks[wakerLlc])) this.picked = scx.taskCpu(waker);
  }

  /** Claims an idle core, else an idle CPU, of `mask` into `picked`. */
  private claim(mask: Uint8Array | null): boolean {
    let c = this.scx.pickIdleCpu(mask, SCX_PICK_IDLE_CORE);
    if (c < 0) c = this.scx.pickIdleCpu(mask, 0);
    if (c < 0) return false;
    this.picked = c;
    this.pickedIdle = true;
    return true;
  }

  /** upstream update_vtime: clamp within the LLC, or take the new LLC's clock. */
  private updateVtime(p: ScxTask, t: TaskCtx, llc: number): void {
    const v = this.llcVtime[llc];
    if (t.llc !== llc) { p.dsqVtime = v; return; }
    const floor = Math.max(v - Math.floor((this.classSlices[NR_CLASSES - 1] * p.weight) / 100), 0);
    if (p.dsqVtime < floor) p.dsqVtime = floor;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const t = this.tctx.get(p);
    if (p.nrCpusAllowed !== this.nrCpus) return this.affinitizedCpu(p, prevCpu);
    this.pickIdle(p, t, prevCpu, wakeFlags);
    if (this.pickedIdle) {
      this.scx.stat("direct");
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, t.sliceNs, 0);
    }
    return this.picked;
  }

  /** An allowed CPU for an affinitized task: prev if idle, else an idle allowed one, else prev or any allowed (`pickedIdle` says which). */
  private affinitizedCpu(p: ScxTask, prev: CpuId): CpuId {
    const scx = this.scx;
    this.pickedIdle = true;
    if (scx.cpuAllowed(p, prev) && scx.testAndClearCpuIdle(prev)) return prev;
    const c = scx.pickIdleCpu(p.cpusAllowed, 0);
    if (c >= 0) return c;
    this.pickedIdle = false;
    if (scx.cpuAllowed(p, prev)) return prev;
    for (let i = 0; i < this.nrCpus; i++) {
      const d = asCpu((this.distribute + i) % this.nrCpus);
      if (scx.cpuAllowed(p, d)) { this.distribute = d + 1; return d; }
    }
    return prev;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx, t = this.tctx.get(p), taskCpu = scx.taskCpu(p);
    const selected = (enqFlags & SCX_ENQ_CPU_SELECTED) !== 0;
    if (p.nrCpusAllowed !== this.nrCpus) {
      let cpu = taskCpu;
      if (!selected || !scx.cpuAllowed(p, cpu)) cpu = this.affinitizedCpu(p, cpu);
      else this.pickedIdle = scx.testAndClearCpuIdle(cpu);
      const idle = this.pickedIdle;
      this.updateVtime(p, t, scx.cpuLlc(cpu));
      const q = scx.dsqNrQueued(this.affnDsq(cpu));
      if (p.nrCpusAllowed === 1 && q > 0) t.sliceNs = Math.max(Math.min(Math.floor(t.sliceNs / (q + 1)), this.classSlices[NR_CLASSES - 1]), this.classSlices[0]);
      scx.stat("affinitized");
      scx.dsqInsertVtime(p, this.affnDsq(cpu), t.sliceNs, p.dsqVtime, this.niceCpu[cpu] === 1 ? enqFlags | SCX_ENQ_PREEMPT : enqFlags);
      if (idle) scx.kickCpu(cpu, SCX_KICK_IDLE);
      return;
    }
    let cpu = taskCpu, idle: boolean;
    if (!selected) {
      this.pickIdle(p, t, taskCpu, 0);
      cpu = this.picked;
      idle = this.pickedIdle;
    } else idle = scx.testAndClearCpuIdle(cpu);
    const llc = scx.cpuLlc(cpu);
    this.updateVtime(p, t, llc);
    // A CPU running a nice task takes the waker straight to its local DSQ and is preempted.
    const nice = this.niceCpu[cpu] === 1;
    if (idle || nice) {
      scx.stat(idle ? "direct" : "nice_preempt");
      scx.dsqInsert(p, cpu === taskCpu ? SCX_DSQ_LOCAL : localOn(cpu), t.sliceNs, nice ? enqFlags | SCX_ENQ_PREEMPT : enqFlags);
      if (idle) scx.kickCpu(cpu, SCX_KICK_IDLE);
      return;
    }
    const mig = this.canMigrate(p, t, llc);
    // Only a vtime insert records the task's DSQ (taskc->dsq_id); direct dispatches leave it unplaced.
    t.placed = true;
    scx.stat(mig ? "migratable" : "llc");
    scx.dsqInsertVtime(p, mig ? this.migDsq(llc) : this.llcDsq(llc), t.sliceNs, p.dsqVtime, enqFlags);
  }

  /**
   * Consider the head of `dsq` if it may run on `cpu` and is the earliest so far (into bestDsq /
   * bestVtime). As upstream's p2dq_dispatch_impl, a best vtime of 0 counts as none yet, so a later
   * DSQ's head replaces it even at an equal vtime.
   */
  private lowest(dsq: DsqId, cpu: CpuId): void {
    const h = this.scx.dsqPeek(dsq);
    if (h !== null && this.scx.cpuAllowed(h, cpu) && (this.bestDsq < 0 || this.bestVtime === 0 || h.dsqVtime < this.bestVtime)) { this.bestDsq = dsq; this.bestVtime = h.dsqVtime; }
  }

  dispatch(cpu: CpuId): void {
    const scx = this.scx, llc = scx.cpuLlc(cpu), m = this.llcMasks[llc];
    this.bestDsq = asDsq(-1);
    this.lowest(this.affnDsq(cpu), cpu);
    for (let c = asCpu(0); c < this.nrCpus; c++) if (c !== cpu && m[c] === 1) this.lowest(this.affnDsq(c), cpu);
    this.lowest(this.llcDsq(llc), cpu);
    if (this.nrLlcs > 1) this.lowest(this.migDsq(llc), cpu);
    const best = this.bestDsq;
    if (best >= 0 && scx.dsqMoveToLocal(best)) return;
    if (best !== this.llcDsq(llc) && scx.dsqMoveToLocal(this.llcDsq(llc))) return;
    if (best !== this.migDsq(llc) && scx.dsqMoveToLocal(this.migDsq(llc))) return;
    this.pickTwo(llc);
  }

  /** upstream dispatch_pick_two: the busier of two LLCs first, if at least as loaded as us plus slack; anything when saturated. */
  pickTwo(cur: number): boolean {
    const scx = this.scx, n = this.nrLlcs, load = this.llcLoad;
    if (n < 2 || scx.now() - this.periodStart < PICK2_BACKOFF_NS) return false;
    let left = n === 2 ? 0 : scx.randomU32() % n, right = n === 2 ? 1 : scx.randomU32() % n;
    if (left === right) right = (load[cur] % n) & 3;
    let first = load[right] > load[left] ? right : left, second = first === right ? left : right;
    if (n === 2 && first === cur) { first = second; second = cur; }
    const curLoad = load[cur] + Math.floor((load[cur] * this.o.lb_slack_pct) / 100);
    if (load[first] >= curLoad && this.consume(first)) return true;
    if (load[second] >= curLoad && this.consume(second)) return true;
    if (!this.saturated()) return false;
    return this.consume(first) || this.consume(second) || (n > 2 && this.consume(scx.randomU32() % n));
  }

  /** upstream consume_llc: the head of an LLC's migration DSQ. */
  private consume(llc: number): boolean {
    if (!this.scx.dsqMoveToLocal(this.migDsq(llc))) return false;
    this.scx.stat("pick2_pull");
    return true;
  }

  running(p: ScxTask): void {
    const t = this.tctx.get(p), llc = this.scx.cpuLlc(this.scx.taskCpu(p)), now = this.scx.now();
    if (t.llc !== llc || t.llcRuns === 0) this.refreshLlcRuns(t);
    else t.llcRuns--;
    t.llc = llc;
    t.wasNice = p.weight < 100;
    this.niceCpu[this.scx.taskCpu(p)] = t.wasNice ? 1 : 0;
    const v = this.llcVtime[llc];
    if (p.dsqVtime > v && p.dsqVtime < v + this.classSlices[NR_CLASSES - 1]) this.llcVtime[llc] = p.dsqVtime;
    if (t.lastRunStarted === 0) t.lastRunStarted = now;
    t.lastRunAt = now;
    if (this.o.enable_pelt) this.updatePelt(t, now, 0, this.scx.taskCpu(p));
  }

  /** upstream p2dq_runnable_impl: with PELT, decay the task's utilisation and bring its LLC's sum up to date. */
  runnable(p: ScxTask): void {
    if (!this.o.enable_pelt) return;
    const t = this.tctx.get(p);
    this.updatePelt(t, this.scx.now(), 0, this.scx.taskCpu(p));
    this.aggregatePelt(t, t.llc);
  }

  /**
   * upstream update_task_pelt: whole 1 ms periods since the last update decay the sum by 127/128
   * each (at most 256), then the run time (whole ms, scaled by capacity and frequency, with what
   * was banked under a period) is added; the average is the sum / 128, at most 1024. Under a
   * whole period the run time is only banked.
   */
  private updatePelt(t: TaskCtx, now: number, deltaNs: number, cpu: CpuId): void {
    if (t.peltAt === 0) {
      t.peltAt = now;
      t.utilSum = t.utilAvg = t.periodContribMs = 0;
      return;
    }
    const elapsedMs = Math.floor((now - t.peltAt) / 1_000_000);
    if (elapsedMs === 0) {
      t.periodContribMs += Math.floor(deltaNs / 1_000_000);
      return;
    }
    let sum = t.utilSum;
    for (let i = 0; i < Math.min(elapsedMs, 256) && sum > 0; i++) sum = (sum * 127) >>> 7;
    const scale = this.scx.cpuCapacity(cpu) * (this.scx.cpuperfCur(cpu) || 1024);
    if (t.periodContribMs > 0) {
      sum += Math.floor((t.periodContribMs * scale) / 1_048_576);
      t.periodContribMs = 0;
    }
    sum += Math.floor((Math.floor(deltaNs / 1_000_000) * scale) / 1_048_576);
    t.utilSum = Math.min(sum, PELT_SUM_MAX);
    t.utilAvg = Math.min(t.utilSum >>> 7, PELT_MAX_UTIL);
    t.peltAt = now;
  }

  /** upstream aggregate_pelt_to_llc: move the task's contribution to `llc`'s sum and bring it to its average. */
  private aggregatePelt(t: TaskCtx, llc: number): void {
    let old = t.peltUtil;
    if (t.peltLlc < 0) old = 0;
    else if (t.peltLlc !== llc) {
      this.llcLoad[t.peltLlc] -= old;
      old = 0;
    }
    this.llcLoad[llc] += t.utilAvg - old;
    t.peltLlc = llc;
    t.peltUtil = t.utilAvg;
  }

  stopping(p: ScxTask, runnable: boolean): void {
    const t = this.tctx.get(p), now = this.scx.now();
    if (t.wasNice) {
      this.niceCpu[this.scx.taskCpu(p)] = 0;
      t.wasNice = false;
    }
    const used = now - t.lastRunAt, lastSlice = t.sliceNs;
    p.dsqVtime += Math.floor((used * 100) / p.weight);
    this.llcVtime[t.llc] += used;
    if (this.o.enable_pelt) {
      this.updatePelt(t, now, used, this.scx.taskCpu(p));
      this.aggregatePelt(t, t.llc);
    } else this.llcLoad[t.llc] += used;
    if (runnable) return;
    // Going to sleep: the whole awake period decides the class.
    const awake = now - t.lastRunStarted;
    const affinitized = p.nrCpusAllowed !== this.nrCpus;
    if (awake >= (affinitized ? (19 * lastSlice) / 20 : (9 * lastSlice) / 10)) {
      if (t.cls < NR_CLASSES - 1 && p.weight >= 100) t.cls++;
    } else if (awake < (affinitized ? lastSlice / 4 : lastSlice / 2) && t.cls > 0) t.cls--;
    if (p.weight < 100 && t.cls > 1) t.cls = 1;
    t.sliceNs = this.slice(p, t.cls);
    t.lastRunStarted = 0;
  }

  init_task(p: ScxTask): number {
    p.dsqVtime = this.llcVtime[this.tctx.get(p).llc];
    return 0;
  }

  /**
   * upstream load_balance_timer: each LLC is compared with the one lbOffset further on; one more
   * than lb_slack_pct % busier gets that one as its hint; the offset turns. The per-period
   * counters start again (PELT sums decay instead).
   */
  private onTimer(): void {
    const n = this.nrLlcs, load = this.llcLoad;
    if (n > 1) {
      for (let l = 0; l < n; l++) {
        const other = (l + this.lbOffset) % n;
        const imbalance = load[l] > load[other] ? Math.floor((100 * (load[l] - load[other])) / load[l]) : 0;
        this.llcHint[l] = imbalance > this.o.lb_slack_pct ? other : -1;
      }
      this.lbOffset = (this.lbOffset % (n - 1)) + 1;
    }
    if (!this.o.enable_pelt) load.fill(0);
    this.periodStart = this.scx.now();
    this.scx.timerStart(this.timer, this.o.lb_interval_us * 1000);
  }

  init(): number {
    const scx = this.scx;
    for (let l = 0; l < this.nrLlcs; l++) {
      const r = scx.createDsq(this.llcDsq(l), -1) || scx.createDsq(this.migDsq(l), -1);
      if (r !== 0) return r;
    }
    for (let c = asCpu(0); c < this.nrCpus; c++) {
      const r = scx.createDsq(this.affnDsq(c), scx.cpuNode(c));
      if (r !== 0) return r;
    }
    this.timer = scx.timerCreate(() => this.onTimer());
    scx.timerStart(this.timer, this.o.lb_interval_us * 1000);
    return 0;
  }
}
