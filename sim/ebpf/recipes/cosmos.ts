/**
 * scx_cosmos (sched-ext/scx scheds/rust/scx_cosmos/src/main.rs). Its object is two BPF objects
 * linked into one (main.bpf.c and lib/pmu.bpf.c; upstream's build links them with libbpf's
 * linker, `bpftool gen object` by hand). Before attach the loader writes the `.rodata` below,
 * fills cpu_node_map (CPU → NUMA node) for every CPU, runs enable_primary_cpu for each CPU of a
 * primary domain narrower than the machine and, with SMT, enable_sibling_cpu for every CPU
 * (a CPU without a sibling passes -1). What its user-space half does that scxlab cannot play is
 * refused with one line: perf counters (-e/-y: the simulated CPUs have none), the periodic
 * CPU-utilisation polling (-p) and NVML GPU placement (-g).
 */
import { capacities } from "./scx_family.js";
import { OPS, cpuList, hasSmt, s32Ctx, u32Bytes, type LoaderRecipe, type MapWrite, type RecipeMachine, type RecipeOptions, type SyscallRun, RecipeError } from "./recipe.js";

const flag = (help: string) => ({ default: "false", help });
const num = (d: number, help: string) => ({ default: String(d), help });

/** Options whose upstream behaviour needs what the simulated machine lacks. */
function refuseUnplayable(o: RecipeOptions): void {
  for (const name of ["perf_config", "perf_sticky"]) {
    const v = o.str(name).trim();
    if (v !== "0" && v !== "0x0" && v !== "") throw new RecipeError(`option ${name}: "${v}" needs hardware performance counters, which scxlab's CPUs do not have (0x0 only)`);
  }
  if (o.num("polling_ms") !== 0) throw new RecipeError("option polling_ms: scxlab does not run cosmos's user-space CPU-utilisation polling loop (0 only)");
  if (o.bool("gpu")) throw new RecipeError("option gpu: scxlab models no GPUs (NVML)");
}

function cpuNodeMap(m: RecipeMachine): MapWrite[] {
  return Array.from({ length: m.nrCpus }, (_, c) => ({ map: "cpu_node_map", key: u32Bytes(c), value: u32Bytes(m.node(c)) }));
}

function primaryRuns(m: RecipeMachine, text: string | undefined): { all: boolean; runs: SyscallRun[] } {
  if (text === undefined || text === "") return { all: true, runs: [] };
  const cpus = cpuList(text, m);
  if (cpus === undefined) throw new RecipeError(`option primary_domain: "${text}" is not all/performance/powersave/turbo, a CPU list like 0-3,8 or a hex mask`);
  if (cpus.length >= m.nrCpus) return { all: true, runs: [] };
  return { all: false, runs: cpus.map((c) => ({ prog: "enable_primary_cpu", ctx: s32Ctx(c), cpu: 0 })) };
}

export const cosmosRecipe: LoaderRecipe = {
  ops: "cosmos",
  source: "sched-ext/scx scheds/rust/scx_cosmos/src/main.rs",
  options: {
    slice_us: num(1000, "maximum slice (-s)"), slice_lag_us: num(20000, "charged runtime bound (-l)"),
    cpu_busy_thresh: num(0, "busy threshold in % (-c)"), polling_ms: num(0, "utilisation polling (-p; 0 only here)"),
    primary_domain: { default: "", help: "primary CPUs (-m; every CPU when empty)" },
    perf_config: { default: "0x0", help: "perf event (-e; 0x0 only here)" }, perf_sticky: { default: "0x0", help: "sticky perf event (-y; 0x0 only here)" },
    gpu: flag("GPU-aware placement (-g; off only here)"), disable_numa: flag("no NUMA awareness (-n)"),
    disable_cpufreq: flag("no cpufreq control (-f)"), flat_idle_scan: flag("flat idle scan (-i)"),
    preferred_idle_scan: flag("scan idle CPUs by capacity (-P)"), disable_smt: flag("no SMT awareness"),
    no_early_clear: flag("keep idle state on wakeup (-N)"), no_wake_sync: flag("ignore WF_SYNC (-w)"),
    time_preemption: flag("timer-based preemption"), mm_affinity: flag("address-space affinity (-a)"),
  },
  plan: (m, o) => {
    refuseUnplayable(o);
    const smt = hasSmt(m) && !o.bool("disable_smt");
    const numa = m.nrNodes > 1 && !o.bool("disable_numa");
    const dom = primaryRuns(m, o.str("primary_domain"));
    const caps = Array.from({ length: m.nrCpus }, (_, c) => m.capacity(c));
    const smtRuns: SyscallRun[] = smt
      ? Array.from({ length: m.nrCpus }, (_, c) => ({ prog: "enable_sibling_cpu", ctx: s32Ctx(c, m.sibling(c)), cpu: 0 }))
      : [];
    return {
      rodata: [
        ["slice_ns", o.num("slice_us") * 1000], ["slice_lag", o.num("slice_lag_us") * 1000],
        ["cpufreq_enabled", !o.bool("disable_cpufreq")], ["flat_idle_scan", o.bool("flat_idle_scan")],
        ["smt_enabled", smt], ["numa_enabled", numa], ["nr_node_ids", m.nrNodes],
        ["no_wake_sync", o.bool("no_wake_sync")], ["no_early_clear", o.bool("no_early_clear")],
        ["time_preemption", o.bool("time_preemption")], ["mm_affinity", o.bool("mm_affinity")],
        ["perf_config", 0], ["perf_sticky", 0], ["busy_threshold", Math.floor((o.num("cpu_busy_thresh") * 1024) / 100)],
        ...capacities(m, true), ["all_cpus_same_capacity", caps.every((c) => c === Math.max(...caps))],
        ["preferred_idle_scan", o.bool("preferred_idle_scan")], ["primary_all", dom.all], ["gpu_enabled", false],
      ],
      flags: OPS.ENQ_EXITING | OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | OPS.ALLOW_QUEUED_WAKEUP | (numa ? OPS.BUILTIN_IDLE_PER_NODE : 0),
      maps: cpuNodeMap(m),
      syscalls: [...dom.runs, ...smtRuns],
    };
  },
};
