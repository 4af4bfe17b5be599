/**
 * The built-in idle tracking and default CPU selection (scx_select_cpu_dfl): prefer a wholly
 * idle core, then prev, then its SMT sibling, then an idle CPU in prev's LLC, its node, anywhere.
 * Each step claims the CPU it returns (clears its idle bit). Scans rotate their start so that
 * picks spread over the machine. `mask` null means every CPU is allowed.
 */
import type { Topology } from "../topology.js";

const SCOPE_ALL = 0, SCOPE_LLC = 1, SCOPE_NODE = 2;

export class IdleTracker {
  /** 1 when the CPU is idle and not yet claimed. */
  readonly idle: Uint8Array;
  private cursor = 0;
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
   * Scans outward from `near`: its LLC, its node, then everywhere, each scan claiming the first
   * match. A wider scan that is known to fail because it covers the same CPUs as the failed
   * narrower one is skipped, but still advances the cursor, so picks are exactly those of
   * running all three scans.
   */
  private pickNear(mask: Uint8Array | null, coreOnly: boolean, near: number): number {
    let c = this.pick(mask, coreOnly, near, SCOPE_LLC);
    if (c >= 0) return c;
    if (this.llcIsNode[near] === 1) this.cursor++;
    else {
      c = this.pick(mask, coreOnly, near, SCOPE_NODE);
      if (c >= 0) return c;
    }
    if (this.nodeIsAll[near] === 1) { this.cursor++; return -1; }
    return this.pick(mask, coreOnly, near, SCOPE_ALL);
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

  /** Claims an idle allowed CPU (a whole idle core if `coreOnly`), near `near` by scope; -1 if none. */
  pick(mask: Uint8Array | null, coreOnly: boolean, near: number, scope: number): number {
    const topo = this.topo, n = topo.nrCpus;
    const start = this.cursor++ % n;
    for (let i = 0; i < n; i++) {
      const c = start + i < n ? start + i : start + i - n;
      if (this.idle[c] === 0 || (mask !== null && mask[c] === 0)) continue;
      if (scope === SCOPE_LLC && topo.llcOf[c] !== topo.llcOf[near]) continue;
      if (scope === SCOPE_NODE && topo.nodeOf[c] !== topo.nodeOf[near]) continue;
      if (coreOnly && !this.coreIdle(c)) continue;
      this.idle[c] = 0;
      return c;
    }
    return -1;
  }

  /** scx_bpf_pick_idle_cpu: whole idle cores first when the machine has SMT. */
  pickAny(mask: Uint8Array | null, coreOnly: boolean): number {
    if (this.hasSmt || coreOnly) {
      const c = this.pick(mask, true, 0, SCOPE_ALL);
      if (c >= 0 || coreOnly) return c;
    }
    return this.pick(mask, false, 0, SCOPE_ALL);
  }

  /**
   * Default selection into `out`: the CPU and whether an idle one was claimed. `syncCpu` is the
   * waker's CPU of a SCX_WAKE_SYNC wakeup (else -1) and `syncQueueEmpty` whether its local DSQ
   * is empty: the step ext_idle.c takes before all others for such wakeups.
   */
  selectDfl(mask: Uint8Array | null, prev: number, out: { cpu: number; isIdle: boolean }, syncCpu: number, syncQueueEmpty: boolean): void {
    const topo = this.topo;
    out.isIdle = true;
    if (mask !== null && mask[prev] === 0) prev = firstAllowed(topo.nrCpus, mask);
    if (syncCpu >= 0 && this.selectSync(mask, prev, syncCpu, syncQueueEmpty, out)) return;
    if (this.hasSmt) {
      if (this.coreIdle(prev)) { this.idle[prev] = 0; out.cpu = prev; return; }
      const c = this.pickNear(mask, true, prev);
      if (c >= 0) { out.cpu = c; return; }
    }
    if (this.testAndClear(prev)) { out.cpu = prev; return; }
    const sib = topo.sibling[prev];
    if (sib >= 0 && (mask === null || mask[sib] === 1) && this.testAndClear(sib)) { out.cpu = sib; return; }
    const c = this.pickNear(mask, false, prev);
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
   * Returns the CPU, or -1 when nothing allowed is idle.
   */
  selectAnd(allowed: Uint8Array, prev: number, coreOnly: boolean, inNode: boolean, syncCpu: number, syncQueueEmpty: boolean): number {
    const topo = this.topo;
    const prevOk = allowed[prev] === 1;
    if (syncCpu >= 0) {
      if (prevOk && topo.llcOf[syncCpu] === topo.llcOf[prev] && this.testAndClear(prev)) return prev;
      if (syncQueueEmpty && (!inNode || topo.nodeOf[syncCpu] === topo.nodeOf[prev]) && this.idle.indexOf(1) >= 0 && allowed[syncCpu] === 1) return syncCpu;
    }
    if (this.hasSmt) {
      if (prevOk && this.coreIdle(prev)) { this.idle[prev] = 0; return prev; }
      const c = this.pickNear(allowed, true, prev);
      if (c >= 0 || coreOnly) return c;
    }
    if (prevOk && this.testAndClear(prev)) return prev;
    const sib = topo.sibling[prev];
    if (sib >= 0 && allowed[sib] === 1 && this.testAndClear(sib)) return sib;
    return this.pickNear(allowed, false, prev);
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
