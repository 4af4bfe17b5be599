/**
 * The kfuncs of the scx family beyond the kernel samples' set: moving tasks found by a DSQ
 * iterator (scx_bpf_dsq_move*, the kernel's scx_dsq_move), the node-aware idle cpumasks and
 * picks, scx_bpf_select_cpu_and, DSQ peek, the current task of a CPU and the task setters.
 * Old names (scx_bpf_dispatch_from_dsq*) map to the same functions, as the kernel aliased them.
 */
import type { CpuId, DsqId, ScxTask } from "../../ext/ops.js";
import { asCpu } from "../../ext/ids.js";
import { SCX_PICK_IDLE_IN_NODE } from "../../ext/consts.js";
import type { DsqCursor } from "../../ext/dsq_cursor.js";
import type { BpfAddr } from "../memory.js";
import type { BpfCallArgs, BpfNativeFn } from "../program.js";
import { sliceFromKernel, vtimeFromKernel } from "./abi.js";
import type { KfuncContext } from "./kfuncs.js";

const EBUSY = 16;
const MASK_BYTES = 32;
/** struct scx_bpf_select_cpu_and_args in the kernel model: prev_cpu s32 @0, wake_flags u64 @8, flags u64 @16. */
const ARGS_PREV = 0, ARGS_WAKE = 8, ARGS_FLAGS = 16;

/** A DSQ iteration in progress (bpf_iter_scx_dsq): its walk and what a move from it carries. */
export interface DsqIter {
  readonly walk: DsqCursor;
  live: boolean;
  /** The DSQ iterated. */
  src: DsqId;
  /** Set by scx_bpf_dsq_move_set_slice / set_vtime for the next move, else null. */
  slice: number | null;
  vtime: number | null;
}

type Entry = [string, BpfNativeFn];
type TaskArg = (a: BpfCallArgs, i: number) => ScxTask;
type NumArg = (a: BpfCallArgs, i: number) => number;
type DsqArg = (a: BpfCallArgs, i: number) => DsqId;

/** scx_bpf_dsq_move[_vtime] and its slice/vtime setters (the iterator is argument 1). */
export function moveKfuncs(k: KfuncContext, iterAt: (addr: BpfAddr) => DsqIter | undefined, task: TaskArg, dsq: DsqArg, enq: NumArg): Entry[] {
  const move = (byVtime: boolean): BpfNativeFn => (a) => {
    const st = iterAt(a.ptr(1));
    if (st === undefined || !st.live) return 0;
    const moved = k.scx.dsqMove(task(a, 2), st.src, st.walk.since, dsq(a, 3), enq(a, 4), st.slice, st.vtime, byVtime);
    // The kernel applies a set slice/vtime to one successful move only.
    if (moved) { st.slice = null; st.vtime = null; }
    return moved ? 1 : 0;
  };
  const setSlice: BpfNativeFn = (a) => { const st = iterAt(a.ptr(1)); if (st !== undefined) st.slice = sliceFromKernel(a.lo[2]!, a.hi[2]!); return 0; };
  const setVtime: BpfNativeFn = (a) => { const st = iterAt(a.ptr(1)); if (st !== undefined) st.vtime = vtimeFromKernel(a.lo[2]!, a.hi[2]!); return 0; };
  return [
    ["scx_bpf_dsq_move", move(false)],
    ["scx_bpf_dsq_move_vtime", move(true)],
    ["scx_bpf_dsq_move_set_slice", setSlice],
    ["scx_bpf_dsq_move_set_vtime", setVtime],
    ["scx_bpf_dispatch_from_dsq", move(false)],
    ["scx_bpf_dispatch_vtime_from_dsq", move(true)],
    ["scx_bpf_dispatch_from_dsq_set_slice", setSlice],
    ["scx_bpf_dispatch_from_dsq_set_vtime", setVtime],
  ];
}

/** Node-aware idle cpumasks and picks, and scx_bpf_select_cpu_and. */
export function idleKfuncs(
  k: KfuncContext, task: TaskArg, maskArray: (addr: BpfAddr) => Uint8Array,
  fillMask: (addr: BpfAddr, has: (cpu: CpuId) => boolean) => void,
): Entry[] {
  const { scx, memory: m, nrCpus } = k;
  // Each kernel-owned mask its own region: a program may hold the idle and SMT masks at once.
  const region = (name: string): BpfAddr => m.alloc(MASK_BYTES, { name, writable: false, kind: "kernel_object" });
  const idleSmt = region("idle smtmask");
  const idleNode = region("idle cpumask (node)"), idleSmtNode = region("idle smtmask (node)");
  /** A whole core idle: the CPU and its SMT sibling, if any. */
  const coreIdle = (c: CpuId): boolean => scx.isCpuIdle(c) && (scx.cpuSibling(c) < 0 || scx.isCpuIdle(scx.cpuSibling(c)));
  const inNode = (c: CpuId, node: number): boolean => scx.cpuNode(c) === node;
  // The node the *_node masks are being filled for: predicates made once, not per call.
  let fillNode = 0;
  const idleInNode = (c: CpuId): boolean => inNode(c, fillNode) && scx.isCpuIdle(c);
  const coreIdleInNode = (c: CpuId): boolean => inNode(c, fillNode) && coreIdle(c);
  const nodeMask = new Uint8Array(nrCpus);
  /** `mask` (a 0/1 byte per CPU, reused) restricted to the CPUs of `node`. */
  const restrict = (mask: Uint8Array, node: number): Uint8Array => {
    for (let c = 0; c < nrCpus; c++) nodeMask[c] = mask[c] === 1 && inNode(asCpu(c), node) ? 1 : 0;
    return nodeMask;
  };
  const pickNode: BpfNativeFn = (a) => {
    const mask = maskArray(a.ptr(1)), node = a.s32(2), flags = a.u32(3);
    const r = scx.pickIdleCpu(restrict(mask, node), flags);
    if (r >= 0 || (flags & SCX_PICK_IDLE_IN_NODE) !== 0) return r < 0 ? -EBUSY : r;
    const any = scx.pickIdleCpu(maskArray(a.ptr(1)), flags);
    return any < 0 ? -EBUSY : any;
  };
  return [
    ["scx_bpf_get_idle_smtmask", () => { fillMask(idleSmt, coreIdle); return idleSmt; }],
    ["scx_bpf_get_idle_cpumask_node", (a) => { fillNode = a.s32(1); fillMask(idleNode, idleInNode); return idleNode; }],
    ["scx_bpf_get_idle_smtmask_node", (a) => { fillNode = a.s32(1); fillMask(idleSmtNode, coreIdleInNode); return idleSmtNode; }],
    ["scx_bpf_pick_idle_cpu_node", pickNode],
    ["__scx_bpf_select_cpu_and", (a) => {
      const args = a.ptr(3);
      return scx.selectCpuAnd(task(a, 1), asCpu(m.readU32(args + ARGS_PREV) | 0), m.readU32(args + ARGS_WAKE), maskArray(a.ptr(2)), m.readU32(args + ARGS_FLAGS));
    }],
  ];
}

/** Task setters, DSQ peek and a CPU's current task (task_struct mirrors kept in step). */
export function taskKfuncs(k: KfuncContext, task: TaskArg, dsq: DsqArg): Entry[] {
  const { scx, tasks } = k;
  const dsqPeek: BpfNativeFn = (a) => {
    const p = scx.dsqPeek(dsq(a, 1));
    return p === null ? 0 : tasks.sync(p);
  };
  return [
    ["scx_bpf_task_set_slice", (a) => { const p = task(a, 1); p.slice = sliceFromKernel(a.lo[2]!, a.hi[2]!); tasks.sync(p); return 1; }],
    ["scx_bpf_task_set_dsq_vtime", (a) => { const p = task(a, 1); p.dsqVtime = vtimeFromKernel(a.lo[2]!, a.hi[2]!); tasks.sync(p); return 1; }],
    ["scx_bpf_dsq_peek", dsqPeek],
    ["scx_bpf_cpu_curr", (a) => {
      const cpu = asCpu(a.s32(1));
      if (cpu < 0 || cpu >= k.nrCpus) return 0;
      const p = scx.cpuCurr(cpu);
      return p === null ? 0 : tasks.sync(p);
    }],
  ];
}
