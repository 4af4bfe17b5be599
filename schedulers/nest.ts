/**
 * nest — modelled on scx_nest.bpf.c (sched-ext/scx scheds/c at 0f379644a, 2026-02-10, the last
 * tree with scheds/c), after the Inria paper "OS
 * Scheduling with Nest: Keeping Tasks Close Together on Warm Cores".
 *
 * A global weighted-vtime queue like simple, but wakeups are packed onto a small set of
 * recently used ("warm") cores: the primary nest. A task first tries the core it is attached to
 * (one it ran on twice in a row), then its previous core, then any idle primary core. Failing
 * that it counts a miss; after `r_impatient` misses in a row it is impatient. Next come idle
 * cores of the reserve nest (promoted to primary on use), then any idle core: an impatient task
 * promotes it straight to primary, otherwise it joins the reserve (at most `r_max` cores). A
 * primary core that finds nothing to run arms a `p_remove_us` timer that demotes it to the
 * reserve unless a wakeup lands on it first; a core whose task just died is demoted at once.
 * Best on single-LLC machines at low-to-moderate load; it aims at higher clock speeds: with
 * overheads on, the cores it leaves idle reach C6 and drop out of the package's active-core
 * count, so the ones it keeps busy get a higher turbo limit (sim/turbo.ts).
 * A statistics timer samples the nests every 2 s (scx_nest.c's SAMPLING_CADENCE_S).
 * "Its task just died" is read off the prev ops.dispatch is handed (p.dead), as upstream reads
 * prev->__state: the kernel passes a prev that blocked or exited too, not only a runnable one.
 * Simplified: nothing known; beside its compiled object it gives identical runs on the nine
 * built-in workloads (README, "The kernel's sample schedulers, port against object").
 */
import type { SchedExtOps, Scx, ScxTask, CpuId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_PICK_IDLE_CORE, asCpu, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  slice_us: { type: "number", default: 20_000, min: 1, doc: "time slice in µs (scx_nest -s)" },
  p_remove_us: { type: "number", default: 2_000, min: 1, doc: "idle time after which a primary core is demoted (scx_nest -d)" },
  r_max: { type: "number", default: 5, min: 0, integer: true, doc: "maximum cores in the reserve nest (scx_nest -m)" },
  r_impatient: { type: "number", default: 2, min: 0, integer: true, doc: "misses in a row before a task may grab a core for primary (scx_nest -i; 0 = never)" },
  find_fully_idle: { type: "boolean", default: false, doc: "prefer wholly idle SMT cores in each nest (scx_nest -I)" },
});

const FALLBACK_DSQ = asDsq(0);
/** scx_nest.c's SAMPLING_CADENCE_S, in ns. */
const SAMPLING_CADENCE_NS = 2_000_000_000;

interface TaskCtx {
  prevMisses: number;
  /** Core the task last ran on twice in a row, or -1. */
  attachedCore: CpuId;
  prevCpu: CpuId;
}

export class NestScheduler implements SchedExtOps {
  readonly name = "nest";
  private readonly o: OptionValues<typeof options>;
  private readonly sliceNs: number;
  private readonly nrCpus: number;
  private readonly primary: Uint8Array;
  private readonly reserve: Uint8Array;
  private nrReserved = 0;
  private vtimeNow = 0;
  private readonly timers: number[] = [];
  private statsTimer = -1;
  private readonly scheduledCompaction: Uint8Array;
  /** Scratch mask: the task's allowed CPUs ∩ a nest. */
  private readonly mask: Uint8Array;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.o = o;
    this.sliceNs = o.slice_us * 1000;
    this.nrCpus = scx.nrCpus();
    this.primary = new Uint8Array(this.nrCpus);
    this.reserve = new Uint8Array(this.nrCpus);
    this.scheduledCompaction = new Uint8Array(this.nrCpus);
    this.mask = new Uint8Array(this.nrCpus);
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ prevMisses: 0, attachedCore: asCpu(-1), prevCpu: asCpu(-1) }));
  }

  private andMask(p: ScxTask, nest: Uint8Array): Uint8Array {
    const allowed = p.cpusAllowed;
    for (let c = 0; c < this.nrCpus; c++) this.mask[c] = nest[c] & (allowed === null ? 1 : allowed[c]);
    return this.mask;
  }

  /**
   * Puts a core into the reserve if there is room, else leaves it in no nest. As in the C, the
   * count goes up even for a core already reserved and does not go down when one is dropped
   * at capacity: nr_reserved is an approximate gate, decremented only when a reserved core is
   * promoted to primary.
   */
  private tryMakeCoreReserved(cpu: number, promotion: boolean): void {
    if (this.nrReserved < this.o.r_max) {
      this.nrReserved++;
      this.reserve[cpu] = 1;
      this.scx.stat(promotion ? "promoted_to_reserved" : "demoted_to_reserved");
    } else {
      this.reserve[cpu] = 0;
      this.scx.stat("reserved_at_capacity");
    }
  }

  private compact(cpu: number): void {
    this.scx.stat("callback_compacted");
    this.primary[cpu] = 0;
    this.tryMakeCoreReserved(cpu, false);
    this.scheduledCompaction[cpu] = 0;
  }

  /** Idle CPU in `mask`, whole cores first when asked; -1 if none. */
  private pickIdle(mask: Uint8Array | null): CpuId {
    if (this.o.find_fully_idle) {
      const c = this.scx.pickIdleCpu(mask, SCX_PICK_IDLE_CORE);
      if (c >= 0) return c;
    }
    const c = this.scx.pickIdleCpu(mask, 0);
    return c >= 0 ? c : asCpu(-1);
  }

  select_cpu(p: ScxTask, prevCpu: CpuId): CpuId {
    const scx = this.scx, t = this.tctx.get(p);
    t.prevCpu = prevCpu;
    let resetImpatient = true, promote = false;
    let cpu = asCpu(-1);
    let pMask = this.andMask(p, this.primary);
    if (t.attachedCore >= 0 && pMask[t.attachedCore] === 1 && scx.testAndClearCpuIdle(t.attachedCore)) {
      cpu = t.attachedCore;
      scx.stat("wakeup_attached");
    } else if (prevCpu !== t.attachedCore && pMask[prevCpu] === 1 && scx.testAndClearCpuIdle(prevCpu)) {
      cpu = prevCpu;
      scx.stat("wakeup_prev_primary");
    } else if ((cpu = this.pickIdle(pMask)) >= 0) {
      scx.stat("wakeup_idle_primary");
    } else {
      let directToPrimary = false;
      if (this.o.r_impatient > 0 && ++t.prevMisses >= this.o.r_impatient) {
        directToPrimary = true;
        t.prevMisses = 0;
        scx.stat("task_impatient");
      }
      resetImpatient = false;
      pMask = this.andMask(p, this.reserve);
      if ((cpu = this.pickIdle(pMask)) >= 0) {
        scx.stat("wakeup_idle_reserve");
        promote = true;
      } else {
        cpu = scx.pickIdleCpu(p.cpusAllowed, 0);
        if (cpu < 0) return prevCpu;
        scx.stat("wakeup_idle_other");
        if (this.primary[cpu] === 0) {
          if (this.reserve[cpu] === 1 || directToPrimary) promote = true;
          else {
            // A stranger core: it only joins the reserve, and the task queues normally.
            this.tryMakeCoreReserved(cpu, true);
            return cpu;
          }
        }
      }
    }
    if (promote) scx.stat("promoted_to_primary");
    if (resetImpatient) t.prevMisses = 0;
    if (this.scheduledCompaction[cpu] === 1) {
      scx.timerCancel(this.timers[cpu]);
      this.scheduledCompaction[cpu] = 0;
      scx.stat("cancelled_compaction");
    }
    this.primary[cpu] = 1;
    if (this.reserve[cpu] === 1) {
      this.nrReserved--;
      this.reserve[cpu] = 0;
    }
    if (t.prevCpu === cpu) t.attachedCore = cpu;
    scx.dsqInsert(p, SCX_DSQ_LOCAL, this.sliceNs, 0);
    return cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    // A sleeper may bank at most one slice of budget.
    const vtime = Math.max(p.dsqVtime, this.vtimeNow - this.sliceNs);
    this.scx.dsqInsertVtime(p, FALLBACK_DSQ, this.sliceNs, vtime, enqFlags);
  }

  dispatch(cpu: number, prev: ScxTask | null): void {
    const scx = this.scx;
    if (scx.dsqMoveToLocal(FALLBACK_DSQ)) { scx.stat("consumed"); return; }
    const inPrimary = this.primary[cpu] === 1;
    // A runnable prev on a primary core goes on: the insert gives it a fresh slice (the kernel
    // sets the slice at the insert and then drops the insert of a task that is running).
    if (prev !== null && prev.queued && inPrimary) {
      scx.dsqInsert(prev, SCX_DSQ_LOCAL, this.sliceNs, 0);
      return;
    }
    scx.stat("not_consumed");
    if (!inPrimary) return;
    if (prev !== null && prev.dead && cpu !== this.primary.indexOf(1)) {
      // Its task is gone: demote now (but keep the first primary core, so the nest never empties).
      scx.stat("eagerly_compacted");
      this.primary[cpu] = 0;
      this.tryMakeCoreReserved(cpu, false);
      return;
    }
    this.scheduledCompaction[cpu] = 1;
    scx.timerStart(this.timers[cpu], this.o.p_remove_us * 1000);
    scx.stat("scheduled_compaction");
  }

  running(p: ScxTask): void {
    if (p.dsqVtime > this.vtimeNow) this.vtimeNow = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    // u64 arithmetic: the division truncates
    p.dsqVtime += Math.floor(((this.sliceNs - p.slice) * 100) / p.weight);
  }

  enable(p: ScxTask): void {
    p.dsqVtime = this.vtimeNow;
  }

  /** stats_timerfn: samples the nest sizes and idle CPUs for the statistics, every cadence. */
  private sample(): void {
    const scx = this.scx;
    for (let c = 0; c < this.nrCpus; c++) {
      scx.stat(this.primary[c] === 1 ? "sampled_primary" : this.reserve[c] === 1 ? "sampled_reserved" : "sampled_other");
      if (scx.isCpuIdle(asCpu(c))) scx.stat("sampled_idle");
    }
    scx.timerStart(this.statsTimer, SAMPLING_CADENCE_NS - 5000);
  }

  init(): number {
    const r = this.scx.createDsq(FALLBACK_DSQ, -1);
    if (r !== 0) return r;
    for (let c = 0; c < this.nrCpus; c++) this.timers.push(this.scx.timerCreate(() => this.compact(c)));
    this.statsTimer = this.scx.timerCreate(() => this.sample());
    this.scx.timerStart(this.statsTimer, SAMPLING_CADENCE_NS - 5000);
    return 0;
  }
}
