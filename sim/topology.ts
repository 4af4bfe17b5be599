/**
 * The machine: CPUs grouped into SMT cores, LLC domains and NUMA nodes, each with a capacity
 * (1024 = nominal speed). Built from a preset name or a JSON description.
 */
import { InputError, renderGot } from "./errors.js";

/** How far apart two CPUs are; a migration's cost and its counter follow from it. */
export const enum Distance {
  Same = 0,
  Smt = 1,
  Core = 2,
  Llc = 3,
  Numa = 4,
}

export interface CpuDesc {
  readonly core: number;
  readonly llc: number;
  readonly node: number;
  readonly capacity: number;
}

export interface Topology {
  readonly name: string;
  readonly nrCpus: number;
  readonly cpus: readonly CpuDesc[];
  readonly nrLlcs: number;
  readonly nrNodes: number;
  /** SMT sibling of each CPU, or -1. */
  readonly sibling: Int32Array;
  readonly llcOf: Int32Array;
  readonly nodeOf: Int32Array;
  readonly capacity: Float64Array;
  /** CPUs of each LLC, in order. */
  readonly llcCpus: readonly Int32Array[];
}

/** Shape of a machine: nodes × LLCs per node × cores per LLC × threads per core. */
export interface TopologyShape {
  readonly nodes: number;
  readonly llcsPerNode: number;
  readonly coresPerLlc: number;
  readonly threadsPerCore: 1 | 2;
  readonly capacity?: number;
}

/** The JSON form: either a shape or an explicit CPU list. */
export type TopologyJson = TopologyShape | { readonly cpus: readonly CpuDesc[] };

/** A topology that cannot be built (preset name, CPU count or JSON description). */
export class TopologyError extends InputError {}

const PRESETS: Record<string, TopologyShape> = {
  "2x8-smt": { nodes: 1, llcsPerNode: 1, coresPerLlc: 8, threadsPerCore: 2 },
  "2llc-8c": { nodes: 1, llcsPerNode: 2, coresPerLlc: 4, threadsPerCore: 1 },
  "2s-2llc-8c-smt": { nodes: 2, llcsPerNode: 2, coresPerLlc: 2, threadsPerCore: 2 },
  "4llc-16c": { nodes: 1, llcsPerNode: 4, coresPerLlc: 4, threadsPerCore: 1 },
  "2s-4llc-64c-smt": { nodes: 2, llcsPerNode: 2, coresPerLlc: 8, threadsPerCore: 2 },
};

/** Names accepted by `--topology` besides a plain CPU count. */
export function topologyPresets(): string[] {
  return Object.keys(PRESETS);
}

/** A flat machine of n CPUs: one node, one LLC, no SMT. */
export function flatTopology(n: number): Topology {
  return fromShape(String(n), { nodes: 1, llcsPerNode: 1, coresPerLlc: n, threadsPerCore: 1 });
}

/** Resolves a preset name, a CPU count ("4") or a JSON description. */
export function resolveTopology(spec: string | TopologyJson, name = "custom"): Topology {
  if (typeof spec !== "string") return fromJson(spec, name);
  if (/^\d+$/.test(spec)) {
    const n = Number(spec);
    if (n < 1 || n > MAX_CPUS) throw new TopologyError(`topology "${spec}": expected 1..${MAX_CPUS} CPUs`);
    return flatTopology(n);
  }
  const shape = PRESETS[spec];
  if (!shape) {
    throw new TopologyError(`unknown topology "${spec}": expected a CPU count, a JSON file, or one of ${topologyPresets().join(", ")}`);
  }
  return fromShape(spec, shape);
}

function fromShape(name: string, s: TopologyShape): Topology {
  const cpus: CpuDesc[] = [];
  const cap = s.capacity ?? 1024;
  // Number CPUs Linux-style: first thread of every core, then the second threads.
  const cores = s.nodes * s.llcsPerNode * s.coresPerLlc;
  for (let t = 0; t < s.threadsPerCore; t++) {
    for (let core = 0; core < cores; core++) {
      const llc = Math.floor(core / s.coresPerLlc);
      const node = Math.floor(llc / s.llcsPerNode);
      cpus.push({ core, llc, node, capacity: cap });
    }
  }
  return build(name, cpus);
}

function fromJson(j: TopologyJson, name: string): Topology {
  if ("cpus" in j) {
    if (!Array.isArray(j.cpus) || j.cpus.length === 0) throw new TopologyError(`${name}: cpus: expected a non-empty array`);
    if (j.cpus.length > MAX_CPUS) throw new TopologyError(`${name}: cpus: expected at most ${MAX_CPUS} CPUs, got ${j.cpus.length}`);
    j.cpus.forEach((c, i) => {
      if (typeof c !== "object" || c === null || Array.isArray(c)) throw new TopologyError(`${name}: cpus[${i}]: expected an object { core, llc, node, capacity }, got ${renderGot(c)}`);
      for (const k of ["core", "llc", "node", "capacity"] as const) {
        const v = c[k];
        if (!Number.isInteger(v) || v < 0 || (k === "capacity" && (v < 1 || v > 4096))) {
          throw new TopologyError(`${name}: cpus[${i}].${k}: expected ${k === "capacity" ? "an integer 1..4096" : "an integer ≥ 0"}, got ${renderGot(v)}`);
        }
      }
    });
    return build(name, j.cpus);
  }
  for (const k of ["nodes", "llcsPerNode", "coresPerLlc", "threadsPerCore"] as const) {
    const v = (j as unknown as Record<string, unknown>)[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new TopologyError(`${name}: ${k}: expected an integer ≥ 1, got ${renderGot(v)}`);
  }
  if (j.threadsPerCore > 2) throw new TopologyError(`${name}: threadsPerCore: expected 1 or 2, got ${j.threadsPerCore}`);
  const total = j.nodes * j.llcsPerNode * j.coresPerLlc * j.threadsPerCore;
  if (total > MAX_CPUS) throw new TopologyError(`${name}: expected at most ${MAX_CPUS} CPUs (nodes × llcsPerNode × coresPerLlc × threadsPerCore), got ${total}`);
  return fromShape(name, j);
}

/** The most CPUs a machine may have (the kernel's default NR_CPUS on x86 distributions is 8192; we keep runs sane). */
export const MAX_CPUS = 4096;

/**
 * Checks what the kernel's topology guarantees and the schedulers rely on: at most two SMT
 * threads per core, a core's threads in one LLC, an LLC in one node, and LLC and node ids
 * numbered 0..n-1 without gaps (per-LLC schedulers index arrays by them).
 */
function checkShape(name: string, cpus: readonly CpuDesc[]): void {
  const coreAt = new Map<number, { llc: number; node: number; count: number; first: number }>();
  const llcNode = new Map<number, number>();
  cpus.forEach((c, i) => {
    const seen = coreAt.get(c.core);
    if (seen === undefined) coreAt.set(c.core, { llc: c.llc, node: c.node, count: 1, first: i });
    else {
      seen.count++;
      if (seen.count > 2) throw new TopologyError(`${name}: cpus[${i}].core: expected at most 2 CPUs (SMT threads) per core, got a third on core ${c.core}`);
      if (seen.llc !== c.llc || seen.node !== c.node) throw new TopologyError(`${name}: cpus[${i}]: expected the SMT sibling of cpus[${seen.first}] (core ${c.core}) in its LLC and node, got llc ${c.llc}, node ${c.node}`);
    }
    const node = llcNode.get(c.llc);
    if (node === undefined) llcNode.set(c.llc, c.node);
    else if (node !== c.node) throw new TopologyError(`${name}: cpus[${i}]: expected LLC ${c.llc} within one node, got nodes ${node} and ${c.node}`);
  });
  for (const [what, ids] of [["llc", new Set(cpus.map((c) => c.llc))], ["node", new Set(cpus.map((c) => c.node))]] as const) {
    for (let k = 0; k < ids.size; k++) {
      if (!ids.has(k)) throw new TopologyError(`${name}: ${what} ids: expected 0..${ids.size - 1} without gaps, got ${[...ids].sort((a, b) => a - b).slice(0, 8).join(", ")}${ids.size > 8 ? ", ..." : ""}`);
    }
  }
}

function build(name: string, cpus: readonly CpuDesc[]): Topology {
  checkShape(name, cpus);
  const n = cpus.length;
  const sibling = new Int32Array(n).fill(-1);
  const llcOf = new Int32Array(n), nodeOf = new Int32Array(n), capacity = new Float64Array(n);
  const byCore = new Map<number, number[]>();
  cpus.forEach((c, i) => {
    llcOf[i] = c.llc;
    nodeOf[i] = c.node;
    capacity[i] = c.capacity;
    const list = byCore.get(c.core) ?? [];
    list.push(i);
    byCore.set(c.core, list);
  });
  for (const list of byCore.values()) {
    if (list.length === 2) { sibling[list[0]] = list[1]; sibling[list[1]] = list[0]; }
  }
  const nrLlcs = new Set(cpus.map((c) => c.llc)).size;
  const nrNodes = new Set(cpus.map((c) => c.node)).size;
  const llcCpus: Int32Array[] = [];
  for (let l = 0; l < nrLlcs; l++) llcCpus.push(Int32Array.from(cpus.flatMap((c, i) => (c.llc === l ? [i] : []))));
  return { name, nrCpus: n, cpus, nrLlcs, nrNodes, sibling, llcOf, nodeOf, capacity, llcCpus };
}

/** Distance class between two CPUs. */
export function distance(t: Topology, a: number, b: number): Distance {
  if (a === b) return Distance.Same;
  if (t.sibling[a] === b) return Distance.Smt;
  if (t.llcOf[a] === t.llcOf[b]) return Distance.Core;
  if (t.nodeOf[a] === t.nodeOf[b]) return Distance.Llc;
  return Distance.Numa;
}
