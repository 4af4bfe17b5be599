/**
 * Idle-CPU searches made of public kfuncs only, for the callbacks where `scx.selectCpuDfl` may
 * not be called (enqueue, dispatch). The kernel gives upstream schedulers the same search there
 * through scx_bpf_select_cpu_and(); ours walks the same order as the default selection.
 */
import type { CpuId, Scx, ScxTask } from "../../sim/ext/ops.js";
import { asCpu } from "../../sim/ext/consts.js";

const SCOPE_LLC = 0, SCOPE_NODE = 1, SCOPE_ALL = 2;

/** Whether the machine has SMT at all (any CPU with a sibling). */
export function hasSmt(scx: Scx): boolean {
  for (let c = asCpu(0); c < scx.nrCpus(); c++) if (scx.cpuSibling(c) >= 0) return true;
  return false;
}

/** Both hardware threads of `cpu`'s core are idle (a CPU without a sibling is its own core). */
export function coreIdle(scx: Scx, cpu: CpuId): boolean {
  const s = scx.cpuSibling(cpu);
  return scx.isCpuIdle(cpu) && (s < 0 || scx.isCpuIdle(s));
}

function inScope(scx: Scx, c: CpuId, near: CpuId, scope: number): boolean {
  if (scope === SCOPE_LLC) return scx.cpuLlc(c) === scx.cpuLlc(near);
  if (scope === SCOPE_NODE) return scx.cpuNode(c) === scx.cpuNode(near);
  return true;
}

/** Claims an idle CPU `p` may use within `scope` of `near` (a whole idle core if `core`), scanning from `near`; -1 if none. */
function claimIn(scx: Scx, p: ScxTask, near: CpuId, scope: number, core: boolean): CpuId {
  const n = scx.nrCpus();
  for (let i = 0; i < n; i++) {
    const c = asCpu(near + i < n ? near + i : near + i - n);
    if (!scx.cpuAllowed(p, c) || !inScope(scx, c, near, scope)) continue;
    if (core && !coreIdle(scx, c)) continue;
    if (scx.testAndClearCpuIdle(c)) return c;
  }
  return asCpu(-1);
}

/**
 * An idle CPU for `p` as close to `prev` as possible, claimed; -1 when none is idle. The order
 * is the kernel's default selection: with SMT, a wholly idle core (prev's own, then in prev's
 * LLC, its node, anywhere); then prev itself, its sibling, any idle CPU in prev's LLC, its node,
 * anywhere.
 */
export function pickIdleNear(scx: Scx, p: ScxTask, prev: CpuId): CpuId {
  const smt = hasSmt(scx), prevOk = scx.cpuAllowed(p, prev);
  if (smt) {
    if (prevOk && coreIdle(scx, prev) && scx.testAndClearCpuIdle(prev)) return prev;
    for (let scope = SCOPE_LLC; scope <= SCOPE_ALL; scope++) {
      const c = claimIn(scx, p, prev, scope, true);
      if (c >= 0) return c;
    }
  }
  if (prevOk && scx.testAndClearCpuIdle(prev)) return prev;
  const sib = scx.cpuSibling(prev);
  if (sib >= 0 && scx.cpuAllowed(p, sib) && scx.testAndClearCpuIdle(sib)) return sib;
  for (let scope = SCOPE_LLC; scope <= SCOPE_ALL; scope++) {
    const c = claimIn(scx, p, prev, scope, false);
    if (c >= 0) return c;
  }
  return asCpu(-1);
}

/** Some CPU of `node` (every CPU when `node` < 0) is idle. */
export function anyIdleIn(scx: Scx, node: number): boolean {
  for (let c = asCpu(0); c < scx.nrCpus(); c++) if ((node < 0 || scx.cpuNode(c) === node) && scx.isCpuIdle(c)) return true;
  return false;
}
