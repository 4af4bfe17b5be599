/**
 * scx_p2dq (sched-ext/scx scheds/rust/scx_p2dq: src/main.rs, src/lib.rs's init_open_skel! and
 * init_skel!, and rust/scx_arena's ArenaLib, which its main() runs before attach). Its object
 * is main.bpf.c linked with the scx lib objects (arena, atq, dhq, bitmap, cpumask, minheap,
 * rbtree, sdt_alloc, sdt_task, topology), as its build.rs does with libbpf's linker.
 *
 * Before load the loader writes the `.rodata` configuration structs (topology counts, slice
 * and load-balancing options, with the single-LLC tuning HardwareProfile applies); after load it
 * fills the `.bss` topology arrays (llc_ids, cpu_llc_ids, cpu_node_ids, cpu_core_ids,
 * cpu_capacity, big_core_ids) and the DSQ slice table; then ArenaLib runs arena_init, sets the
 * per-level fan-out with arena_topology_init and builds the topology tree in the arena: for the
 * machine, each node, LLC, core and CPU it allocates a mask (arena_alloc_mask), writes the CPUs
 * into it through the arena mapping and calls arena_topology_node_init. The ops flags gain
 * SCX_OPS_KEEP_BUILTIN_IDLE. Not modelled: the energy model's per-CPU cost (0 here, which the
 * BPF side reads as 1024; it matters only with --enable-eas), thermal pressure (ARM only), the
 * stats server and the restart loop.
 */
import { kernelValue } from "../../ext/kernel_abi.js";
import type { RodataValue } from "../obj/rodata.js";
import { hasSmt, type LoaderRecipe, type RecipeMachine, type RecipeOptions, RecipeError } from "./recipe.js";
import { arenaLibSetup, coreIds } from "./arena_lib.js";

const flag = (help: string) => ({ default: "false", help });
const on = (help: string) => ({ default: "true", help });
const num = (d: number | string, help: string) => ({ default: String(d), help });

const KEEP_BUILTIN_IDLE = Number(kernelValue("SCX_OPS_KEEP_BUILTIN_IDLE"));

function cpusPerLlcMax(m: RecipeMachine): number {
  const n = new Array<number>(m.nrLlcs).fill(0);
  for (let c = 0; c < m.nrCpus; c++) n[m.llc(c)]!++;
  return Math.max(1, ...n);
}

/** lib.rs's dsq_slice_ns, for DSQ tables given by min_slice_us and dsq_shift. */
function dsqSliceNs(i: number, minSliceUs: number, shift: number): number {
  return i === 0 ? 1000 * minSliceUs : 1000 * minSliceUs * 2 ** (i + shift);
}

function sliceTable(o: RecipeOptions): number[] {
  const queues = o.num("dumb_queues");
  if (queues < 1) throw new RecipeError("option dumb_queues: at least 1 DSQ per LLC");
  if (o.num("init_dsq_index") > queues - 1) throw new RecipeError(`option init_dsq_index: Invalid init_dsq_index ${o.num("init_dsq_index")}`);
  const text = o.str("dsq_time_slices").trim();
  if (text === "") return Array.from({ length: queues }, (_, i) => dsqSliceNs(i, o.num("min_slice_us"), o.num("dsq_shift")));
  const us = text.split(",").map((x) => x.trim());
  if (us.some((x) => !/^\d+$/.test(x))) throw new RecipeError(`option dsq_time_slices: "${text}" is not a comma-separated list of microseconds`);
  if (us.length !== queues) throw new RecipeError(`option dsq_time_slices: Invalid number of dsq_time_slices, got ${us.length} need ${queues}`);
  const v = us.map(Number);
  for (let i = 1; i < v.length; i++) if (v[i - 1]! >= v[i]!) throw new RecipeError("option dsq_time_slices: DSQ time slices must be in increasing order");
  return v.map((x) => x * 1000);
}

export const p2dqRecipe: LoaderRecipe = {
  ops: "p2dq",
  source: "sched-ext/scx scheds/rust/scx_p2dq/src/{main,lib}.rs and rust/scx_arena (7a58a3a)",
  options: {
    disable_kthreads_local: flag("kthreads are not dispatched to local DSQs (-k)"),
    autoslice: flag("scale slices with load (-a)"),
    interactive_ratio: num(10, "percent of interactive tasks (-r)"),
    deadline: flag("deadline scheduling"),
    eager_load_balance: flag("deprecated (-e)"),
    freq_control: flag("cpufreq control (-f)"),
    interactive_sticky: flag("interactive tasks stay on their CPU (-y)"),
    dispatch_pick2_disable: flag("no pick-two in dispatch (-d)"),
    dispatch_lb_busy: num(75, "LLC busy percent for dispatch balancing"),
    dispatch_lb_interactive: on("interactive tasks may be balanced in dispatch"),
    keep_running: flag("keep a lone task running"),
    atq_enabled: flag("arena task queues"),
    dhq_enabled: flag("double-helix queues"),
    dhq_max_imbalance: num(3, "DHQ imbalance bound"),
    cpu_priority: flag("sched_core_priority (absent here)"),
    wakeup_lb_busy: num(0, "deprecated"),
    wakeup_llc_migrations: flag("LLC migrations on wakeup"),
    fork_balance: on("balance on fork"),
    exec_balance: on("balance on exec"),
    task_slice: flag("per-task slices"),
    min_slice_us: num(100, "minimum slice (-s)"),
    sched_mode: num("default", "default, performance or efficiency"),
    lb_slack_factor: num(5, "load-balance slack (percent)"),
    min_llc_runs_pick2: num("", "LLC runs before pick-two (-l; default log2 of the LLC count, 0 on one LLC)"),
    saturated_percent: num(5, "saturation threshold"),
    dsq_time_slices: num("500,2500,5000", "DSQ slices in µs (-t)"),
    dsq_shift: num(4, "slice shift between DSQs (-x)"),
    llc_shards: num("", "shards per LLC (default: CPUs per LLC / 4, none up to 4)"),
    min_nr_queued_pick2: num(0, "queued tasks before pick-two (-m)"),
    dumb_queues: num(3, "DSQs per LLC (-q)"),
    init_dsq_index: num(0, "first DSQ of a new task (-i)"),
    hw_auto_optimize: on("single-LLC tuning"),
    single_llc_fast_path: flag("force the single-LLC fast path"),
    enable_pelt: on("PELT load tracking"),
    latency_priority: flag("latency priorities"),
    wakeup_preemption: flag("wakeup preemption"),
    enable_eas: flag("energy-aware scheduling"),
    max_dsq_pick2: flag("pick-two from the max DSQ"),
  },
  plan: (m, o) => {
    const single = m.nrLlcs === 1;
    const tune = o.bool("hw_auto_optimize") && single;
    const llcRuns = o.str("min_llc_runs_pick2").trim() === "" ? Math.floor(Math.log2(m.nrLlcs)) : o.num("min_llc_runs_pick2");
    const perLlc = cpusPerLlcMax(m);
    const shards = o.str("llc_shards").trim() === "" ? (perLlc <= 4 ? 0 : Math.floor(perLlc / 4)) : o.num("llc_shards");
    const modes: Record<string, number> = { default: 0, performance: 1, efficiency: 2 };
    const mode = modes[o.str("sched_mode").trim().toLowerCase()];
    if (mode === undefined) throw new RecipeError(`option sched_mode: "${o.str("sched_mode")}" is not default, performance or efficiency`);
    const ratio = o.num("interactive_ratio");
    if (o.bool("autoslice") && (ratio === 0 || ratio > 99)) throw new RecipeError(`option interactive_ratio: Invalid interactive_ratio ${ratio}, must be between 1-99`);
    const slices = sliceTable(o);
    const caps = Array.from({ length: m.nrCpus }, (_, c) => m.capacity(c));
    const cores = coreIds(m);
    const rodata: [string, RodataValue][] = [
      ["topo_config.nr_cpus", m.nrCpus], ["topo_config.nr_llcs", m.nrLlcs], ["topo_config.nr_nodes", m.nrNodes],
      ["topo_config.smt_enabled", hasSmt(m)], ["topo_config.has_little_cores", caps.some((c) => c < Math.max(...caps))],
      ["timeline_config.min_slice_us", o.num("min_slice_us")], ["timeline_config.max_exec_ns", 2 * slices[slices.length - 1]!],
      ["timeline_config.autoslice", o.bool("autoslice")], ["timeline_config.deadline", o.bool("deadline")],
      ["lb_config.slack_factor", o.num("lb_slack_factor")], ["lb_config.min_nr_queued_pick2", o.num("min_nr_queued_pick2")],
      ["lb_config.min_llc_runs_pick2", tune ? 0 : llcRuns], ["lb_config.max_dsq_pick2", o.bool("max_dsq_pick2")],
      ["lb_config.eager_load_balance", !o.bool("eager_load_balance")],
      ["lb_config.dispatch_pick2_disable", tune || o.bool("dispatch_pick2_disable")],
      ["lb_config.dispatch_lb_busy", o.num("dispatch_lb_busy")], ["lb_config.dispatch_lb_interactive", o.bool("dispatch_lb_interactive")],
      ["lb_config.wakeup_lb_busy", o.num("wakeup_lb_busy")], ["lb_config.wakeup_llc_migrations", !tune && o.bool("wakeup_llc_migrations")],
      ["lb_config.single_llc_mode", o.bool("single_llc_fast_path") || tune],
      ["p2dq_config.interactive_ratio", ratio], ["p2dq_config.dsq_shift", o.num("dsq_shift")],
      ["p2dq_config.task_slice", o.bool("task_slice")], ["p2dq_config.kthreads_local", !o.bool("disable_kthreads_local")],
      ["p2dq_config.nr_dsqs_per_llc", o.num("dumb_queues")], ["p2dq_config.init_dsq_index", o.num("init_dsq_index")],
      ["p2dq_config.saturated_percent", o.num("saturated_percent")], ["p2dq_config.sched_mode", mode],
      ["p2dq_config.llc_shards", Math.max(1, shards)],
      // atq/dhq also need bpf_spin_unlock, which the kernel model has.
      ["p2dq_config.atq_enabled", o.bool("atq_enabled")], ["p2dq_config.dhq_enabled", o.bool("dhq_enabled")],
      ["p2dq_config.dhq_max_imbalance", o.num("dhq_max_imbalance")],
      // sched_core_priority is not a kernel symbol scxlab has, so the loader turns cpu_priority off.
      ["p2dq_config.cpu_priority", false], ["p2dq_config.freq_control", o.bool("freq_control")],
      ["p2dq_config.interactive_sticky", o.bool("interactive_sticky")], ["p2dq_config.keep_running_enabled", o.bool("keep_running")],
      ["p2dq_config.pelt_enabled", o.bool("enable_pelt")], ["p2dq_config.fork_balance", o.bool("fork_balance")],
      ["p2dq_config.exec_balance", o.bool("exec_balance")], ["p2dq_config.enable_eas", o.bool("enable_eas")],
      ["p2dq_config.small_task_threshold", 256], ["p2dq_config.large_task_threshold", 768],
      ["latency_config.latency_priority_enabled", o.bool("latency_priority")],
      ["latency_config.wakeup_preemption_enabled", o.bool("wakeup_preemption")],
      ["debug", 0], ["nr_cpu_ids", m.nrCpus],
    ];
    const data: [string, RodataValue][] = slices.map((ns, i): [string, RodataValue] => [`dsq_time_slices[${i}]`, ns]);
    for (let c = 0; c < m.nrCpus; c++) {
      data.push([`big_core_ids[${c}]`, 0], [`cpu_core_ids[${c}]`, cores[c]!], [`cpu_llc_ids[${c}]`, m.llc(c)],
        [`cpu_node_ids[${c}]`, m.node(c)], [`cpu_capacity[${c}]`, m.capacity(c)]);
    }
    for (let l = 0; l < m.nrLlcs; l++) data.push([`llc_ids[${l}]`, l]);
    return { rodata, data, flags: KEEP_BUILTIN_IDLE, setup: (io) => arenaLibSetup(io, m, cores, "task_p2dq") };
  },
};
