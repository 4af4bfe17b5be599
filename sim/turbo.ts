/**
 * Package turbo (overheads on): the highest frequency a core may run at depends on how many
 * cores of its package are active, as Intel's turbo ratio limits do (MSR_TURBO_RATIO_LIMIT, one
 * ratio per active-core count; turbostat prints them as "max turbo N active cores"). A core is
 * active while one of its CPUs runs a task, and stays active while idle until it reaches a
 * power-gated idle state (C6: the first state marked `powerGated`, after that state's target
 * residency); a core in C0, C1 or C1E still holds its share of the package's power budget.
 * Levels are relative to the cost table's first turbo frequency (1024 = one active core's
 * turbo, what schedutil maps SCX_CPUPERF_ONE to). A package is a NUMA node.
 *
 * Counters change when a CPU starts running or goes idle; the only scan is of one package's
 * CPUs when its cap changes (every busy CPU there changes speed) and when its gate timer finds
 * idle CPUs that reached the power-gated state.
 */
import { CPUPERF_ONE } from "./cpuperf.js";
import type { CostModel } from "./costs.js";
import type { Topology } from "./topology.js";

/** What the turbo model needs of the kernel. */
export interface TurboHost {
  readonly now: number;
  timerCreate(fn: () => void): number;
  timerStart(id: number, delayNs: number): void;
}

/** Told when a package's cap is about to change and has changed, for each CPU whose speed it changes. */
export interface CapListener {
  capChanging(cpu: number, oldCap: number, newCap: number): boolean;
  capChanged(cpu: number): void;
}

export class Turbo {
  /** Whether the cap ever depends on the active-core count (a table with more than one frequency). */
  readonly on: boolean;
  /** Current level cap of each package, 1..1024. */
  readonly cap: Float64Array;
  /** Package of each CPU. */
  readonly pkgOf: Int32Array;
  /** Level cap by active-core count minus one (the last entry holds for any larger count). */
  private readonly bins: Float64Array;
  private readonly sibling: Int32Array;
  /** CPUs of each package: pkgCpus[pkgStart[p] .. pkgStart[p + 1]). */
  private readonly pkgStart: Int32Array;
  private readonly pkgCpus: Int32Array;
  private readonly activeCores: Int32Array;
  /** 1 while a CPU keeps its core active (running, or idle but not yet power-gated). */
  private readonly active: Uint8Array;
  /** When each idle CPU went idle; -1 while it runs a task. */
  private readonly idleSince: Float64Array;
  /** Each package's gate timer, and when it is due (Infinity: not armed). */
  private readonly timer: Int32Array;
  private readonly dueAt: Float64Array;
  /** Idle time after which a CPU is power-gated (-1: never, so an idle core stays active). */
  private readonly gateNs: number;
  /** CPUs whose speed the pending cap change alters (scratch, one package at a time). */
  private readonly changed: Int32Array;

  constructor(private readonly host: TurboHost, private readonly listener: CapListener, costs: CostModel, topo: Topology) {
    const n = topo.nrCpus, mhz = costs.turboMhz;
    this.on = mhz.length > 1 && mhz.some((f) => f !== mhz[0]);
    this.bins = Float64Array.from(mhz.length > 0 ? mhz : [1], (f) => (mhz.length > 0 ? Math.round((CPUPERF_ONE * f) / mhz[0]) : CPUPERF_ONE));
    this.sibling = topo.sibling;
    this.pkgOf = Int32Array.from(topo.nodeOf);
    const nPkg = topo.nrNodes;
    this.pkgStart = new Int32Array(nPkg + 1);
    for (let c = 0; c < n; c++) this.pkgStart[this.pkgOf[c] + 1]++;
    for (let p = 0; p < nPkg; p++) this.pkgStart[p + 1] += this.pkgStart[p];
    this.pkgCpus = new Int32Array(n);
    const fill = this.pkgStart.slice(0, nPkg);
    for (let c = 0; c < n; c++) this.pkgCpus[fill[this.pkgOf[c]]++] = c;
    this.activeCores = new Int32Array(nPkg);
    this.cap = new Float64Array(nPkg).fill(this.bins[0]);
    this.active = new Uint8Array(n);
    this.idleSince = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.timer = new Int32Array(nPkg).fill(-1);
    this.dueAt = new Float64Array(nPkg).fill(Number.POSITIVE_INFINITY);
    const gated = costs.idleStates.find((s) => s.powerGated === true);
    this.gateNs = gated === undefined ? -1 : gated.residencyNs;
    this.changed = new Int32Array(n);
  }

  /** Active cores of package `pkg` now (counted only while the table is not flat: `on`). */
  activeCoresOf(pkg: number): number {
    return this.activeCores[pkg];
  }

  /** `cpu` starts running a task (it may have been idle, or just switched tasks). */
  running(cpu: number): void {
    if (!this.on || this.idleSince[cpu] === -1) return;
    this.idleSince[cpu] = -1;
    if (this.active[cpu] === 0) this.setActive(cpu, 1);
  }

  /** `cpu` has nothing to run from `now` on: its core leaves the count once it is power-gated. */
  idle(cpu: number, now: number): void {
    if (!this.on || this.idleSince[cpu] !== -1) return;
    this.idleSince[cpu] = now;
    if (this.gateNs < 0) return;
    if (this.gateNs === 0) { this.setActive(cpu, 0); return; }
    const p = this.pkgOf[cpu];
    if (this.dueAt[p] !== Number.POSITIVE_INFINITY) return; // an earlier gate is pending; it re-arms for this one
    this.arm(p, now + this.gateNs);
  }

  private arm(p: number, at: number): void {
    if (this.timer[p] < 0) this.timer[p] = this.host.timerCreate(() => this.gate(p));
    this.dueAt[p] = at;
    this.host.timerStart(this.timer[p], at - this.host.now);
  }

  /** Package `p`'s gate timer: every idle CPU there that reached the power-gated state stops counting. */
  private gate(p: number): void {
    const now = this.host.now;
    this.dueAt[p] = Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (let i = this.pkgStart[p]; i < this.pkgStart[p + 1]; i++) {
      const c = this.pkgCpus[i];
      if (this.active[c] === 0 || this.idleSince[c] === -1) continue;
      const due = this.idleSince[c] + this.gateNs;
      if (due <= now) this.setActive(c, 0);
      else if (due < next) next = due;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(p, next);
  }

  private setActive(cpu: number, on: 0 | 1): void {
    this.active[cpu] = on;
    const s = this.sibling[cpu];
    if (s >= 0 && this.active[s] === 1) return; // the core's other thread keeps it active (or already did)
    const p = this.pkgOf[cpu];
    this.activeCores[p] += on === 1 ? 1 : -1;
    this.recap(p);
  }

  /** Package `p`'s cap for its active-core count; every CPU whose speed that changes is told. */
  private recap(p: number): void {
    const k = this.activeCores[p];
    const want = this.bins[Math.min(Math.max(k, 1), this.bins.length) - 1];
    const old = this.cap[p];
    if (want === old) return;
    let m = 0;
    for (let i = this.pkgStart[p]; i < this.pkgStart[p + 1]; i++) {
      const c = this.pkgCpus[i];
      if (this.listener.capChanging(c, old, want)) this.changed[m++] = c;
    }
    this.cap[p] = want;
    for (let i = 0; i < m; i++) this.listener.capChanged(this.changed[i]);
  }
}
