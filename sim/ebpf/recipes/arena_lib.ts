/**
 * rust/scx_arena's ArenaLib as the Rust schedulers that keep their per-task data in a BPF arena
 * run it after load (scx_p2dq, scx_lavd): arena_init with the per-task struct's size, the
 * per-level fan-out with arena_topology_init, and for the machine, each node, LLC, core and CPU
 * a mask allocated in the arena (arena_alloc_mask), written through the arena mapping, and
 * handed to arena_topology_node_init.
 */
import { RecipeError, type RecipeIo, type RecipeMachine } from "./recipe.js";

/** ArenaLib's STATIC_ALLOC_PAGES_GRANULARITY and its CPU-mask width (MAX_CPU_SUPPORTED 640 bits, less one word). */
const STATIC_PAGES = 8;
const CPU_MASK_WORDS = 9;

/** Dense core ids: SMT siblings share one, numbered by their first CPU (scx_utils' Topology order). */
export function coreIds(m: RecipeMachine): number[] {
  const ids: number[] = [];
  let next = 0;
  for (let c = 0; c < m.nrCpus; c++) {
    const s = m.sibling(c);
    ids.push(s >= 0 && s < c ? ids[s]! : next++);
  }
  return ids;
}

function u64s(words: readonly bigint[]): Uint8Array {
  const b = new Uint8Array(8 * words.length);
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setBigUint64(8 * i, w, true));
  return b;
}

function maskWords(cpus: readonly number[], words: number): bigint[] {
  const w = new Array<bigint>(words).fill(0n);
  for (const c of cpus) w[c >> 6] = w[c >> 6]! | (1n << BigInt(c & 63));
  return w;
}

/**
 * ArenaLib::setup: arena_init with the size of the scheduler's per-task arena struct (`taskStruct`
 * in the object's BTF), then the topology tree (machine, nodes, LLCs, cores, CPUs).
 */
export function arenaLibSetup(io: RecipeIo, m: RecipeMachine, cores: readonly number[], taskStruct: string): void {
  const must = (what: string, r: { ret: number }): void => {
    if (r.ret !== 0) throw new RecipeError(`ArenaLib: ${what} returned ${r.ret}`);
  };
  must("arena_init", io.run("arena_init", u64s([BigInt(STATIC_PAGES), BigInt(io.structSize(taskStruct))])));
  const all = Array.from({ length: m.nrCpus }, (_, c) => c);
  const groupBy = (key: (c: number) => number): Map<number, number[]> => {
    const g = new Map<number, number[]>();
    for (const c of all) g.set(key(c), [...(g.get(key(c)) ?? []), c]);
    return new Map([...g].sort((a, b) => a[0] - b[0]));
  };
  const nodes = groupBy((c) => m.node(c)), llcs = groupBy((c) => m.llc(c)), coreMap = groupBy((c) => cores[c]!);
  const llcsPerNode = [...nodes.values()].map((cs) => new Set(cs.map((c) => m.llc(c))).size);
  const coresPerLlc = [...llcs.values()].map((cs) => new Set(cs.map((c) => cores[c]!)).size);
  const cpusPerCore = [...coreMap.values()].map((cs) => cs.length);
  const fanout = new Uint8Array(20);
  const dv = new DataView(fanout.buffer);
  [nodes.size, Math.max(0, ...llcsPerNode), Math.max(0, ...coresPerLlc), Math.max(0, ...cpusPerCore), 0].forEach((v, i) => dv.setUint32(4 * i, v, true));
  must("arena_topology_init", io.run("arena_topology_init", fanout));
  const spanWords = Math.ceil(m.nrCpus / 64);
  const node = (words: bigint[], id: number): void => {
    if (words.every((w) => w === 0n)) return;
    const r = io.run("arena_alloc_mask", u64s([0n]));
    must("arena_alloc_mask", r);
    const bitmap = new DataView(r.ctx.buffer, r.ctx.byteOffset).getBigUint64(0, true);
    io.writeArena(Number(bitmap), u64s(words));
    must("arena_topology_node_init", io.run("arena_topology_node_init", u64s([bitmap, 0n, BigInt(id)])));
  };
  node(maskWords(all, spanWords), 0);
  for (const [id, cs] of nodes) node(maskWords(cs, spanWords), id);
  for (const [id, cs] of llcs) node(maskWords(cs, spanWords), id);
  for (const [id, cs] of coreMap) node(maskWords(cs, spanWords), id);
  for (const c of all) node(maskWords([c], CPU_MASK_WORDS), c);
}
