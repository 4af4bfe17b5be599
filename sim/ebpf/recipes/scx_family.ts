/**
 * Recipes for the scx family (sched-ext/scx scheds/rust/scx_NAME/src/main.rs): the `.rodata`
 * each Rust loader writes (slices in ns from its µs options, SMT/NUMA switches, CPU capacities
 * and the capacity-ordered CPU list), the SEC("syscall") programs it runs to build the primary
 * and SMT domains, and the ops flags it sets. Options keep upstream's long names.
 */
import { OPS, cpuList, cpusByCapacity, hasSmt, s32Ctx, type LoaderRecipe, type RecipeMachine, type RecipeOptions, type SyscallRun, RecipeError } from "./recipe.js";

const flag = (help: string) => ({ default: "false", help });
const us = (d: number, help: string) => ({ default: String(d), help });

/** enable_primary_cpu(-1) to clear, then once per CPU of the domain; false: the domain is every CPU. */
function primaryDomain(m: RecipeMachine, text: string, clearFirst: boolean): { cpus: number[]; runs: SyscallRun[] } {
  const cpus = cpuList(text, m);
  if (cpus === undefined) throw new RecipeError(`option primary_domain: "${text}" is not all/auto/performance/powersave, a CPU list like 0-3,8 or a hex mask`);
  const runs = (clearFirst ? [-1] : []).concat(cpus).map((c) => ({ prog: "enable_primary_cpu", ctx: s32Ctx(c), cpu: 0 }));
  return { cpus, runs };
}

/**
 * enable_sibling_cpu for every CPU that has a sibling: struct domain_arg is { cpu_id,
 * sibling_cpu_id } in bpfland and beerland, { lvl_id, cpu_id, sibling_cpu_id } (level 0 = SMT)
 * in flash.
 */
function smtDomains(m: RecipeMachine, withLevel = false): SyscallRun[] {
  const out: SyscallRun[] = [];
  for (let c = 0; c < m.nrCpus; c++) {
    const s = m.sibling(c);
    if (s >= 0) out.push({ prog: "enable_sibling_cpu", ctx: withLevel ? s32Ctx(0, c, s) : s32Ctx(c, s), cpu: 0 });
  }
  return out;
}

/** cpu_capacity[cpu] (1024 = biggest) and, with `withOrder`, preferred_cpus[] biggest first. */
export function capacities(m: RecipeMachine, withOrder: boolean): [string, number][] {
  const out: [string, number][] = [];
  cpusByCapacity(m).forEach((c, i) => {
    out.push([`cpu_capacity[${c}]`, m.capacity(c)]);
    if (withOrder) out.push([`preferred_cpus[${i}]`, c]);
  });
  return out;
}

const smtOn = (m: RecipeMachine, o: RecipeOptions, off: string): boolean => hasSmt(m) && !o.bool(off);
const numaOn = (m: RecipeMachine, o: RecipeOptions): boolean => m.nrNodes > 1 && !o.bool("disable_numa");

export const bpflandRecipe: LoaderRecipe = {
  ops: "bpfland",
  source: "sched-ext/scx scheds/rust/scx_bpfland/src/main.rs",
  options: {
    slice_us: us(1000, "maximum slice (-s)"), slice_min_us: us(0, "minimum slice (-L)"), slice_us_lag: us(40000, "vruntime lag bound (-l)"),
    throttle_us: us(0, "idle injection per slice (-t)"), local_pcpu: flag("per-CPU tasks dispatched locally"), local_kthreads: flag("per-CPU kthreads dispatched locally"),
    no_wake_sync: flag("ignore WF_SYNC"), sticky_tasks: flag("keep tasks on their CPU"), primary_domain: { default: "auto", help: "primary CPUs (-m)" },
    preferred_idle_scan: flag("scan idle CPUs by capacity"), disable_smt: flag("no SMT awareness"), disable_numa: flag("no NUMA awareness"),
  },
  plan: (m, o) => {
    const smt = smtOn(m, o, "disable_smt"), numa = numaOn(m, o);
    const dom = primaryDomain(m, o.str("primary_domain"), true);
    return {
      rodata: [
        ["smt_enabled", smt], ["numa_enabled", numa], ["local_pcpu", o.bool("local_pcpu")], ["no_wake_sync", o.bool("no_wake_sync")],
        ["sticky_tasks", o.bool("sticky_tasks")], ["slice_max", o.num("slice_us") * 1000], ["slice_min", o.num("slice_min_us") * 1000],
        ["slice_lag", o.num("slice_us_lag") * 1000], ["throttle_ns", o.num("throttle_us") * 1000], ["primary_all", dom.cpus.length === m.nrCpus],
        ...capacities(m, true), ["preferred_idle_scan", o.bool("preferred_idle_scan")],
        ["local_kthreads", o.bool("local_kthreads") || o.num("throttle_us") > 0],
      ],
      flags: OPS.ENQ_EXITING | OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | OPS.ALLOW_QUEUED_WAKEUP | (numa ? OPS.BUILTIN_IDLE_PER_NODE : 0),
      syscalls: [...dom.runs, ...(smt ? smtDomains(m) : [])],
    };
  },
};

export const flashRecipe: LoaderRecipe = {
  ops: "flash",
  source: "sched-ext/scx scheds/rust/scx_flash/src/main.rs",
  options: {
    slice_us: us(700, "maximum slice (-s)"), slice_us_lag: us(20000, "vruntime lag bound (-l)"), throttle_us: us(0, "idle injection (-t)"),
    tickless: flag("infinite slices when not contended"), rr_sched: flag("round robin"), wakeup_throttle: flag("throttle wakeups"),
    primary_domain: { default: "auto", help: "primary CPUs (-m)" }, disable_smt: flag("no SMT awareness"), disable_numa: flag("no NUMA awareness"),
  },
  plan: (m, o) => {
    const smt = smtOn(m, o, "disable_smt"), numa = numaOn(m, o);
    const dom = primaryDomain(m, o.str("primary_domain"), true);
    return {
      rodata: [
        ["smt_enabled", smt], ["numa_disabled", !numa], ["rr_sched", o.bool("rr_sched")], ["wakeup_throttle", o.bool("wakeup_throttle")],
        ["tickless_sched", o.bool("tickless")], ["slice_max", o.num("slice_us") * 1000], ["slice_lag", o.num("slice_us_lag") * 1000],
        ["throttle_ns", o.num("throttle_us") * 1000], ["primary_all", dom.cpus.length === m.nrCpus],
      ],
      flags: OPS.ENQ_EXITING | OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | OPS.ALLOW_QUEUED_WAKEUP | (numa ? OPS.BUILTIN_IDLE_PER_NODE : 0),
      syscalls: [...dom.runs, ...(smt ? smtDomains(m, true) : [])],
    };
  },
};

export const beerlandRecipe: LoaderRecipe = {
  ops: "beerland",
  source: "sched-ext/scx scheds/rust/scx_beerland/src/main.rs",
  options: {
    slice_us: us(1000, "slice (-s)"), slice_us_lag: us(20000, "vruntime lag bound (-l)"), cpu_busy_thresh: us(0, "busy CPU filter in % (-c)"),
    primary_domain: { default: "all", help: "primary CPUs" }, disable_smt: flag("no SMT awareness"), disable_numa: flag("no NUMA awareness"),
  },
  plan: (m, o) => {
    const smt = smtOn(m, o, "disable_smt"), numa = numaOn(m, o);
    const dom = primaryDomain(m, o.str("primary_domain"), false);
    const busy = Math.min(o.num("cpu_busy_thresh"), 100);
    const partial = dom.cpus.length < m.nrCpus;
    return {
      rodata: [
        ["slice_ns", o.num("slice_us") * 1000], ["slice_lag", o.num("slice_us_lag") * 1000], ["smt_enabled", smt], ["numa_enabled", numa],
        ["busy_threshold", Math.floor((busy * 1024) / 100)], ["primary_all", !partial], ...capacities(m, false),
      ],
      flags: OPS.ENQ_EXITING | OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | OPS.ALLOW_QUEUED_WAKEUP | (numa ? OPS.BUILTIN_IDLE_PER_NODE : 0),
      syscalls: [...(smt ? smtDomains(m) : []), ...(partial ? dom.runs : [])],
    };
  },
};

export const ticklessRecipe: LoaderRecipe = {
  ops: "tickless",
  source: "sched-ext/scx scheds/rust/scx_tickless/src/main.rs",
  options: {
    primary_domain: { default: "0", help: "primary CPUs as a hex mask (-m; empty: the last CPU by capacity)" },
    slice_us: us(20000, "slice (-s)"), frequency: us(0, "tick frequency (-f; 0 = CONFIG_HZ)"), nosmt: flag("no SMT awareness"),
  },
  plan: (m, o) => {
    const smt = hasSmt(m) && !o.bool("nosmt");
    const order = cpusByCapacity(m);
    const text = o.str("primary_domain");
    let dom = /^[0-9a-fA-F]+$/.test(text) ? cpuList(`0x${text}`, m) : cpuList(text, m);
    if (dom === undefined) throw new RecipeError(`option primary_domain: "${text}" is not a hex CPU mask or a CPU list`);
    if (dom.length === 0) dom = [order[order.length - 1]!];
    const timerCpu = dom[0]!;
    return {
      rodata: [["smt_enabled", smt], ["nr_cpu_ids", m.nrCpus], ["slice_ns", o.num("slice_us") * 1000], ["tick_freq", o.num("frequency")],
        ...order.map((c, i) => [`preferred_cpus[${i}]`, c] as [string, number])],
      flags: OPS.ENQ_LAST | OPS.ENQ_MIGRATION_DISABLED | OPS.ALLOW_QUEUED_WAKEUP,
      syscalls: [
        ...[-1, ...dom].map((c) => ({ prog: "enable_primary_cpu", ctx: s32Ctx(c), cpu: timerCpu })),
        { prog: "start_timer", ctx: s32Ctx(timerCpu), cpu: timerCpu, afterAttach: true },
      ],
    };
  },
};
