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

  constructor(private readonly topo: Topology) {
    this.idle = new Uint8Array(topo.nrCpus);
    this.hasSmt = topo.sibling.some((s) => s >= 0);
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

  /** Default selection into `out`: the CPU and whether an idle one was claimed. */
  selectDfl(mask: Uint8Array | null, prev: number, out: { cpu: number; isIdle: boolean }): void {
    const topo = this.topo;
    out.isIdle = true;
    if (mask !== null && mask[prev] === 0) prev = firstAllowed(topo.nrCpus, mask);
    if (this.hasSmt) {
      if (this.coreIdle(prev)) { this.idle[prev] = 0; out.cpu = prev; return; }
      let c = this.pick(mask, true, prev, SCOPE_LLC);
      if (c < 0) c = this.pick(mask, true, prev, SCOPE_NODE);
      if (c < 0) c = this.pick(mask, true, prev, SCOPE_ALL);
      if (c >= 0) { out.cpu = c; return; }
    }
    if (this.testAndClear(prev)) { out.cpu = prev; return; }
    const sib = topo.sibling[prev];
    if (sib >= 0 && (mask === null || mask[sib] === 1) && this.testAndClear(sib)) { out.cpu = sib; return; }
    let c = this.pick(mask, false, prev, SCOPE_LLC);
    if (c < 0) c = this.pick(mask, false, prev, SCOPE_NODE);
    if (c < 0) c = this.pick(mask, false, prev, SCOPE_ALL);
    if (c >= 0) { out.cpu = c; return; }
    out.cpu = prev;
    out.isIdle = false;
  }
}

function firstAllowed(n: number, mask: Uint8Array): number {
  for (let c = 0; c < n; c++) if (mask[c] === 1) return c;
  return 0;
}
