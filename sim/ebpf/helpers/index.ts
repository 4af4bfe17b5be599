/**
 * BPF helpers by their bpf_helper_defs.h number, implemented over the loader's map stores and a
 * HelperHost. Every helper reads its arguments first and returns R0 as a number (see
 * BpfNativeFn); a bad pointer makes BpfMemory throw, which the engine reports as a fault of the
 * calling instruction.
 */
import { invokeBpfFunction } from "../engine.js";
import type { BpfAddr } from "../memory.js";
import type { KeyedMap, LocalStorageMap, PerfEventArrayStore, QueueMapStore, RingBufStore } from "../maps/map_types.js";
import type { BpfCallArgs, BpfNativeFn } from "../program.js";
import { formatBpf, readCString } from "./format.js";
import type { HelperHost } from "./host.js";

/** Helper numbers (bpf_helper_defs.h) that scxlab implements. */
export const HELPER = {
  map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, ktime_get_ns: 5, trace_printk: 6,
  get_prandom_u32: 7, get_smp_processor_id: 8, get_current_pid_tgid: 14, perf_event_read: 22,
  get_current_task: 35, perf_event_read_value: 55,
  map_push_elem: 87, map_pop_elem: 88, map_peek_elem: 89, spin_lock: 93, spin_unlock: 94, probe_read_kernel: 113, probe_read_kernel_str: 115, ktime_get_boot_ns: 125,
  per_cpu_ptr: 153, this_cpu_ptr: 154, task_storage_get: 156, task_storage_delete: 157, get_current_task_btf: 158, snprintf: 165,
  timer_init: 169, timer_set_callback: 170, timer_start: 171, timer_cancel: 172, trace_vprintk: 177,
  ringbuf_output: 130, ringbuf_reserve: 131, ringbuf_submit: 132, ringbuf_discard: 133, ringbuf_query: 134,
  loop: 181, strncmp: 182, kptr_xchg: 194, map_lookup_percpu_elem: 195, ktime_get_tai_ns: 208,
  cgrp_storage_get: 210, cgrp_storage_delete: 211,
} as const;

const EINVAL = 22, EFAULT = 14, E2BIG = 7;
/** Iterations bpf_loop accepts (the kernel's BPF_MAX_LOOPS). */
const MAX_LOOPS = 1 << 23;

/** A bpf_timer's state; the timer's first u32 in BPF memory holds its index + 1. */
interface TimerState {
  readonly map: BpfAddr;
  readonly value: BpfAddr;
  readonly key: BpfAddr;
  fn: number;
  /** Host timer id once a callback is set, else -1. */
  id: number;
}

/** The helper's name for messages: "bpf_map_lookup_elem", or "helper #N". */
export function helperName(id: number): string {
  for (const [name, n] of Object.entries(HELPER)) if (n === id) return `bpf_${name}`;
  return `helper #${id}`;
}

/** The helper table for one loaded object. */
export function makeHelpers(host: HelperHost, pidOffset: number): (id: number) => BpfNativeFn | undefined {
  const m = host.memory;
  const keyed = (a: BpfCallArgs): KeyedMap | undefined => {
    const s = host.mapStoreAt(a.ptr(1));
    return s !== undefined && s.storage === "keyed" ? s : undefined;
  };
  const local = (a: BpfCallArgs): LocalStorageMap | undefined => {
    const s = host.mapStoreAt(a.ptr(1));
    return s !== undefined && s.storage === "local" ? s : undefined;
  };
  const queue = (a: BpfCallArgs): QueueMapStore | undefined => {
    const s = host.mapStoreAt(a.ptr(1));
    return s !== undefined && s.storage === "queue" ? s : undefined;
  };
  const perf = (a: BpfCallArgs): PerfEventArrayStore | undefined => {
    const s = host.mapStoreAt(a.ptr(1));
    return s !== undefined && s.storage === "perf_event" ? s : undefined;
  };
  const ring = (a: BpfCallArgs): RingBufStore | undefined => {
    const s = host.mapStoreAt(a.ptr(1));
    return s !== undefined && s.storage === "ringbuf" ? s : undefined;
  };
  // Reserved ring-buffer records, to the ring that handed each out (submit and discard name only the record).
  const records = new Map<BpfAddr, RingBufStore>();
  const commit = (a: BpfCallArgs, discard: boolean): number => {
    const at = a.ptr(1), r = records.get(at);
    if (r === undefined || !r.commit(at, discard)) throw new RangeError(`bpf_ringbuf_${discard ? "discard" : "submit"} of ${at}, which is not a reserved ring-buffer record`);
    records.delete(at);
    return 0;
  };
  const timers: TimerState[] = [];
  const timerAt = (addr: BpfAddr): TimerState | undefined => timers[m.readU32(addr) - 1];
  const u64s = (base: BpfAddr, count: number) => (k: number): bigint => (k < count ? m.readU64(base + 8 * k) : 0n);

  const table = new Map<number, BpfNativeFn>([
    [HELPER.map_lookup_elem, (a) => keyed(a)?.lookup(a.ptr(2), host.cpu()) ?? 0],
    [HELPER.map_update_elem, (a) => keyed(a)?.update(a.ptr(2), a.ptr(3), a.u32(4), host.cpu()) ?? -EINVAL],
    [HELPER.map_delete_elem, (a) => keyed(a)?.delete(a.ptr(2)) ?? -EINVAL],
    [HELPER.map_lookup_percpu_elem, (a) => keyed(a)?.lookupPercpu(a.ptr(2), a.u32(3)) ?? 0],
    [HELPER.map_push_elem, (a) => queue(a)?.push(a.ptr(2), a.u32(3)) ?? -EINVAL],
    [HELPER.map_pop_elem, (a) => queue(a)?.pop(a.ptr(2)) ?? -EINVAL],
    [HELPER.map_peek_elem, (a) => queue(a)?.peek(a.ptr(2)) ?? -EINVAL],
    // No perf event is ever installed (no hardware counters): reads fail as on an empty slot.
    [HELPER.perf_event_read, (a) => perf(a)?.read(a.u32(2), host.cpu()) ?? -EINVAL],
    [HELPER.perf_event_read_value, (a) => {
      const store = perf(a), buf = a.ptr(3), size = a.u32(4);
      if (size > 0) m.bytes(buf, size).fill(0);
      return store?.read(a.u32(2), host.cpu()) ?? -EINVAL;
    }],
    [HELPER.task_storage_get, (a) => local(a)?.get(a.ptr(2), a.ptr(3), a.u32(4)) ?? 0],
    [HELPER.task_storage_delete, (a) => local(a)?.delete(a.ptr(2)) ?? -EINVAL],
    [HELPER.cgrp_storage_get, (a) => local(a)?.get(a.ptr(2), a.ptr(3), a.u32(4)) ?? 0],
    [HELPER.cgrp_storage_delete, (a) => local(a)?.delete(a.ptr(2)) ?? -EINVAL],
    [HELPER.ringbuf_reserve, (a) => {
      const r = ring(a), at = r?.reserve(a.u32(2), a.u(3)) ?? 0;
      if (at !== 0) records.set(at, r!);
      return at;
    }],
    [HELPER.ringbuf_submit, (a) => commit(a, false)],
    [HELPER.ringbuf_discard, (a) => commit(a, true)],
    [HELPER.ringbuf_output, (a) => ring(a)?.output(a.ptr(2), a.u32(3), a.u(4)) ?? -EINVAL],
    [HELPER.ringbuf_query, (a) => ring(a)?.query(a.u(2)) ?? 0],
    // strncmp(s1, s2, s1_sz) as lib/string.c answers it: -1, 0 or 1 at the first difference.
    [HELPER.strncmp, (a) => {
      const s1 = a.ptr(1), n = a.u32(2), s2 = a.ptr(3);
      for (let i = 0; i < n; i++) {
        const c1 = m.readU8(s1 + i), c2 = m.readU8(s2 + i);
        if (c1 !== c2) return c1 < c2 ? -1 : 1;
        if (c1 === 0) return 0;
      }
      return 0;
    }],
    [HELPER.ktime_get_ns, () => host.nowNs()],
    [HELPER.ktime_get_boot_ns, () => host.nowNs()],
    [HELPER.ktime_get_tai_ns, () => host.nowNs()],
    [HELPER.get_prandom_u32, () => host.randomU32()],
    [HELPER.get_smp_processor_id, () => host.cpu()],
    [HELPER.get_current_task_btf, () => host.currentTask()],
    [HELPER.get_current_task, () => host.currentTask()],
    [HELPER.get_current_pid_tgid, () => {
      const t = host.currentTask();
      if (t === 0) return 0;
      const pid = m.readU32(t + pidOffset);
      return pid * 4294967296 + pid;
    }],
    // Only typed per-CPU kernel variables (__ksym) reach these: a modelled one's copy for the
    // CPU, else NULL (the callers test for it).
    [HELPER.per_cpu_ptr, (a) => host.percpuPtr(a.ptr(1), a.u32(2))],
    [HELPER.this_cpu_ptr, (a) => host.percpuPtr(a.ptr(1), host.cpu())],
    [HELPER.spin_lock, (a) => host.spinLock(a.ptr(1))],
    [HELPER.spin_unlock, (a) => host.spinUnlock(a.ptr(1))],
    [HELPER.trace_printk, (a) => {
      const fmt = readCString(m, a.ptr(1), a.u32(2));
      const args = [a.u64(3), a.u64(4), a.u64(5)];
      host.printk(formatBpf(m, fmt, (k) => args[k] ?? 0n));
      return 0;
    }],
    [HELPER.trace_vprintk, (a) => {
      const fmt = readCString(m, a.ptr(1), a.u32(2));
      host.printk(formatBpf(m, fmt, u64s(a.ptr(3), a.u32(4) / 8)));
      return 0;
    }],
    [HELPER.snprintf, (a) => {
      const dst = a.ptr(1), size = a.u32(2);
      const s = formatBpf(m, readCString(m, a.ptr(3)), u64s(a.ptr(4), a.u32(5) / 8));
      if (size > 0) {
        const n = Math.min(s.length, size - 1);
        const out = m.bytes(dst, n + 1);
        for (let k = 0; k < n; k++) out[k] = s.charCodeAt(k) & 0xff;
        out[n] = 0;
      }
      return s.length + 1;
    }],
    [HELPER.probe_read_kernel, (a) => probeRead(a, false)],
    [HELPER.probe_read_kernel_str, (a) => probeRead(a, true)],
    [HELPER.kptr_xchg, (a) => {
      const slot = a.ptr(1), next = a.u(2);
      const old = m.readU64(slot);
      m.writeU64(slot, BigInt(next));
      return Number(old);
    }],
    [HELPER.loop, (a) => {
      const n = a.u32(1), fn = a.u(2), ctx = a.u(3);
      if (a.u(4) !== 0) return -EINVAL;
      if (n > MAX_LOOPS) return -E2BIG;
      let i = 0;
      while (i < n) {
        const stop = invokeBpfFunction(m, fn, i, ctx, 0, 0, 0);
        i++;
        if (stop !== 0) break;
      }
      return i;
    }],
    [HELPER.timer_init, (a) => {
      const timer = a.ptr(1), map = a.ptr(2);
      const region = m.regionAt(timer);
      if (region === undefined) return -EINVAL;
      if (m.readU32(timer) !== 0) return -16; // -EBUSY: already initialised
      const key = m.alloc(8, { name: "timer key", writable: false, kind: "kernel_object" });
      timers.push({ map, value: region.start, key, fn: 0, id: -1 });
      m.writeU32(timer, timers.length);
      return 0;
    }],
    [HELPER.timer_set_callback, (a) => {
      const t = timerAt(a.ptr(1));
      if (t === undefined) return -EINVAL;
      t.fn = a.u(2);
      if (t.id < 0) t.id = host.timerCreate(() => host.runCallback("timer callback", () => { invokeBpfFunction(m, t.fn, t.map, t.key, t.value, 0, 0); }));
      return 0;
    }],
    [HELPER.timer_start, (a) => {
      const t = timerAt(a.ptr(1));
      const delay = a.u(2);
      if (t === undefined || t.id < 0) return -EINVAL;
      host.timerStart(t.id, delay);
      return 0;
    }],
    [HELPER.timer_cancel, (a) => {
      const t = timerAt(a.ptr(1));
      if (t === undefined) return -EINVAL;
      if (t.id >= 0) host.timerCancel(t.id);
      return 0;
    }],
  ]);

  function probeRead(a: BpfCallArgs, str: boolean): number {
    const dst = a.ptr(1), size = a.u32(2), src = a.ptr(3);
    const out = m.bytes(dst, size);
    for (let k = 0; k < size; k++) {
      if (!m.accessible(src + k, 1, false)) {
        out.fill(0, k);
        if (!str || k === 0) { out.fill(0); return -EFAULT; }
        return k;
      }
      const c = m.u8[src + k]!;
      out[k] = c;
      if (str && c === 0) return k + 1;
    }
    if (str && size > 0) { out[size - 1] = 0; return size; }
    return 0;
  }

  return (id) => table.get(id);
}
