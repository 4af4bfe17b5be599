/**
 * flatcg — modelled on the kernel's tools/sched_ext/scx_flatcg.bpf.c.
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
 * between cgroups (cgroup_move) keeps its lag against its cgroup's vtime clock.
 * Simplified: cgroups are discovered from tasks' `p.cgroup` on first use instead of through
 * cgroup_init (and never freed: no cgroup_exit); the rbtree of
 * cgroups is a small array; the refund uses signed arithmetic where the original wraps u64.
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

interface Cgrp {
  readonly path: string;
  readonly parent: Cgrp | null;
  readonly level: number;
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
  cvtime: number;
  /** Charges collected while the cgroup is off the tree, applied when it goes back on. */
  cvtimeDelta: number;
  /** On the tree or being served. */
  queued: boolean;
  onTree: boolean;
}

interface TaskCtx {
  /** Ran without going through its cgroup: charge its run to the cgroup when it stops. */
  bypassed: boolean;
  startedAt: number;
}

export class FlatcgScheduler implements SchedExtOps {
  readonly name = "flatcg";
  private readonly sliceNs: number;
  private readonly fifo: boolean;
  private readonly nrCpus: number;
  private readonly cgroups = new Map<string, Cgrp>();
  /** Cgroups waiting for a CPU, ordered by cvtime at pick time (ties: first added). */
  private tree: Cgrp[] = [];
  private cvtimeNow = 0;
  private hweightGen = 1;
  private nextDsq = 1;
  private readonly curCgrp: (Cgrp | null)[];
  private readonly curAt: Float64Array;
  private readonly tctx;

  constructor(private readonly scx: Scx, o: OptionValues<typeof options>) {
    this.sliceNs = o.cgrp_slice_us * 1000;
    this.fifo = o.fifo_sched;
    this.nrCpus = scx.nrCpus();
    this.curCgrp = new Array<Cgrp | null>(this.nrCpus).fill(null);
    this.curAt = new Float64Array(this.nrCpus);
    this.tctx = scx.taskStorage<TaskCtx>(() => ({ bypassed: false, startedAt: 0 }));
  }

  /** The context of a cgroup, created with its DSQ (and its ancestors') on first sight. */
  private cgrp(path: string): Cgrp {
    let c = this.cgroups.get(path);
    if (c !== undefined) return c;
    const parentPath = this.scx.cgroupParent(path);
    const parent = parentPath === "" ? null : this.cgrp(parentPath);
    const dsq = asDsq(this.nextDsq++);
    const r = this.scx.createDsq(dsq, -1);
    if (r !== 0) this.scx.error(`creating DSQ for cgroup ${path} failed (${r})`);
    c = {
      path, parent, level: parent === null ? 0 : parent.level + 1, dsq,
      weight: this.scx.cgroupWeight(path), hweight: HWEIGHT_ONE, hweightGen: 0,
      nrRunnable: 0, nrActive: 0, childWeightSum: 0, tvtimeNow: 0,
      cvtime: this.cvtimeNow, cvtimeDelta: 0, queued: false, onTree: false,
    };
    this.cgroups.set(path, c);
    return c;
  }

  /** Recomputes hweight from the root down, unless the cached value is current. */
  private refreshHweight(c: Cgrp): void {
    if (c.nrActive === 0 || c.hweightGen === this.hweightGen) return;
    const chain: Cgrp[] = [];
    for (let a: Cgrp | null = c; a !== null; a = a.parent) chain.push(a);
    for (let i = chain.length - 1; i >= 0; i--) {
      const a = chain[i];
      if (a.parent === null) {
        a.hweight = HWEIGHT_ONE;
        a.hweightGen = this.hweightGen;
        continue;
      }
      if (a.nrActive === 0) break;
      a.hweight = Math.ceil((a.parent.hweight * a.weight) / a.parent.childWeightSum);
      a.hweightGen = a.parent.hweightGen;
    }
  }

  /** A leaf's first runnable task activates it (and its ancestors); the last one deactivates. */
  private updateActiveWeightSums(c: Cgrp, runnable: boolean): void {
    if (runnable ? c.nrRunnable++ > 0 : --c.nrRunnable > 0) return;
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
    let cvtime = c.cvtime + c.cvtimeDelta;
    c.cvtimeDelta = 0;
    const maxBudget = (this.sliceNs * this.nrCpus * c.hweight) / (2 * HWEIGHT_ONE);
    if (cvtime < this.cvtimeNow - maxBudget) cvtime = this.cvtimeNow - maxBudget;
    c.cvtime = cvtime;
  }

  private treeAdd(c: Cgrp): void {
    this.capBudget(c);
    c.onTree = true;
    this.tree.push(c);
  }

  private cgrpEnqueued(c: Cgrp): void {
    if (c.queued) { this.scx.stat("enq_skip"); return; }
    c.queued = true;
    if (!c.onTree) this.treeAdd(c);
  }

  private setBypassed(p: ScxTask): void {
    this.tctx.get(p).bypassed = true;
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
    this.updateActiveWeightSums(this.cgrp(p.cgroup), true);
  }

  running(p: ScxTask): void {
    this.tctx.get(p).startedAt = this.scx.now();
    if (this.fifo) return;
    const c = this.cgrp(p.cgroup);
    if (c.tvtimeNow < p.dsqVtime) c.tvtimeNow = p.dsqVtime;
  }

  stopping(p: ScxTask): void {
    if (!this.fifo) p.dsqVtime += ((SCX_SLICE_DFL - p.slice) * 100) / p.weight;
    const t = this.tctx.get(p);
    if (!t.bypassed) return;
    this.cgrp(p.cgroup).cvtimeDelta += this.scx.now() - t.startedAt;
    t.bypassed = false;
  }

  quiescent(p: ScxTask): void {
    this.updateActiveWeightSums(this.cgrp(p.cgroup), false);
  }

  /** Pops the lowest-cvtime cgroup and moves one of its tasks here; false to retry. */
  private tryPickNextCgroup(cpu: number): boolean {
    if (this.tree.length === 0) { this.scx.stat("pnc_no_cgrp"); this.curCgrp[cpu] = null; return true; }
    let best = 0;
    for (let i = 1; i < this.tree.length; i++) if (this.tree[i].cvtime < this.tree[best].cvtime) best = i;
    const c = this.tree[best];
    this.tree.splice(best, 1);
    c.onTree = false;
    if (this.cvtimeNow < c.cvtime) this.cvtimeNow = c.cvtime;
    if (!this.scx.dsqMoveToLocal(c.dsq)) {
      this.scx.stat("pnc_empty");
      c.queued = false;
      if (this.scx.dsqNrQueued(c.dsq) > 0) this.treeAdd(c);
      return false;
    }
    this.refreshHweight(c);
    // Charge the whole slice now, settle later: keeps a low-priority herd from flooding the CPUs.
    c.cvtime += (this.sliceNs * HWEIGHT_ONE) / (c.hweight || 1);
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
      // It was charged a full slice; refund (or charge) the difference with what it used.
      cur.cvtimeDelta += ((this.curAt[cpu] + this.sliceNs - now) * HWEIGHT_ONE) / (cur.hweight || 1);
    }
    this.curAt[cpu] = now;
    if (scx.dsqMoveToLocal(FALLBACK_DSQ)) { this.curCgrp[cpu] = null; return; }
    for (let i = 0; i < 1024; i++) if (this.tryPickNextCgroup(cpu)) return;
    scx.stat("pnc_fail");
  }

  /** fcg_cgroup_set_weight: an active cgroup's new weight changes its parent's active sum. */
  cgroup_set_weight(path: string, weight: number): void {
    const c = this.cgrp(path);
    if (c.weight !== weight && c.nrActive > 0 && c.parent !== null) {
      c.parent.childWeightSum += weight - c.weight;
      this.hweightGen++;
    }
    c.weight = weight;
  }

  /** fcg_cgroup_move: the task keeps its distance from its cgroup's vtime clock. */
  cgroup_move(p: ScxTask, from: string, to: string): void {
    p.dsqVtime = this.cgrp(to).tvtimeNow + (p.dsqVtime - this.cgrp(from).tvtimeNow);
  }

  init_task(p: ScxTask): number {
    p.dsqVtime = this.cgrp(p.cgroup).tvtimeNow;
    return 0;
  }

  init(): number {
    const r = this.scx.createDsq(FALLBACK_DSQ, -1);
    if (r !== 0) return r;
    this.cgrp("/");
    return 0;
  }
}
