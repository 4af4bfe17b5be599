/**
 * lavd's load balancing across compute domains (one per LLC here) — upstream scx_lavd
 * balance.bpf.c (plan_x_cpdom_migration, classify_cpdom, try_to_steal_task, force_to_steal_task,
 * consume_task), idle.bpf.c migrate_to_neighbor and main.bpf.c's queued-load accounting, with the
 * fast load balancer upstream uses by default.
 *
 * Each task carries a utilisation estimate (util_est): a running average (128 ms half-life) of
 * 1 while it runs or waits and 0 while it sleeps, read when it goes to sleep. A domain's queued
 * load is the sum of the estimates of the tasks queued for it (taken when each is queued, given
 * back when it runs or leaves). Every stat interval, a domain's load is its CPUs' average
 * frequency-invariant utilisation plus its queued load, and each active domain's fair share is
 * the machine's load times its share of the active capacity. A domain below its fair share by
 * more than a margin (1/4, 1/8 or 1/16 of the share as fewer or more domains have queued load)
 * becomes a stealer, with half the deficit as budget; one above it by the margin, with queued
 * load, a stealee, with half the excess. Nothing is planned while every domain's CPUs average
 * under `lb_low_util_pct` % busy, and flags set in a round with no stealee stay as they were (as
 * upstream, which clears them only when the previous round had a stealee).
 *
 * A CPU of a stealer domain, before its own DSQs, takes the head of a stealee neighbour's DSQ
 * (neighbours nearest first; a farther distance is tried only with probability 1/2), debiting
 * both budgets with the task's estimate; a domain's flag drops when its budget runs out. A CPU
 * whose own DSQs are empty steals from any neighbour in the same order, always (unless
 * `mig_delta_pct` is set). A waking task whose domain is a stealee may be placed on a wholly idle
 * core of a stealer neighbour instead of a partly idle CPU at home.
 * Simplified: no `--no-fast-lb` (the older balancer); per-CPU DSQs are never stolen from (upstream
 * does only with `--per-cpu-dsq`, which the port lacks); no execve-triggered aggressive migration.
 */
import type { CpuId, Scx, ScxTask, DsqId } from "../sim/ext/ops.js";
import { asCpu } from "../sim/ext/consts.js";
import { newRavg, ravgAccumulate, ravgRead, RAVG_FRAC_BITS, type Ravg } from "./lib/ravg.js";

const SCALE = 1024;
/** LAVD_RAVG_HALFLIFE_NS. */
const RAVG_HALFLIFE_NS = 128_000_000;
/** LAVD_CPDOM_MIG_SHIFT_UL / _SHIFT / _SHIFT_OL: the margin as a share of the fair load. */
const MIG_SHIFT_UL = 2, MIG_SHIFT = 3, MIG_SHIFT_OL = 4;
/** LAVD_CPDOM_MIG_PROB_FT: 10 ms stat interval / 5 ms default slice; 1 in 2 goes a distance farther. */
const MIG_PROB_FT = 2;
/** LAVD_CPDOM_MAX_DIST: distance classes kept per domain. */
const MAX_DIST = 3;

/** What the balancer keeps per task (task_ctx util_est, avg_util_ravg, queued_in_cpdom_id, queued_load_snapshot). */
export interface TaskLoad {
  readonly ravg: Ravg;
  utilEst: number;
  /** The domain whose queued load counts this task, or -1. */
  queuedDom: number;
  snapshot: number;
}

export function newTaskLoad(): TaskLoad {
  return { ravg: newRavg(), utilEst: 0, queuedDom: -1, snapshot: 0 };
}

/** The balancing options (main.rs --mig-delta-pct, --lb-low-util-pct). */
export interface BalanceOptions {
  readonly mig_delta_pct: number;
  readonly lb_low_util_pct: number;
}

/**
 * circular_sort in main.rs: the other members of a ring of ids, nearest to `start` first
 * around the ring, ties to the smaller id.
 */
export function circularOrder(start: number, others: readonly number[]): number[] {
  const ring = [...others, start].sort((a, b) => a - b);
  const s = ring.indexOf(start), n = ring.length;
  const dist = (i: number): number => { const d = (i - s + n) % n; return Math.min(d, n - d); };
  return ring.map((_, i) => i).filter((i) => i !== s).sort((x, y) => dist(x) - dist(y) || x - y).map((i) => ring[i]);
}

export class LavdBalance {
  private readonly nrDoms: number;
  /** Per domain: its neighbours, by distance class (same node, then other nodes), each in circular order. */
  readonly neighbours: number[][][] = [];
  readonly stealer: Uint8Array;
  readonly stealee: Uint8Array;
  private readonly stealerBudget: Float64Array;
  private readonly stealeeBudget: Float64Array;
  /** Per domain: queued load (qload_invr) and load as last planned (load_invr). */
  readonly qload: Float64Array;
  readonly load: Float64Array;
  /** Per domain, gathered by addCpu over a stat interval: CPUs' utilisation sums (1024 = one CPU). */
  private readonly avgWallSum: Float64Array;
  private readonly curWallSum: Float64Array;
  private readonly avgInvrSum: Float64Array;
  /** Per domain: active CPUs as compaction last left them (nr_active_cpus; all CPUs at first). */
  private readonly nrActive: Int32Array;
  /** sys_stat.nr_stealee. */
  nrStealee = 0;
  private readonly lowUtil: number;
  private readonly migFactor: number;

  /**
   * `domDsq` names a domain's DSQ; `loadOf` reads a queued task's current estimate
   * (dsq_peek_task_load).
   */
  constructor(private readonly scx: Scx, o: BalanceOptions, private readonly domDsq: (dom: number) => DsqId, private readonly loadOf: (p: ScxTask) => number) {
    this.nrDoms = scx.nrLlcs();
    const n = this.nrDoms;
    this.nrActive = new Int32Array(n);
    for (let c = asCpu(0); c < scx.nrCpus(); c++) this.nrActive[scx.cpuLlc(c)]++;
    this.stealer = new Uint8Array(n);
    this.stealee = new Uint8Array(n);
    this.stealerBudget = new Float64Array(n);
    this.stealeeBudget = new Float64Array(n);
    this.qload = new Float64Array(n);
    this.load = new Float64Array(n);
    this.avgWallSum = new Float64Array(n);
    this.curWallSum = new Float64Array(n);
    this.avgInvrSum = new Float64Array(n);
    this.lowUtil = Math.floor((o.lb_low_util_pct * SCALE) / 100);
    this.migFactor = o.mig_delta_pct > 0 ? Math.floor((o.mig_delta_pct * SCALE) / 100) : 0;
    const node = new Int32Array(n).fill(-1);
    for (let c = asCpu(0); c < scx.nrCpus(); c++) if (node[scx.cpuLlc(c)] < 0) node[scx.cpuLlc(c)] = scx.cpuNode(c);
    for (let d = 0; d < n; d++) {
      const others = [...Array(n).keys()].filter((x) => x !== d);
      const near = others.filter((x) => node[x] === node[d]), far = others.filter((x) => node[x] !== node[d]);
      this.neighbours.push([near, far].filter((g) => g.length > 0).slice(0, MAX_DIST).map((g) => circularOrder(d, g)));
    }
  }

  /** Whether domain `dom` has active CPUs (nr_active_cpus > 0). */
  domActive(dom: number): boolean {
    return this.nrActive[dom] > 0;
  }

  /** account_queued_load: the task's estimate joins `dom`'s queued load, once until it is given back. */
  account(l: TaskLoad, dom: number): void {
    if (l.queuedDom >= 0) return;
    l.snapshot = l.utilEst;
    this.qload[dom] += l.snapshot;
    l.queuedDom = dom;
  }

  /** unaccount_queued_load: the estimate taken at queueing leaves the domain's queued load. */
  unaccount(l: TaskLoad): void {
    if (l.queuedDom < 0) return;
    this.qload[l.queuedDom] -= l.snapshot;
    l.queuedDom = -1;
  }

  /** lavd_running and update_stat_for_running: no longer queued; busy from now in the estimate. */
  running(l: TaskLoad, now: number): void {
    this.unaccount(l);
    ravgAccumulate(l.ravg, SCALE, now, RAVG_HALFLIFE_NS);
  }

  /** lavd_quiescent on sleep: idle from now; the estimate is read. */
  sleeping(l: TaskLoad, now: number): void {
    ravgAccumulate(l.ravg, 0, now, RAVG_HALFLIFE_NS);
    l.utilEst = Math.floor(ravgRead(l.ravg, now, RAVG_HALFLIFE_NS) / 2 ** RAVG_FRAC_BITS);
  }

  /**
   * collect_sys_stat's per-domain sums: one CPU's utilisation over the last interval and its
   * averages, wall and frequency-invariant, each in 1/1024 (called for every CPU each interval,
   * before plan).
   */
  addCpu(cpu: CpuId, curWall: number, avgWall: number, avgInvr: number): void {
    const d = this.scx.cpuLlc(cpu);
    this.curWallSum[d] += curWall;
    this.avgWallSum[d] += avgWall;
    this.avgInvrSum[d] += avgInvr;
  }

  /** calc_mig_delta: the margin around a fair share. */
  private migDelta(fair: number, nzQlen: number, nrActiveDoms: number): number {
    if (this.migFactor > 0) return Math.floor((fair * this.migFactor) / SCALE);
    const shift = nzQlen >= nrActiveDoms ? MIG_SHIFT_OL : nzQlen === 0 ? MIG_SHIFT_UL : MIG_SHIFT;
    return Math.floor(fair / 2 ** shift);
  }

  /**
   * plan_x_cpdom_migration, at the end of each stat interval: each domain's load, then stealers
   * and stealees with their budgets. `active` is the active CPU set compaction left.
   */
  plan(active: Uint8Array): void {
    const n = this.nrDoms, scx = this.scx, nrActive = this.nrActive, cap = new Float64Array(n);
    nrActive.fill(0);
    for (let c = asCpu(0); c < scx.nrCpus(); c++) {
      if (active[c] === 0) continue;
      nrActive[scx.cpuLlc(c)]++;
      cap[scx.cpuLlc(c)] += scx.cpuperfCap(c);
    }
    let maxUtil = 0, total = 0, totalCap = 0, nzQlen = 0, nrActiveDoms = 0, overflowRunning = false;
    for (let d = 0; d < n; d++) {
      if (nrActive[d] === 0) {
        if (this.curWallSum[d] > 0) overflowRunning = true;
        continue;
      }
      nrActiveDoms++;
      maxUtil = Math.max(maxUtil, Math.floor(this.avgWallSum[d] / nrActive[d]));
      this.load[d] = this.avgInvrSum[d] + this.qload[d];
      if (this.qload[d] > 0) nzQlen++;
      total += this.load[d];
      totalCap += cap[d];
    }
    this.avgWallSum.fill(0);
    this.curWallSum.fill(0);
    this.avgInvrSum.fill(0);
    if (this.lowUtil > 0 && maxUtil < this.lowUtil) { this.skip(); return; }
    let nrStealee = 0;
    for (let d = 0; d < n; d++) nrStealee += this.classify(d, nrActive[d], cap[d], total, totalCap, nzQlen, nrActiveDoms);
    if (nrStealee === 0 && !overflowRunning) { this.skip(); return; }
    this.nrStealee = nrStealee;
  }

  /** reset_and_skip_lb: roles are cleared only if the last plan had stealees. */
  private skip(): void {
    if (this.nrStealee === 0) return;
    this.stealer.fill(0);
    this.stealee.fill(0);
    this.stealerBudget.fill(0);
    this.stealeeBudget.fill(0);
    this.nrStealee = 0;
  }

  /** classify_cpdom: 1 if `d` became a stealee. */
  private classify(d: number, nrActive: number, cap: number, total: number, totalCap: number, nzQlen: number, nrActiveDoms: number): number {
    let fair = 0, low = 0, high = 0;
    if (nrActive > 0 && totalCap > 0) {
      fair = Math.floor((total * cap) / totalCap);
      const delta = this.migDelta(fair, nzQlen, nrActiveDoms);
      low = fair - delta;
      high = fair + delta;
    }
    const load = this.load[d];
    if (nrActive > 0 && load <= low) {
      this.setRole(d, 1, fair > load ? Math.floor((fair - load) / 2) : 0, 0);
      return 0;
    }
    if (nrActive === 0 || load >= high) {
      const budget = load > fair ? Math.floor((load - fair) / 2) : 0;
      if (this.qload[d] > 0 && budget > 0) {
        this.setRole(d, 0, 0, budget);
        return 1;
      }
    }
    this.setRole(d, 0, 0, 0);
    return 0;
  }

  private setRole(d: number, stealer: number, stealerBudget: number, stealeeBudget: number): void {
    this.stealer[d] = stealer;
    this.stealee[d] = stealeeBudget > 0 ? 1 : 0;
    this.stealerBudget[d] = stealerBudget;
    this.stealeeBudget[d] = stealeeBudget;
  }

  /**
   * consume_task's first step (try_to_steal_task): a CPU of an active stealer domain `dom` takes
   * the head of a stealee neighbour's DSQ; true if it moved one to the local DSQ.
   */
  trySteal(dom: number): boolean {
    if (this.nrDoms < 2 || this.stealer[dom] === 0 || this.nrActive[dom] === 0) return false;
    for (const group of this.neighbours[dom]) {
      for (const other of group) {
        if (this.stealee[other] === 0 || this.stealeeBudget[other] <= 0) continue;
        if (this.consume(dom, other)) return true;
      }
      if (this.scx.randomU32() % MIG_PROB_FT >= 1) break;
    }
    return false;
  }

  /** consume_task's last step (force_to_steal_task): with its own DSQs empty, a CPU takes from any neighbour. */
  forceSteal(dom: number): boolean {
    if (this.nrDoms < 2 || this.migFactor > 0) return false;
    for (const group of this.neighbours[dom]) {
      for (const other of group) if (this.consume(dom, other)) return true;
    }
    return false;
  }

  /** Moves the head of `from`'s DSQ here, debiting both budgets by its estimate (peeked first, as upstream). */
  private consume(to: number, from: number): boolean {
    const head = this.scx.dsqPeek(this.domDsq(from));
    const load = head === null ? 0 : this.loadOf(head);
    if (!this.scx.dsqMoveToLocal(this.domDsq(from))) return false;
    this.stealeeBudget[from] -= load;
    if (this.stealeeBudget[from] <= 0) this.stealee[from] = 0;
    this.stealerBudget[to] -= load;
    if (this.stealerBudget[to] <= 0) this.stealer[to] = 0;
    return true;
  }

  /**
   * idle.bpf.c migrate_to_neighbor: for a task whose domain `dom` is a stealee, the first
   * stealer neighbour (nearest first) where `pick` claims a CPU; the CPU, or -1.
   */
  migrateToNeighbor(dom: number, pick: (dom: number) => CpuId): CpuId {
    if (this.nrDoms < 2 || this.stealee[dom] === 0) return asCpu(-1);
    for (const group of this.neighbours[dom]) {
      for (const other of group) {
        if (this.stealer[other] === 0) continue;
        const c = pick(other);
        if (c >= 0) return c;
      }
    }
    return asCpu(-1);
  }
}
