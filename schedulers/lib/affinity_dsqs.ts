/**
 * One DSQ per distinct CPU mask, for policies with one global order (stride, edf): every task
 * in a DSQ may run on the same CPUs, so a CPU compares only the heads of the DSQs it serves and
 * never stalls behind a task pinned elsewhere. Tasks allowed everywhere share `anyId`; masks get
 * the ids after it. `cpuDsqs[c]` lists the DSQs CPU c serves.
 */
import type { DsqId, Scx, ScxTask, TaskStorage } from "../../sim/ext/ops.js";
import { asDsq } from "../../sim/ext/consts.js";

export class AffinityDsqs {
  private readonly byMask = new Map<string, DsqId>();
  readonly cpuDsqs: DsqId[][];
  /** Per task: the CPU mask its DSQ was chosen for (to notice a change) and that DSQ. */
  private readonly chosen: TaskStorage<{ mask: Uint8Array | null; dsq: DsqId }>;

  constructor(private readonly scx: Scx, private readonly anyId: DsqId) {
    this.cpuDsqs = Array.from({ length: scx.nrCpus() }, () => [anyId]);
    this.chosen = scx.taskStorage(() => ({ mask: null, dsq: anyId }));
  }

  /** The DSQ of a task's CPU mask, created the first time the mask is seen (call from init_task). */
  dsqOf(p: ScxTask): DsqId {
    const c = this.chosen.get(p);
    if (p.cpusAllowed === c.mask) return c.dsq;
    c.mask = p.cpusAllowed;
    c.dsq = this.dsqFor(c.mask);
    return c.dsq;
  }

  /** Creates the shared DSQ (from ops.init). */
  init(): number {
    return this.scx.createDsq(this.anyId, -1);
  }

  /** The DSQ of tasks allowed exactly on `mask` (null: everywhere), created on first use. */
  dsqFor(mask: Uint8Array | null): DsqId {
    if (mask === null) return this.anyId;
    const cpus: number[] = [];
    for (let c = 0; c < mask.length; c++) if (mask[c] === 1) cpus.push(c);
    const key = cpus.join(",");
    let id = this.byMask.get(key);
    if (id !== undefined) return id;
    id = asDsq(this.anyId + 1 + this.byMask.size);
    const r = this.scx.createDsq(id, -1);
    if (r !== 0) { this.scx.error(`cannot create the DSQ for CPUs ${key} (${r})`); return this.anyId; }
    this.byMask.set(key, id);
    for (const c of cpus) this.cpuDsqs[c].push(id);
    return id;
  }
}
