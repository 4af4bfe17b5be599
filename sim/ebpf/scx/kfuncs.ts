/**
 * The kfuncs a sched_ext BPF object may call, by name, bridged to sim/ext's Scx facade with the
 * kernel's numbers translated at the boundary (abi.ts). Pointers to tasks are task_struct mirrors
 * (tasks.ts); cpumasks are 32-byte regions in the kernel model's layout. A kfunc missing here
 * makes the loader refuse the object (or, for a __weak extern, resolve it to 0).
 */
import type { CpuId, DsqId, Scx, ScxTask } from "../../ext/ops.js";
import { asCpu, asDsq, asPid } from "../../ext/ids.js";
import type { BpfAddr, BpfMemory } from "../memory.js";
import { BpfRuntimeError, type BpfCallArgs, type BpfNativeFn } from "../program.js";
import { formatBpf, readCString } from "../helpers/format.js";
import { wideDsqMapper } from "./wide_dsq.js";
import { enqFlagsFromKernel, sliceFromKernel, vtimeFromKernel } from "./abi.js";
import { kernelValue } from "../../ext/kernel_abi.js";
import { TaskMirrors } from "./tasks.js";
import { idleKfuncs, moveKfuncs, taskKfuncs, type DsqIter } from "./kfuncs_more.js";
import { DsqCursor } from "../../ext/dsq_cursor.js";
import { cgroupKfuncs } from "./kfuncs_cgroup.js";
import type { CgroupMirrors } from "./cgroups.js";

const MASK_BYTES = 32;
/** bpf_iter_scx_dsq_new flag: walk from the tail. */
const SCX_DSQ_ITER_REV = Number(kernelValue("SCX_DSQ_ITER_REV"));
const EINVAL = 22, EBUSY = 16;
/** Iterations an open-coded bpf_iter_num may run (BPF_MAX_LOOPS). */
const MAX_ITER = 1 << 23;

/** What the kfuncs work on. */
export interface KfuncContext {
  readonly scx: Scx;
  readonly memory: BpfMemory;
  readonly tasks: TaskMirrors;
  readonly cgroups: CgroupMirrors;
  readonly nrCpus: number;
  /** Name of the callback running (for error messages). */
  callback(): string;
}

/** The kfunc table for one loaded scheduler: name → implementation. */
export function makeKfuncs(k: KfuncContext): ReadonlyMap<string, BpfNativeFn> {
  const { scx, memory: m, tasks } = k;
  const task = (a: BpfCallArgs, i: number): ScxTask => {
    const t = tasks.task(a.ptr(i));
    if (t === undefined) throw new BpfRuntimeError(k.callback(), 0, `kfunc argument ${i} is not a task (0x${a.u(i).toString(16)})`);
    return t;
  };
  const dsqId = wideDsqMapper();
  const dsq = (a: BpfCallArgs, i: number): DsqId => dsqId(a.lo[i]!, a.hi[i]!);
  const cpu = (a: BpfCallArgs, i: number): CpuId => asCpu(a.s32(i));
  const slice = (a: BpfCallArgs, i: number): number => sliceFromKernel(a.lo[i]!, a.hi[i]!);
  const enq = (a: BpfCallArgs, i: number): number => enqFlagsFromKernel(a.lo[i]!, a.hi[i]!);
  const bool = (b: boolean): number => (b ? 1 : 0);

  // Kernel-owned cpumasks handed out by get_*_cpumask: refreshed on every get.
  const idleMask = m.alloc(MASK_BYTES, { name: "idle cpumask", writable: false, kind: "kernel_object" });
  const onlineMask = m.alloc(MASK_BYTES, { name: "online cpumask", writable: false, kind: "kernel_object" });
  const fillMask = (addr: BpfAddr, has: (cpu: CpuId) => boolean): void => {
    m.assertSpan(addr, MASK_BYTES);
    const u8 = m.u8;
    u8.fill(0, addr, addr + MASK_BYTES);
    for (let c = 0; c < k.nrCpus; c++) if (has(asCpu(c))) u8[addr + (c >> 3)]! |= 1 << (c & 7);
  };
  // Predicates made once, not per call (kfuncs run on every callback).
  const anyCpu = (): boolean => true;
  const cpuIdle = (c: CpuId): boolean => scx.isCpuIdle(c);
  fillMask(onlineMask, anyCpu);
  const maskBit = (addr: BpfAddr, cpu: number): boolean => cpu >= 0 && cpu < MASK_BYTES * 8 && (m.readU8(addr + (cpu >> 3)) & (1 << (cpu & 7))) !== 0;
  // One buffer for every cpumask handed to the facade (it reads the mask before returning).
  const maskBuf = new Uint8Array(k.nrCpus);
  const maskArray = (addr: BpfAddr): Uint8Array => {
    for (let c = 0; c < k.nrCpus; c++) maskBuf[c] = maskBit(addr, c) ? 1 : 0;
    return maskBuf;
  };
  /**
   * cpumask_any_distribute / cpumask_any_and_distribute (of `x` and `y` unless 0): the kernel's
   * per-CPU cursor, shared with its idle picks. Past the mask's width if the mask is empty.
   */
  const distribute = (x: BpfAddr, y: BpfAddr): number => {
    for (let c = 0; c < k.nrCpus; c++) maskBuf[c] = maskBit(x, c) && (y === 0 || maskBit(y, c)) ? 1 : 0;
    const c = scx.cpumaskAnyDistribute(maskBuf);
    return c >= 0 ? c : MASK_BYTES * 8;
  };
  const bstr = (a: BpfCallArgs, fmtArg: number): string => {
    const data = a.ptr(fmtArg + 1), words = a.u32(fmtArg + 2) / 8;
    return formatBpf(m, readCString(m, a.ptr(fmtArg)), (j) => (j < words ? m.readU64(data + 8 * j) : 0n));
  };
  /** Two masks' offsets into `u8`, checked as `bytes` would (no view allocated per call). */
  const span = (addr: BpfAddr): BpfAddr => { m.assertSpan(addr, MASK_BYTES); return addr; };
  const cpumaskOp = (f: (u8: Uint8Array, d: number, x: number, y: number) => boolean) => (a: BpfCallArgs): number => {
    const d = span(a.ptr(1)), x = span(a.ptr(2)), y = a.ptr(3) === 0 ? x : span(a.ptr(3));
    return bool(f(m.u8, d, x, y));
  };

  // DSQ iterators: the 48-byte bpf_iter_scx_dsq on the BPF stack holds an iterator number + 1
  // in its first u32; the walk over the DSQ lives here.
  const iters: DsqIter[] = [];
  const iterAt = (addr: BpfAddr) => iters[m.readU32(addr) - 1];

  const insert: BpfNativeFn = (a) => { scx.dsqInsert(task(a, 1), dsq(a, 2), slice(a, 3), enq(a, 4)); return 0; };
  const insertVtime: BpfNativeFn = (a) => {
    scx.dsqInsertVtime(task(a, 1), dsq(a, 2), slice(a, 3), vtimeFromKernel(a.lo[4]!, a.hi[4]!), enq(a, 5));
    return 0;
  };
  // v6.19's packed form: struct scx_bpf_dsq_insert_vtime_args { u64 dsq_id, slice, vtime, enq_flags; }.
  const insertVtimeArgs: BpfNativeFn = (a) => {
    const args = a.ptr(2), p = task(a, 1);
    // The struct is on the program's stack, aligned: read it straight from the memory's words.
    if ((args & 3) === 0 && m.readable(args, 32)) {
      const i32 = m.i32, w = args >> 2;
      scx.dsqInsertVtime(p, dsqId(i32[w]!, i32[w + 1]!), sliceFromKernel(i32[w + 2]!, i32[w + 3]!),
        vtimeFromKernel(i32[w + 4]!, i32[w + 5]!), enqFlagsFromKernel(i32[w + 6]!, i32[w + 7]!));
      return 1;
    }
    const d = dsqId(m.readU32(args) | 0, m.readU32(args + 4) | 0);
    const sl = sliceFromKernel(m.readU32(args + 8) | 0, m.readU32(args + 12) | 0);
    const vt = vtimeFromKernel(m.readU32(args + 16) | 0, m.readU32(args + 20) | 0);
    scx.dsqInsertVtime(p, d, sl, vt, enqFlagsFromKernel(m.readU32(args + 24) | 0, m.readU32(args + 28) | 0));
    return 1;
  };
  const moveToLocal: BpfNativeFn = (a) => bool(scx.dsqMoveToLocal(dsq(a, 1)));

  const table: [string, BpfNativeFn][] = [
    ["scx_bpf_dsq_insert", insert],
    ["scx_bpf_dispatch", insert],
    ["scx_bpf_dsq_insert_vtime", insertVtime],
    ["scx_bpf_dispatch_vtime", insertVtime],
    ["__scx_bpf_dsq_insert_vtime", insertVtimeArgs],
    ["scx_bpf_dsq_move_to_local", moveToLocal],
    ["scx_bpf_consume", moveToLocal],
    ["scx_bpf_create_dsq", (a) => scx.createDsq(dsq(a, 1), a.s32(2))],
    ["scx_bpf_destroy_dsq", (a) => { scx.destroyDsq(dsq(a, 1)); return 0; }],
    ["scx_bpf_dsq_nr_queued", (a) => scx.dsqNrQueued(dsq(a, 1))],
    ["scx_bpf_dispatch_nr_slots", () => scx.dispatchNrSlots()],
    ["scx_bpf_dispatch_cancel", () => { scx.dispatchCancel(); return 0; }],
    ["scx_bpf_reenqueue_local", () => scx.reenqueueLocal()],
    ["scx_bpf_kick_cpu", (a) => { scx.kickCpu(cpu(a, 1), a.u32(2)); return 0; }],
    ["scx_bpf_select_cpu_dfl", (a) => {
      const p = task(a, 1), prev = cpu(a, 2), wake = a.u32(3), isIdle = a.ptr(4);
      const r = scx.selectCpuDfl(p, prev, wake);
      m.writeU8(isIdle, r.isIdle ? 1 : 0);
      return r.cpu;
    }],
    ["scx_bpf_test_and_clear_cpu_idle", (a) => bool(scx.testAndClearCpuIdle(cpu(a, 1)))],
    ["scx_bpf_pick_idle_cpu", (a) => { const r = scx.pickIdleCpu(maskArray(a.ptr(1)), a.u32(2)); return r < 0 ? -EBUSY : r; }],
    ["scx_bpf_pick_any_cpu", (a) => scx.pickAnyCpu(maskArray(a.ptr(1)), a.u32(2))],
    ["scx_bpf_task_running", (a) => bool(scx.taskRunning(task(a, 1)))],
    ["scx_bpf_task_cpu", (a) => scx.taskCpu(task(a, 1))],
    ["scx_bpf_nr_cpu_ids", () => k.nrCpus],
    ["scx_bpf_nr_node_ids", () => scx.nrNodes()],
    ["scx_bpf_cpu_node", (a) => scx.cpuNode(cpu(a, 1))],
    ["scx_bpf_now", () => scx.now()],
    ["scx_bpf_cpuperf_cap", (a) => scx.cpuperfCap(cpu(a, 1))],
    ["scx_bpf_cpuperf_cur", (a) => scx.cpuperfCur(cpu(a, 1))],
    ["scx_bpf_cpuperf_set", (a) => { scx.cpuperfSet(cpu(a, 1), a.u32(2)); return 0; }],
    ["scx_bpf_error_bstr", (a) => { scx.error(bstr(a, 1)); return 0; }],
    ["scx_bpf_exit_bstr", (a) => { const code = a.s(1); scx.exit(code, bstr(a, 2)); return 0; }],
    ["scx_bpf_get_idle_cpumask", () => { fillMask(idleMask, cpuIdle); return idleMask; }],
    ["scx_bpf_get_online_cpumask", () => onlineMask],
    ["scx_bpf_get_possible_cpumask", () => onlineMask],
    ["scx_bpf_put_idle_cpumask", () => 0],
    ["scx_bpf_put_cpumask", () => 0],
    ["bpf_rcu_read_lock", () => 0],
    ["bpf_rcu_read_unlock", () => 0],
    ["bpf_task_acquire", (a) => a.ptr(1)],
    ["bpf_task_release", () => 0],
    ["bpf_task_from_pid", (a) => tasks.addrOfPid(asPid(a.s32(1)))],
    ["bpf_cpumask_create", () => m.alloc(MASK_BYTES + 8, { name: "bpf_cpumask", writable: true, kind: "kernel_object" })],
    ["bpf_cpumask_acquire", (a) => a.ptr(1)],
    ["bpf_cpumask_release", () => 0],
    ["bpf_cpumask_test_cpu", (a) => { const cpu = a.u32(1), mask = a.ptr(2); return bool(maskBit(mask, cpu)); }],
    ["bpf_cpumask_set_cpu", (a) => { const cpu = a.u32(1), mask = a.ptr(2); if (cpu < MASK_BYTES * 8) m.writeU8(mask + (cpu >> 3), m.readU8(mask + (cpu >> 3)) | (1 << (cpu & 7))); return 0; }],
    ["bpf_cpumask_clear_cpu", (a) => { const cpu = a.u32(1), mask = a.ptr(2); if (cpu < MASK_BYTES * 8) m.writeU8(mask + (cpu >> 3), m.readU8(mask + (cpu >> 3)) & ~(1 << (cpu & 7))); return 0; }],
    ["bpf_cpumask_test_and_set_cpu", (a) => { const cpu = a.u32(1), mask = a.ptr(2); if (cpu >= MASK_BYTES * 8) return 0; const b = m.readU8(mask + (cpu >> 3)); m.writeU8(mask + (cpu >> 3), b | (1 << (cpu & 7))); return (b >> (cpu & 7)) & 1; }],
    ["bpf_cpumask_test_and_clear_cpu", (a) => { const cpu = a.u32(1), mask = a.ptr(2); if (cpu >= MASK_BYTES * 8) return 0; const b = m.readU8(mask + (cpu >> 3)); m.writeU8(mask + (cpu >> 3), b & ~(1 << (cpu & 7))); return (b >> (cpu & 7)) & 1; }],
    ["bpf_cpumask_clear", (a) => { const d = span(a.ptr(1)); m.u8.fill(0, d, d + MASK_BYTES); return 0; }],
    ["bpf_cpumask_setall", (a) => { fillMask(a.ptr(1), anyCpu); return 0; }],
    ["bpf_cpumask_first", (a) => { const mask = a.ptr(1); for (let c = 0; c < k.nrCpus; c++) if (maskBit(mask, c)) return c; return MASK_BYTES * 8; }],
    ["bpf_cpumask_first_zero", (a) => { const mask = a.ptr(1); for (let c = 0; c < k.nrCpus; c++) if (!maskBit(mask, c)) return c; return MASK_BYTES * 8; }],
    ["bpf_cpumask_any_distribute", (a) => distribute(a.ptr(1), 0)],
    ["bpf_cpumask_any_and_distribute", (a) => distribute(a.ptr(1), a.ptr(2))],
    ["bpf_cpumask_weight", (a) => { const mask = a.ptr(1); let n = 0; for (let c = 0; c < k.nrCpus; c++) if (maskBit(mask, c)) n++; return n; }],
    ["bpf_cpumask_empty", (a) => { const mask = a.ptr(1); for (let c = 0; c < k.nrCpus; c++) if (maskBit(mask, c)) return 0; return 1; }],
    ["bpf_cpumask_full", (a) => { const mask = a.ptr(1); for (let c = 0; c < k.nrCpus; c++) if (!maskBit(mask, c)) return 0; return 1; }],
    ["bpf_cpumask_copy", (a) => { const d = span(a.ptr(1)), s = span(a.ptr(2)); m.u8.copyWithin(d, s, s + MASK_BYTES); return 0; }],
    ["bpf_cpumask_and", cpumaskOp((u, d, x, y) => { let any = false; for (let j = 0; j < MASK_BYTES; j++) { u[d + j] = u[x + j]! & u[y + j]!; any ||= u[d + j] !== 0; } return any; })],
    ["bpf_cpumask_or", cpumaskOp((u, d, x, y) => { for (let j = 0; j < MASK_BYTES; j++) u[d + j] = u[x + j]! | u[y + j]!; return false; })],
    ["bpf_cpumask_xor", cpumaskOp((u, d, x, y) => { for (let j = 0; j < MASK_BYTES; j++) u[d + j] = u[x + j]! ^ u[y + j]!; return false; })],
    ["bpf_cpumask_intersects", (a) => { const x = span(a.ptr(1)), y = span(a.ptr(2)), u = m.u8; for (let j = 0; j < MASK_BYTES; j++) if ((u[x + j]! & u[y + j]!) !== 0) return 1; return 0; }],
    ["bpf_cpumask_subset", (a) => { const x = span(a.ptr(1)), y = span(a.ptr(2)), u = m.u8; for (let j = 0; j < MASK_BYTES; j++) if ((u[x + j]! & ~u[y + j]!) !== 0) return 0; return 1; }],
    ["bpf_cpumask_equal", (a) => { const x = span(a.ptr(1)), y = span(a.ptr(2)), u = m.u8; for (let j = 0; j < MASK_BYTES; j++) if (u[x + j] !== u[y + j]) return 0; return 1; }],
    // Open-coded numeric iterator (bpf_for): state = [cur, end] as two s32 in the 8-byte iterator.
    ["bpf_iter_num_new", (a) => {
      const it = a.ptr(1), start = a.s32(2), end = a.s32(3);
      const bad = start > end || end - start > MAX_ITER;
      m.writeU32(it, bad ? 0 : start - 1);
      m.writeU32(it + 4, bad ? 0 : end);
      return bad ? -EINVAL : 0;
    }],
    ["bpf_iter_num_next", (a) => {
      const it = a.ptr(1);
      const cur = m.readU32(it) | 0, end = m.readU32(it + 4) | 0;
      if (cur + 1 >= end) return 0;
      m.writeU32(it, cur + 1);
      return it;
    }],
    ["bpf_iter_num_destroy", () => 0],
    ["bpf_iter_scx_dsq_new", (a) => {
      const it = a.ptr(1), id = dsq(a, 2), flags = a.u(3);
      let n = 0;
      while (n < iters.length && iters[n]!.live) n++;
      if (n === iters.length) iters.push({ walk: new DsqCursor(), live: false, src: asDsq(0), slice: null, vtime: null });
      const st = iters[n]!;
      const r = scx.dsqWalkStart(st.walk, id, (flags & SCX_DSQ_ITER_REV) !== 0);
      st.live = true; st.src = id; st.slice = null; st.vtime = null;
      m.writeU32(it, n + 1);
      return r;
    }],
    ["bpf_iter_scx_dsq_next", (a) => {
      const st = iterAt(a.ptr(1));
      if (st === undefined || !st.live) return 0;
      const t = scx.dsqWalkNext(st.walk);
      return t === null ? 0 : tasks.sync(t);
    }],
    ["bpf_iter_scx_dsq_destroy", (a) => {
      const st = iterAt(a.ptr(1));
      if (st !== undefined && st.live) { st.live = false; scx.dsqWalkEnd(st.walk); }
      return 0;
    }],
    ...moveKfuncs(k, iterAt, task, dsq, enq),
    ...idleKfuncs(k, task, maskArray, fillMask),
    ...taskKfuncs(k, task, dsq),
    ...cgroupKfuncs(k, task),
  ];
  return new Map(table);
}

/** Offsets the glue shares with helpers. */
export const TASK_PID_OFFSET = TaskMirrors.pidOffset;
