/**
 * Idle-state tests made of public kfuncs, which several ports ask of a CPU or a node (SMT on the
 * machine, a wholly idle core, any idle CPU in a node). Idle CPUs are claimed through the
 * kernel's own searches (scx.selectCpuDfl, scx.selectCpuAnd, scx.pickIdleCpu), as upstream does.
 */
import type { CpuId, Scx } from "../../sim/ext/ops.js";
import { asCpu } from "../../sim/ext/consts.js";

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

/** Some CPU of `node` (every CPU when `node` < 0) is idle. */
export function anyIdleIn(scx: Scx, node: number): boolean {
  for (let c = asCpu(0); c < scx.nrCpus(); c++) if ((node < 0 || scx.cpuNode(c) === node) && scx.isCpuIdle(c)) return true;
  return false;
}
