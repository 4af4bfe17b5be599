/**
 * flatcg — modelled on the kernel's tools/sched_ext/scx_flatcg.bpf.c, following its copy in
 * sched-ext/scx scheds/c/scx_flatcg.bpf.c at 0f379644a (2026-02-10, the last tree with scheds/c).
 *
 * Hierarchical cgroup CPU control, flattened: each active cgroup's share of the machine
 * (hweight) is the product, down its ancestry, of weight / (sum of active siblings' weights),
 * so R{A(100){B(100),C(100)},D(200)} gives B = C = 1/6 and D = 2/3. Cgroups then compete on one
 * level, ordered by cgroup vtime (cvtime); each has its own DSQ in which its tasks are ordered
 * by task vtime (or FIFO with `fifo_sched`). A CPU keeps serving its current cgroup for
 * `cgrp_slice_us`, then picks the cgroup with the lowest cvtime, charging it a full slice up
 * front (slice / hweight) and refunding what it did not use when it next switches. Tasks with a
 * custom affinity bypass the cgroups through a fallback DSQ; a wakeup onto an idle CPU bypasses
 * them too and is charged to its cgroup afterwards.
 * A cpu.weight write (cgroup_set_weight) changes an active cgroup's share at once; a task moving
 * between cgroups (cgroup_move) keeps its lead over its cgroup's vtime clock (not a lag).
 * The arithmetic is the C's: integer divisions truncate (hweight rounds up), and the cgroup
 * vtimes (cvtime, its pending delta, cvtime_now) are u64 that wrap, kept as BigInt: a slice that
 * ran past its end makes the refund `(cur_at + slice - now) * HWEIGHT_ONE` negative, which the
 * C turns into a huge unsigned charge divided by the hweight, and that charge decides which
 * cgroup runs next. Task vtimes are signed numbers as the sim keeps them (time_before holds).
 * Simplified: the rbtree of cgroups is an array kept in insertion order (the first of equal
 * cvtimes wins, as bpf_rbtree_add puts equal keys to the right); no per-CPU kthread shortcut
 * (the model has no kthreads).
 */
import type { SchedExtOps, Scx, ScxTask, CpuId, DsqId } from "../sim/ext/ops.js";
import { SCX_DSQ_LOCAL, SCX_SLICE_DFL, asDsq } from "../sim/ext/consts.js";
import { defineOptions, type OptionValues } from "./options.js";

export const options = defineOptions({
  cgrp_slice_us: { type: "number", default: 20_000, min: 1, doc: "how long a CPU serves one cgroup before picking again (scx_flatcg -s)" },
  fifo_sched: { type: "boolean", default: false, doc: "FIFO instead of weighted vtime inside each cgroup (scx_flatcg -f)" },
});

const FALLBACK_DSQ = asDsq(0);
/** Fixed-point 1.0 for hierarchical weights. */
const HWEIGHT_ONE = 1 << 16;
const HWEIGHT_ONE_N = 65536n;
const CGROUP_MAX_RETRIES = 1024;
const ENOENT = 2;

const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
/** time_before on u64: the signed difference is negative. */
const before = (a: bigint, b: bigint): boolean => BigInt.asIntN(64, a - b) < 0n;

/** hweight of a child: parent's hweight × weight / active siblings' weight sum, rounded up (div_round_up). */
export function childHweight(parentHweight: number, weight: number, childWeightSum: number): number {
  return Math.floor((parentHweight * weight + childWeightSum - 1) / childWeightSum);
}

/** A task's vtime charge at stopping: (SCX_SLICE_DFL - slice) * 100 / weight, truncated as u64 division is. */
export function vtimeCharge(slice: number, weight: number): number {
  return Math.floor(((SCX_SLICE_DFL - slice) * 100) / weight);
}

/**
 * What a cgroup is charged (or refunded) when a CPU stops serving it: u64
 * `(cur_at + slice - now) * HWEIGHT_ONE / hweight`, so a slice that overran wraps to a huge charge.
 */
export function cgroupRefund(curAt: number, sliceNs: number, now: number, hweight: number): bigint {
  return u64(BigInt(curAt + sliceNs - now) * HWEIGHT_ONE_N) / BigInt(hweight || 1);
}

interface Cgrp {
  readonly path: string;
  readonly parent: Cgrp | null;
  readonly dsq: DsqId;
  weight: number;
  hweight: number;
  hweightGen: number;
  /** Leaf: runnable tasks. */
  nrRunnable: number;
  /** Leaf: 1 while it has runnable tasks; inner: number of active children. */
  nrActive: number;
  childWeightSum: number;
  /** Task vtime clock of this cgroup. */
  tvtimeNow: number;
  /** The cgroup's node in the tree (cgv_node.cvtime), u64. */
  cvtime: bigint;
  /** Charges collected while the node is off the tree (s64 in u64 form), applied when it goes back on. */
  cvtimeDelta: bigint;
  queued: boolean;
  /** The node is on the tree (not in its stash). */
  onTree: boolean;
  /** cgroup_exit ran: the node is dropped when it next leaves the tree. */
  gone: boolean;
}

interface TaskCtx {
  /** se.sum_exec_runtime when the task bypassed its cgroup (-1 standing for (u64)-1), 0 if it did not. */
  bypassedAt: number;
}

export class FlatcgScheduler implements SchedExtOps {
  readonly name = "flatcg";
  private readonly sliceNs: number;
  private readonly sliceN: bigint;
  private readonly fifo: boolean;
  private readonly nrCpus: number;
  private readonly cgroups = new Map<string, Cgrp>();
  /** Cgroups waiting for a CPU in insertion order; the first with the lowest cvtime is the front. */
  private tree: Cgrp[] = [];
  private cvtimeNow = 0n;
  private hweightGen = 1;
  private nextDsq = 1;
  private readonly curCgrp: (Cgrp | null)[];
  private readonly curAt: Float64Array;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.sliceNs = o.cgrp_slice_us * 1000;
    this.sliceN = BigInt(this.sliceNs);
    this.fifo = o.fifo_sched;
    this.nrCpus = scx.nrCpus();
    this.curCgrp = new Array<Cgrp | null>(this.nrCpus).fill(null);
    this.curAt = new Float64Array(this.nrCpus);
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ bypassedAt: 0 }));
  }

  /** The context cgroup_init made, or null after an error exit (as find_cgrp_ctx). */
  private cgrp(path: string): Cgrp | null {
    const c = this.cgroups.get(path);
    if (c === undefined) { this.scx.error(`cgrp_ctx lookup failed for ${path}`); return null; }
    return c;
  }

  /** Recomputes hweight from the root down, unless the cached value is current. */
  private refreshHweight(c: Cgrp): void {
    if (c.nrActive === 0) { this.scx.stat("hwt_skip"); return; }
    if (c.hweightGen === this.hweightGen) { this.scx.stat("hwt_cache"); return; }
    this.scx.stat("hwt_updates");
    const chain: Cgrp[] = [];
    for (let a: Cgrp | null = c; a !== null; a = a.parent) chain.push(a);
    for (let i = chain.length - 1; i >= 0; i--) {
      const a = chain[i];
      if (a.parent === null) {
        a.hweight = HWEIGHT_ONE;
        a.hweightGen = this.hweightGen;
        continue;
      }
      if (a.nrActive === 0) { this.scx.stat("hwt_race"); break; }
      a.hweightGen = a.parent.hweightGen;
      a.hweight = childHweight(a.parent.hweight, a.weight, a.parent.childWeightSum);
    }
  }

  /** A leaf's first runnable task activates it (and its ancestors); the last one deactivates. */
  private updateActiveWeightSums(c: Cgrp, runnable: boolean): void {
    if (runnable ? c.nrRunnable++ > 0 : --c.nrRunnable > 0) return;
    this.scx.stat(runnable ? "act" : "deact");
    // Deactivating: refresh before leaving the weight tree, so the charges that follow see it.
    if (!runnable) this.refreshHweight(c);
    let updated = false;
    for (let a: Cgrp | null = c; a !== null && a.parent !== null; a = a.parent) {
      const flipped = runnable ? a.nrActive++ === 0 : --a.nrActive === 0;
      if (!flipped) break;
      updated = true;
      a.parent.childWeightSum += runnable ? a.weight : -a.weight;
    }
    if (updated) this.hweightGen++;
    if (runnable) this.refreshHweight(c);
  }

  /** Applies collected charges and caps the banked budget at half the machine for one slice. */
  private capBudget(c: Cgrp): void {
    let cvtime = u64(c.cvtime + c.cvtimeDelta);
    c.cvtimeDelta = 0n;
    const maxBudget = (this.sliceN * BigInt(this.nrCpus) * BigInt(c.hweight)) / (2n * HWEIGHT_ONE_N);
    const floor = u64(this.cvtimeNow - maxBudget);
    if (before(cvtime, floor)) cvtime = floor;
    c.cvtime = cvtime;
  }

  private treeAdd(c: Cgrp): void {
    c.onTree = true;
    this.tree.push(c);
  }

  private cgrpEnqueued(c: Cgrp): void {
    if (c.queued) { this.scx.stat("enq_skip"); return; }
    c.queued = true;
    if (c.onTree || c.gone) { this.scx.stat("enq_race"); return; }
    this.capBudget(c);
    this.treeAdd(c);
  }

  private setBypassed(p: ScxTask): void {
    this.tctx.get(p).bypassedAt = p.sumExecNs || -1;
  }

  select_cpu(p: ScxTask, prevCpu: CpuId, wakeFlags: number): CpuId {
    const r = this.scx.selectCpuDfl(p, prevCpu, wakeFlags);
    if (r.isIdle) {
      // Straight to the idle CPU; the cgroup is charged in stopping().
      this.setBypassed(p);
      this.scx.stat("local");
      this.scx.dsqInsert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, 0);
    }
    return r.cpu;
  }

  enqueue(p: ScxTask, enqFlags: number): void {
    const scx = this.scx;
    if (p.nrCpusAllowed !== this.nrCpus) {
      // Custom affinity: keep such tasks out of the cgroup DSQs (any CPU must be able to drain them).
      this.setBypassed(p);
      scx.stat("global");
      scx.dsqInsert(p, FALLBACK_DSQ, SCX_SLICE_DFL, enqFlags);
      return;
    }
    const c = this.cgrp(p.cgroup);
    if (c === null) return;
    if (this.fifo) {
      scx.dsqInsert(p, c.dsq, SCX_SLICE_DFL, enqFlags);
    } else {
      // A sleeper may bank at most one slice against its cgroup's clock.
      const vtime = Math.max(p.dsqVtime, c.tvtimeNow - SCX_SLICE_DFL);
      scx.dsqInsertVtime(p, c.dsq, SCX_SLICE_DFL, vtime, enqFlags);
    }
    this.cgrpEnqueued(c);
  }

  runnable(p: ScxTask): void {
    const c = this.cgrp(p.cgroup);
    if (c !== null) this.updateActiveWeightSums(c, true);
  }

  running(p: ScxTask): void {
    if (this.fifo) return;
    const c = this.cgrp(p.cgroup);
    if (c !== null && c.tvtimeNow < p.dsqVtime) c.tvtimeNow = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    if (!this.fifo) p.dsqVtime += vtimeCharge(p.slice, p.weight);
    const t = this.tctx.get(p);
    if (t.bypassedAt === 0) return;
    const c = this.cgrp(p.cgroup);
    if (c === null) return;
    c.cvtimeDelta = u64(c.cvtimeDelta + BigInt(p.sumExecNs - t.bypassedAt));
    t.bypassedAt = 0;
  }

  quiescent(p: ScxTask): void {
    const c = this.cgrp(p.cgroup);
    if (c !== null) this.updateActiveWeightSums(c, false);
  }

  /** Pops the front cgroup and moves one of its tasks here; false to retry. */
  private tryPickNextCgroup(cpu: number): boolean {
    if (this.tree.length === 0) { this.scx.stat("pnc_no_cgrp"); this.curCgrp[cpu] = null; return true; }
    let best = 0;
    for (let i = 1; i < this.tree.length; i++) if (this.tree[i].cvtime < this.tree[best].cvtime) best = i;
    const c = this.tree[best];
    this.tree.splice(best, 1);
    c.onTree = false;
    if (before(this.cvtimeNow, c.cvtime)) this.cvtimeNow = c.cvtime;
    if (c.gone) { this.scx.stat("pnc_gone"); return false; }
    if (!this.scx.dsqMoveToLocal(c.dsq)) {
      this.scx.stat("pnc_empty");
      c.queued = false;
      // Tasks queued meanwhile: back on the tree as it is, without settling its charges.
      if (this.scx.dsqNrQueued(c.dsq) > 0) { this.treeAdd(c); this.scx.stat("pnc_race"); }
      return false;
    }
    this.refreshHweight(c);
    // Charge the whole slice now, settle later: keeps a low-priority herd from flooding the CPUs.
    c.cvtime = u64(c.cvtime + u64(this.sliceN * HWEIGHT_ONE_N) / BigInt(c.hweight || 1));
    this.capBudget(c);
    this.treeAdd(c);
    this.curCgrp[cpu] = c;
    this.scx.stat("pnc_next");
    return true;
  }

  dispatch(cpu: number): void {
    const scx = this.scx, now = scx.now();
    const cur = this.curCgrp[cpu];
    if (cur !== null) {
      if (now < this.curAt[cpu] + this.sliceNs) {
        if (scx.dsqMoveToLocal(cur.dsq)) { scx.stat("cns_keep"); return; }
        scx.stat("cns_empty");
      } else scx.stat("cns_expire");
      // It was charged a full slice; settle the difference with what it used.
      if (cur.gone) scx.stat("cns_gone");
      else cur.cvtimeDelta = u64(cur.cvtimeDelta + cgroupRefund(this.curAt[cpu], this.sliceNs, now, cur.hweight));
    }
    this.curAt[cpu] = now;
    if (scx.dsqMoveToLocal(FALLBACK_DSQ)) { this.curCgrp[cpu] = null; return; }
    for (let i = 0; i < CGROUP_MAX_RETRIES; i++) if (this.tryPickNextCgroup(cpu)) return;
    scx.stat("pnc_fail");
  }

  /** fcg_cgroup_set_weight: an active cgroup's new weight changes its parent's active sum (cached hweights stay until the next activation change). */
  cgroup_set_weight(path: string, weight: number): void {
    const c = this.cgrp(path);
    if (c === null) return;
    if (c.nrActive > 0 && c.parent !== null) c.parent.childWeightSum += weight - c.weight;
    c.weight = weight;
  }

  /**
   * fcg_cgroup_move: the task keeps its lead over its cgroup's vtime clock; a task behind the
   * clock starts at the new cgroup's (time_delta is never negative).
   */
  cgroup_move(p: ScxTask, from: string, to: string): void {
    const f = this.cgrp(from), t = f === null ? null : this.cgrp(to);
    if (f === null || t === null) return;
    p.dsqVtime = t.tvtimeNow + Math.max(0, p.dsqVtime - f.tvtimeNow);
  }

  /** fcg_cgroup_init: a DSQ and a node at the current cgroup vtime, off the tree. */
  cgroup_init(path: string, weight: number): number {
    const parentPath = path === "/" ? "" : this.scx.cgroupParent(path);
    const parent = parentPath === "" ? null : this.cgroups.get(parentPath) ?? null;
    const dsq = asDsq(this.nextDsq++);
    const r = this.scx.createDsq(dsq, -1);
    if (r !== 0) return r;
    this.cgroups.set(path, {
      path, parent, dsq, weight, hweight: HWEIGHT_ONE, hweightGen: 0,
      nrRunnable: 0, nrActive: 0, childWeightSum: 0, tvtimeNow: 0,
      cvtime: this.cvtimeNow, cvtimeDelta: 0n, queued: false, onTree: false, gone: false,
    });
    return 0;
  }

  /** fcg_cgroup_exit: a node still on the tree is dropped when it reaches the front. */
  cgroup_exit(path: string): void {
    const c = this.cgroups.get(path);
    if (c === undefined) return;
    c.gone = true;
    this.cgroups.delete(path);
    this.scx.destroyDsq(c.dsq);
  }

  init_task(p: ScxTask): number {
    const c = this.cgroups.get(p.cgroup);
    if (c === undefined) return -ENOENT;
    this.tctx.get(p).bypassedAt = 0;
    p.dsqVtime = c.tvtimeNow;
    return 0;
  }

  init(): number {
    return this.scx.createDsq(FALLBACK_DSQ, -1);
  }
}
