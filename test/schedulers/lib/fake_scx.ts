/**
 * A stand-in kfunc facade over a real topology whose idle CPUs a test sets by hand, for checking
 * a policy's CPU-choice rules without running a machine. Only the topology, idle and task-storage kfuncs work; every DSQ reads as empty.
 */
import type { Scx, ScxTask } from "../../../sim/ext/ops.js";
import { resolveTopology } from "../../../sim/topology.js";

export interface FakeScx {
  readonly scx: Scx;
  /** 1 = idle and unclaimed, 0 = busy; tests write it. */
  readonly idle: Uint8Array;
}

export function fakeScx(topology: string): FakeScx {
  const topo = resolveTopology(topology);
  const idle = new Uint8Array(topo.nrCpus);
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
