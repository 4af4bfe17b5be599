/**
 * A stand-in kfunc facade over a real topology whose idle CPUs a test sets by hand, for checking
 * a policy's CPU-choice rules without running a machine. Only the topology, idle, task-storage
 * and distribute kfuncs work; every DSQ reads as empty. scx_bpf_pick_idle_cpu and
 * bpf_cpumask_any_distribute are the kernel model's (IdleTracker, its per-CPU cursor), run on
 * `currentCpu()` when a test provides it, else on CPU 0.
 */
import { IdleTracker } from "../../../sim/ext/idle_tracker.js";
import { EBUSY } from "../../../sim/bpf/errno.js";
import { SCX_PICK_IDLE_CORE } from "../../../sim/ext/consts.js";
import type { Scx, ScxTask } from "../../../sim/ext/ops.js";
import { resolveTopology } from "../../../sim/topology.js";

export interface FakeScx {
  readonly scx: Scx;
  /** 1 = idle and unclaimed, 0 = busy; tests write it. */
  readonly idle: Uint8Array;
}

/** The facade a kfunc was called on: a test may give it a currentCpu. */
type Running = { currentCpu?: () => number };
const runningOn = (s: Running): number => (s.currentCpu === undefined ? 0 : s.currentCpu());

export function fakeScx(topology: string): FakeScx {
  const topo = resolveTopology(topology);
  const tracker = new IdleTracker(topo);
  const idle = tracker.idle;
  const scx = {
    nrCpus: () => topo.nrCpus,
    nrLlcs: () => topo.nrLlcs,
    nrNodes: () => topo.nrNodes,
    cpuLlc: (c: number) => topo.llcOf[c],
    cpuNode: (c: number) => topo.nodeOf[c],
    cpuSibling: (c: number) => topo.sibling[c],
    cpuCapacity: (c: number) => topo.capacity[c],
    cpuperfCap: (c: number) => topo.capacity[c],
    cpuperfCur: () => 1024,
    isCpuIdle: (c: number) => idle[c] === 1,
    testAndClearCpuIdle: (c: number) => { const was = idle[c] === 1; idle[c] = 0; return was; },
    cpuAllowed: (p: ScxTask, c: number) => p.cpusAllowed === null || p.cpusAllowed[c] === 1,
    now: () => 0,
    dsqNrQueued: () => 0,
    cpumaskAnyDistribute(this: Running, mask: Uint8Array): number {
      return tracker.anyDistribute(mask, runningOn(this));
    },
    pickIdleCpu(this: Running, mask: Uint8Array | null, flags: number): number {
      const c = tracker.pickAny(mask, (flags & SCX_PICK_IDLE_CORE) !== 0, runningOn(this));
      return c >= 0 ? c : -EBUSY;
    },
    nrQueuedLocal: () => 0,
    taskStorage: <T>(init: (p: ScxTask) => T) => {
      const m = new Map<number, T>();
      return { get: (p: ScxTask) => { if (!m.has(p.pid)) m.set(p.pid, init(p)); return m.get(p.pid)!; } };
    },
  };
  return { scx: scx as unknown as Scx, idle };
}

/** A task allowed everywhere, for the CPU-choice helpers. */
export function anyTask(cpu = 0): ScxTask {
  return { pid: 1, cpu, cpusAllowed: null, nrCpusAllowed: 1 << 20, weight: 100 } as unknown as ScxTask;
}
