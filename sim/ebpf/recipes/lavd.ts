/**
 * scx_lavd (sched-ext/scx scheds/rust/scx_lavd: src/main.rs's Opts::proc, init_cpus,
 * init_cpdoms and init_globals, and src/cpu_order.rs for a machine without an energy model,
 * then rust/scx_arena's ArenaLib). Its object is main.bpf.c with the other src/bpf/*.bpf.c files
 * and the scx lib objects, linked as its build.rs does.
 *
 * Before load the loader writes into `.rodata` each CPU's capacity, big/turbo flags and SMT
 * sibling, the performance-vs-CPU-order table, the slice and balancing options, and into `.bss`
 * the power-mode switches and one context per compute domain (its CPUs, and its neighbours by
 * distance, each distance's list in circular order around the domain's own id). Without an energy
 * model the order table has two rows: the powersave order with the capacity of its first CPU as
 * bound and the performance order with the whole machine's; each row makes its first CPU primary
 * and the rest overflow. The ops flags are ENQ_EXITING, ENQ_LAST, ENQ_MIGRATION_DISABLED and
 * KEEP_BUILTIN_IDLE. Not modelled: the futex and execve tracing programs it attaches (scxlab runs
 * no tracing programs, so no lock-holder boost), the sched_switch hook it prefers to
 * ops.cpu_release on kernels whose reenqueue works from anywhere (ops.cpu_release is kept, which
 * older kernels use), cgroup bandwidth control (`--enable-cpu-bw`: scxlab has no cpu.max), the
 * power-profile reader of `--autopower` (the machine has none: balanced), the stats server.
 */
import { kernelValue } from "../../ext/kernel_abi.js";
import type { RodataValue } from "../obj/rodata.js";
import { arenaLibSetup, coreIds } from "./arena_lib.js";
import { hasSmt, OPS, type LoaderRecipe, type RecipeMachine, type RecipeOptions, RecipeError } from "./recipe.js";

const flag = (help: string) => ({ default: "false", help });
const num = (d: number, help: string) => ({ default: String(d), help });

/** intf.h: order-table rows and the per-domain neighbour slots. */
const PCO_STATE_MAX = 11;
const CPDOM_MAX_NR = 128;
const CPDOM_MAX_DIST = 3;
const KEEP_BUILTIN_IDLE = Number(kernelValue("SCX_OPS_KEEP_BUILTIN_IDLE"));

/** One CPU as cpu_order.rs's CpuId sees it (relative indices under the parent). */
interface CpuPlace {
  readonly cpu: number;
  readonly node: number;
  readonly llc: number;
  /** LLC index within its node, core index within its LLC, thread index within its core. */
  readonly llcRdx: number;
  readonly coreRdx: number;
  readonly cpuRdx: number;
  readonly cap: number;
}

function places(m: RecipeMachine): CpuPlace[] {
  const cores = coreIds(m);
  const rank = (key: (c: number) => number, within: (c: number) => number, c: number): number => {
    const peers = new Set<number>();
    for (let d = 0; d < m.nrCpus; d++) if (within(d) === within(c)) peers.add(key(d));
    return [...peers].sort((a, b) => a - b).indexOf(key(c));
  };
  return Array.from({ length: m.nrCpus }, (_, c) => ({
    cpu: c, node: m.node(c), llc: m.llc(c), cap: m.capacity(c),
    llcRdx: rank((d) => m.llc(d), (d) => m.node(d), c),
    coreRdx: rank((d) => cores[d]!, (d) => m.llc(d), c),
    cpuRdx: rank((d) => d, (d) => cores[d]!, c),
  }));
}

/**
 * build_topo_order without big/little cores (cache sizes, SMT levels and capacities aside from
 * binning are equal here; the performance domain is the LLC). Performance: the first thread of
 * every core, LLC by LLC, before any second thread. Powersave: core by core, both threads of one
 * before the next.
 */
export function lavdCpuOrder(m: RecipeMachine, powersave: boolean): number[] {
  const p = places(m);
  const cmp = powersave
    ? (a: CpuPlace, b: CpuPlace) => a.node - b.node || a.llcRdx - b.llcRdx || b.cap - a.cap || a.llc - b.llc || a.coreRdx - b.coreRdx || a.cpuRdx - b.cpuRdx || a.cpu - b.cpu
    : (a: CpuPlace, b: CpuPlace) => a.cpuRdx - b.cpuRdx || a.node - b.node || a.llcRdx - b.llcRdx || b.cap - a.cap || a.llc - b.llc || a.coreRdx - b.coreRdx || a.cpu - b.cpu;
  return p.sort(cmp).map((x) => x.cpu);
}

/** circular_sort: the other ids of a ring, nearest to `start` first (ties to the smaller index). */
export function circularSort(start: number, rest: readonly number[]): number[] {
  const list = [...rest, start].sort((a, b) => a - b);
  const s = list.indexOf(start), n = list.length;
  const dist = (x: number): number => { const d = (x + n - s) % n; return Math.min(d, n - d); };
  const order = list.map((_, i) => i).sort((x, y) => dist(x) - dist(y) || x - y);
  return order.map((i) => list[i]!).slice(1);
}

/** A compute domain: its CPUs (in performance order) and its neighbours per distance rank. */
export interface ComputeDomain {
  readonly id: number;
  readonly node: number;
  readonly llc: number;
  readonly cpus: readonly number[];
  readonly neighbours: readonly (readonly number[])[];
}

/** build_cpdom for CPUs that are all big: one domain per LLC, numbered as the performance order meets them. */
export function computeDomains(m: RecipeMachine): ComputeDomain[] {
  const p = places(m);
  const byLlc = new Map<number, { node: number; llc: number; llcRdx: number; cpus: number[] }>();
  for (const cpu of lavdCpuOrder(m, false)) {
    const x = p[cpu]!;
    let d = byLlc.get(x.llc);
    if (d === undefined) byLlc.set(x.llc, d = { node: x.node, llc: x.llc, llcRdx: x.llcRdx, cpus: [] });
    d.cpus.push(cpu);
  }
  // The map is keyed by (node, LLC), so ids follow that order.
  const doms = [...byLlc.values()].sort((a, b) => a.node - b.node || a.llc - b.llc);
  // Distance: another node 10; else another LLC index under the node 1, another kernel LLC 1.
  const dist = (a: typeof doms[number], b: typeof doms[number]): number =>
    a.node !== b.node ? 10 : (a.llcRdx !== b.llcRdx ? 1 : 0) + (a.llc !== b.llc ? 1 : 0);
  return doms.map((d, id) => {
    const byDist = new Map<number, number[]>();
    doms.forEach((o, oid) => { if (oid !== id) byDist.set(dist(d, o), [...(byDist.get(dist(d, o)) ?? []), oid]); });
    const neighbours = [...byDist].sort((a, b) => a[0] - b[0]).map(([, ids]) => circularSort(id, ids));
    return { id, node: d.node, llc: d.llc, cpus: d.cpus, neighbours };
  });
}

/** The power-mode options as Opts::proc settles them; throws on the conflicts it refuses. */
function powerMode(o: RecipeOptions): { autopilot: boolean; noCoreCompaction: boolean; powersave: boolean } {
  const set = ["autopilot", "autopower", "performance", "powersave", "balanced", "no_core_compaction"].filter((k) => o.bool(k));
  const modes = set.filter((k) => k !== "no_core_compaction");
  if (modes.length > 1) throw new RecipeError(`options ${modes.join(", ")}: only one power mode may be given`);
  const mode = modes[0];
  if (mode !== undefined && mode !== "performance" && o.bool("no_core_compaction")) throw new RecipeError(`option ${mode} cannot be used with no_core_compaction`);
  return {
    autopilot: mode === "autopilot" || set.length === 0,
    noCoreCompaction: mode === "performance" || (mode === undefined && o.bool("no_core_compaction")),
    powersave: mode === "powersave",
  };
}

function pct(o: RecipeOptions, name: string, max: number): number {
  const v = o.num(name);
  if (v > max) throw new RecipeError(`option ${name}: ${v} is not in 0..${max}`);
  return v;
}

export const lavdRecipe: LoaderRecipe = {
  ops: "lavd",
  source: "sched-ext/scx scheds/rust/scx_lavd/src/{main,cpu_order}.rs and rust/scx_arena (7a58a3a)",
  options: {
    autopilot: flag("pick the power mode from the load (the default when no mode is given)"),
    autopower: flag("follow the OS power profile (none here: balanced)"),
    performance: flag("performance mode: every CPU in use"),
    powersave: flag("powersave mode: compact onto few cores"),
    balanced: flag("balanced mode"),
    slice_max_us: num(5000, "longest slice (µs)"),
    slice_min_us: num(500, "shortest slice (µs)"),
    lat_load_target_pct: num(100, "load target of turbulent CPUs, 0..200 %"),
    mig_delta_pct: num(0, "migration threshold as % of the average load, 0..100 (0: dynamic)"),
    warm_cpu_us: num(0, "warm-CPU wait (µs; 0 off)"),
    lb_low_util_pct: num(25, "skip periodic balancing below this utilisation, 0..100 %"),
    lb_local_dsq_util_pct: num(10, "queue to the local DSQ below this utilisation, 0..100 %"),
    pinned_slice_us: num(5000, "slice while pinned tasks run, within slice_min_us..slice_max_us (0 off)"),
    preempt_shift: num(6, "only the top 1/2^n latency-critical tasks preempt, 0..10"),
    no_use_em: flag("ignore the energy model (there is none here)"),
    no_futex_boost: flag("no futex boost (never attached here)"),
    no_fast_lb: flag("the older load balancer"),
    no_preemption: flag("never preempt"),
    no_wake_sync: flag("no synchronous-wakeup shortcut"),
    no_slice_boost: flag("no slice boost for long runners"),
    per_cpu_dsq: flag("per-CPU DSQs"),
    enable_cpu_bw: flag("cgroup cpu.max control (refused: scxlab has no cpu.max)"),
    partial: flag("switch only SCHED_EXT tasks"),
    no_core_compaction: flag("use every CPU whatever the load"),
    no_freq_scaling: flag("no CPU frequency control"),
  },
  plan: (m, o) => {
    const mode = powerMode(o);
    if (o.bool("enable_cpu_bw")) throw new RecipeError("option enable_cpu_bw: scxlab models no cgroup cpu.max, so it cannot be enabled");
    const sliceMin = o.num("slice_min_us"), sliceMax = o.num("slice_max_us"), pinned = o.num("pinned_slice_us");
    if (pinned !== 0 && (pinned < sliceMin || pinned > sliceMax)) throw new RecipeError(`option pinned_slice_us: ${pinned} is not between slice_min_us (${sliceMin}) and slice_max_us (${sliceMax})`);
    const preemptShift = pct(o, "preempt_shift", 10);
    const perf = lavdCpuOrder(m, false), save = lavdCpuOrder(m, true);
    const caps = Array.from({ length: m.nrCpus }, (_, c) => m.capacity(c));
    const total = caps.reduce((a, b) => a + b, 0);
    // get_fake_perf_cpu_order_table: keyed by bound, so on one CPU the powersave row replaces the other.
    const rows = new Map<number, number[]>([[total, perf], [caps[save[0]!]!, save]]);
    const table = [...rows].sort((a, b) => a[0] - b[0]);
    const rodata: [string, RodataValue][] = [];
    for (let c = 0; c < m.nrCpus; c++) {
      rodata.push([`cpu_capacity[${c}]`, caps[c]!], [`cpu_big[${c}]`, 1], [`cpu_turbo[${c}]`, 0], [`cpu_sibling[${c}]`, m.sibling(c) >= 0 ? m.sibling(c) : 0xffffffff]);
    }
    rodata.push(["nr_pco_states", table.length]);
    for (let i = 0; i < PCO_STATE_MAX; i++) {
      const [bound, order] = table[Math.min(i, table.length - 1)]!;
      rodata.push([`pco_bounds[${i}]`, bound], [`pco_nr_primary[${i}]`, 1]);
      order.forEach((cpu, j) => rodata.push([`pco_table[${i}][${j}]`, cpu]));
    }
    rodata.push(
      ["nr_llcs", m.nrLlcs], ["nr_cpu_ids", m.nrCpus], ["is_smt_active", hasSmt(m)], ["is_autopilot_on", mode.autopilot], ["verbose", 0],
      ["slice_max_ns", sliceMax * 1000], ["slice_min_ns", sliceMin * 1000], ["pinned_slice_ns", pinned * 1000],
      ["preempt_shift", preemptShift], ["lat_load_target_pct", pct(o, "lat_load_target_pct", 200)], ["mig_delta_pct", pct(o, "mig_delta_pct", 100)],
      ["warm_cpu_ns", o.num("warm_cpu_us") * 1000],
      ["lb_low_util_wall", Math.floor((pct(o, "lb_low_util_pct", 100) << 10) / 100)],
      ["lb_local_dsq_util_wall", Math.floor((pct(o, "lb_local_dsq_util_pct", 100) << 10) / 100)],
      // No energy model on the simulated machine, so the loader always sets no_use_em.
      ["no_use_em", 1], ["no_fast_lb", o.bool("no_fast_lb") ? 1 : 0], ["no_wake_sync", o.bool("no_wake_sync")],
      ["no_slice_boost", o.bool("no_slice_boost")], ["per_cpu_dsq", o.bool("per_cpu_dsq")], ["enable_cpu_bw", false],
    );
    const data: [string, RodataValue][] = [
      ["no_preemption", o.bool("no_preemption")], ["no_core_compaction", mode.noCoreCompaction],
      ["no_freq_scaling", o.bool("no_freq_scaling")], ["is_powersave_mode", mode.powersave],
    ];
    const doms = computeDomains(m);
    if (doms.length > CPDOM_MAX_NR) throw new RecipeError(`${doms.length} compute domains: scx_lavd handles at most ${CPDOM_MAX_NR}`);
    for (const d of doms) {
      const at = `cpdom_ctxs[${d.id}]`;
      data.push([`${at}.id`, d.id], [`${at}.alt_id`, d.id], [`${at}.numa_id`, d.node], [`${at}.llc_id`, d.llc], [`${at}.is_big`, 1], [`${at}.is_valid`, 1]);
      const words = new Map<number, bigint>();
      for (const c of d.cpus) words.set(c >> 6, (words.get(c >> 6) ?? 0n) | (1n << BigInt(c & 63)));
      for (const [w, bits] of words) data.push([`${at}.__cpumask[${w}]`, bits]);
      if (d.neighbours.length > CPDOM_MAX_DIST) throw new RecipeError("the topology has more neighbour distances than scx_lavd handles");
      d.neighbours.forEach((ids, k) => {
        data.push([`${at}.nr_neighbors[${k}]`, ids.length]);
        ids.forEach((id, i) => data.push([`${at}.neighbor_ids[${k * CPDOM_MAX_NR + i}]`, id]));
      });
    }
    const flags = OPS.ENQ_EXITING | OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | KEEP_BUILTIN_IDLE | (o.bool("partial") ? OPS.SWITCH_PARTIAL : 0);
    const cores = coreIds(m);
    return { rodata, data, flags, setup: (io) => arenaLibSetup(io, m, cores, "task_ctx") };
  },
};
