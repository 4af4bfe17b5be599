/**
 * The built-in idle tracking and default CPU selection (scx_select_cpu_dfl): prefer a wholly
 * idle core, then prev, then its SMT sibling, then an idle CPU in prev's LLC, its node, anywhere.
 * Each step claims the CPU it returns (clears its idle bit). `mask` null means every CPU is allowed.
 *
 * Every scan is lib/cpumask.c's cpumask_any_and_distribute, run on the calling CPU `from`: it
 * starts after the CPU that `from`'s last successful scan returned (its distribute_cpu_mask_prev,
 * 0 at boot, so a CPU's first scan skips CPU 0) and wraps; only a hit moves the cursor. The
 * whole-core and the single-CPU scans share the one cursor, and so does cpumask_any_distribute
 * (`anyDistribute`). So picks made from one CPU spread over the machine, while different CPUs
 * scan independently.
 */
import type { Topology } from "../topology.js";

const SCOPE_ALL = 0, SCOPE_LLC = 1, SCOPE_NODE = 2;

export class IdleTracker {
  /** 1 when the CPU is idle and not yet claimed. */
  readonly idle: Uint8Array;
  /** Per calling CPU: the CPU its last successful scan returned (distribute_cpu_mask_prev). */
  private readonly distPrev: Int32Array;
  private readonly hasSmt: boolean;
  /**
   * Per CPU: 1 when its LLC holds exactly the CPUs of its node, so that a failed LLC-scope scan
   * from it implies a failed node-scope scan (the same CPUs, the same tests).
   */
  private readonly llcIsNode: Uint8Array;
  /** Per CPU: 1 when its node holds every CPU, so a failed node scan implies a failed full scan. */
  private readonly nodeIsAll: Uint8Array;

  constructor(private readonly topo: Topology) {
    const n = topo.nrCpus;
    this.idle = new Uint8Array(n);
    this.distPrev = new Int32Array(n);
    this.hasSmt = topo.sibling.some((s) => s >= 0);
    const perLlc = new Map<number, number>(), perNode = new Map<number, number>(), perPair = new Map<string, number>();
    const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
    for (let c = 0; c < n; c++) {
      bump(perLlc, topo.llcOf[c]);
      bump(perNode, topo.nodeOf[c]);
      bump(perPair, `${topo.llcOf[c]}/${topo.nodeOf[c]}`);
    }
    this.llcIsNode = new Uint8Array(n);
    this.nodeIsAll = new Uint8Array(n);
    for (let c = 0; c < n; c++) {
      const l = perLlc.get(topo.llcOf[c])!, d = perNode.get(topo.nodeOf[c])!, both = perPair.get(`${topo.llcOf[c]}/${topo.nodeOf[c]}`)!;
      this.llcIsNode[c] = l === both && d === both ? 1 : 0;
      this.nodeIsAll[c] = d === n ? 1 : 0;
    }
  }

  /**
   * Scans outward from `near`: its LLC, its node, then everywhere, each scan from `from`'s
   * cursor claiming the first match. A wider scan known to fail, because it covers the same CPUs
   * as the failed narrower one, is skipped: a failed scan moves no cursor, so skipping it changes
   * nothing (the kernel skips them too, scx_selcpu_topo_llc / scx_selcpu_topo_numa).
   */
  private pickNear(mask: Uint8Array | null, coreOnly: boolean, near: number, from: number): number {
    let c = this.pick(mask, coreOnly, near, SCOPE_LLC, from);
    if (c >= 0) return c;
    if (this.llcIsNode[near] !== 1) {
      c = this.pick(mask, coreOnly, near, SCOPE_NODE, from);
      if (c >= 0) return c;
    }
    if (this.nodeIsAll[near] === 1) return -1;
    return this.pick(mask, coreOnly, near, SCOPE_ALL, from);
  }

  testAndClear(cpu: number): boolean {
    if (this.idle[cpu] === 0) return false;
    this.idle[cpu] = 0;
    return true;
  }

  private coreIdle(cpu: number): boolean {
    const s = this.topo.sibling[cpu];
    return this.idle[cpu] === 1 && (s < 0 || this.idle[s] === 1);
  }

  /**
   * pick_idle_cpu_in_node's scan as calling CPU `from` runs it: claims the first idle allowed CPU
   * (of a wholly idle core if `coreOnly`) in `near`'s scope after `from`'s cursor, wrapping, and
   * moves the cursor to it; -1 if none, the cursor left alone.
   */
  pick(mask: Uint8Array | null, coreOnly: boolean, near: number, scope: number, from: number): number {
    const topo = this.topo, n = topo.nrCpus;
    const start = this.distPrev[from] + 1;
    for (let i = 0; i < n; i++) {
      const c = start + i < n ? start + i : start + i - n;
      if (this.idle[c] === 0 || (mask !== null && mask[c] === 0)) continue;
      if (scope === SCOPE_LLC && topo.llcOf[c] !== topo.llcOf[near]) continue;
      if (scope === SCOPE_NODE && topo.nodeOf[c] !== topo.nodeOf[near]) continue;
      if (coreOnly && !this.coreIdle(c)) continue;
      this.idle[c] = 0;
      this.distPrev[from] = c;
      return c;
    }
    return -1;
  }

  /** scx_bpf_pick_idle_cpu run on CPU `from`: whole idle cores first when the machine has SMT. */
  pickAny(mask: Uint8Array | null, coreOnly: boolean, from: number): number {
    if (this.hasSmt || coreOnly) {
      const c = this.pick(mask, true, 0, SCOPE_ALL, from);
      if (c >= 0 || coreOnly) return c;
    }
    return this.pick(mask, false, 0, SCOPE_ALL, from);
  }

  /**
   * cpumask_any_distribute run on CPU `from`: the first CPU of `mask` (0/1 per CPU) after the one
   * `from`'s cursor holds, wrapping, claiming nothing; the cursor the idle scans use moves to it.
   * -1 when the mask is empty.
   */
  anyDistribute(mask: Uint8Array, from: number): number {
    const n = this.topo.nrCpus, start = this.distPrev[from] + 1;
    for (let i = 0; i < n; i++) {
      const c = start + i < n ? start + i : start + i - n;
      if (mask[c] === 0) continue;
      this.distPrev[from] = c;
      return c;
    }
    return -1;
  }

  /**
   * Default selection into `out`: the CPU and whether an idle one was claimed. `syncCpu` is the
   * waker's CPU of a SCX_WAKE_SYNC wakeup (else -1) and `syncQueueEmpty` whether its local DSQ
   * is empty: the step ext_idle.c takes before all others for such wakeups. `from` is the CPU
   * running the selection, whose cursor the scans use.
   */
  selectDfl(mask: Uint8Array | null, prev: number, out: { cpu: number; isIdle: boolean }, syncCpu: number, syncQueueEmpty: boolean, from: number): void {
    const topo = this.topo;
    out.isIdle = true;
    if (mask !== null && mask[prev] === 0) prev = firstAllowed(topo.nrCpus, mask);
    if (syncCpu >= 0 && this.selectSync(mask, prev, syncCpu, syncQueueEmpty, out)) return;
    if (this.hasSmt) {
      if (this.coreIdle(prev)) { this.idle[prev] = 0; out.cpu = prev; return; }
      const c = this.pickNear(mask, true, prev, from);
      if (c >= 0) { out.cpu = c; return; }
    }
    if (this.testAndClear(prev)) { out.cpu = prev; return; }
    const sib = topo.sibling[prev];
    if (sib >= 0 && (mask === null || mask[sib] === 1) && this.testAndClear(sib)) { out.cpu = sib; return; }
    const c = this.pickNear(mask, false, prev, from);
    if (c >= 0) { out.cpu = c; return; }
    out.cpu = prev;
    out.isIdle = false;
  }

  /**
   * scx_select_cpu_dfl as scx_bpf_select_cpu_and runs it: over `allowed` (the caller's mask and
   * the task's affinity, 0/1 per CPU, never empty), from `prev` even when prev itself is not
   * allowed (its LLC and node still lead the scans). The order of ext_idle.c: the SYNC step
   * (`syncCpu` the waker's CPU, else -1; `inNode` keeps it to prev's node); with SMT, prev when
   * its whole core is idle, then a wholly idle core in prev's LLC, its node, anywhere (and no
   * further if `coreOnly`); prev when idle; prev's idle SMT sibling; an idle CPU in prev's LLC,
   * its node, anywhere. The CPU found is claimed, except the waker's CPU of the SYNC step.
   * Returns the CPU, or -1 when nothing allowed is idle. `from` as in selectDfl.
   */
  selectAnd(allowed: Uint8Array, prev: number, coreOnly: boolean, inNode: boolean, syncCpu: number, syncQueueEmpty: boolean, from: number): number {
    const topo = this.topo;
    const prevOk = allowed[prev] === 1;
    if (syncCpu >= 0) {
      if (prevOk && topo.llcOf[syncCpu] === topo.llcOf[prev] && this.testAndClear(prev)) return prev;
      if (syncQueueEmpty && (!inNode || topo.nodeOf[syncCpu] === topo.nodeOf[prev]) && this.idle.indexOf(1) >= 0 && allowed[syncCpu] === 1) return syncCpu;
    }
    if (this.hasSmt) {
      if (prevOk && this.coreIdle(prev)) { this.idle[prev] = 0; return prev; }
      const c = this.pickNear(allowed, true, prev, from);
      if (c >= 0 || coreOnly) return c;
    }
    if (prevOk && this.testAndClear(prev)) return prev;
    const sib = topo.sibling[prev];
    if (sib >= 0 && allowed[sib] === 1 && this.testAndClear(sib)) return sib;
    return this.pickNear(allowed, false, prev, from);
  }

  /**
   * scx_select_cpu_dfl's step for a wakeup whose waker is about to sleep (SCX_WAKE_SYNC): prev
   * when it is idle and shares the waker's LLC (no migration, warm cache), else the waker's own
   * CPU when nothing waits in its local DSQ and some CPU is idle (the machine is not saturated,
   * so the wakee will not queue behind others). The waker's CPU counts as found: the wakee goes
   * to its local DSQ and runs once the waker sleeps. False when neither applies.
   */
  private selectSync(mask: Uint8Array | null, prev: number, waker: number, queueEmpty: boolean, out: { cpu: number; isIdle: boolean }): boolean {
    const topo = this.topo;
    if (topo.llcOf[waker] === topo.llcOf[prev] && this.testAndClear(prev)) { out.cpu = prev; return true; }
    if (!queueEmpty || (mask !== null && mask[waker] === 0) || this.idle.indexOf(1) < 0) return false;
    out.cpu = waker;
    return true;
  }
}

function firstAllowed(n: number, mask: Uint8Array): number {
  for (let c = 0; c < n; c++) if (mask[c] === 1) return c;
  return 0;
}
