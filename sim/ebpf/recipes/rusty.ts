/**
 * scx_rusty (sched-ext/scx scheds/rust/scx_rusty/src/main.rs, Scheduler::init). Its object is
 * main.bpf.c linked with its own sdt_task/sdt_alloc (build.rs). Before load the loader writes
 * the domains into `.rodata`: one domain per LLC (the default --cache-level 3), each CPU's
 * domain, each domain's CPU mask and NUMA node, each node's mask, and the options; `.bss`
 * slice_ns starts at SCX_SLICE_DFL. While the scheduler runs, the tuner (tuner.rs) is a periodic
 * step every --tune-interval: each CPU's utilisation since the last step from its busy time
 * (/proc/stat), the domains under --direct-greedy-under and --kick-greedy-under into the greedy
 * CPU masks of `tune_input`, the slice -o when the average reaches 0.99999 and -u otherwise, and
 * a new generation number, which the BPF side picks up at its next select_cpu, enqueue or
 * dispatch. Not modelled: the load balancer (load_balance.rs every --interval, 2 s: it reads the
 * domains' and tasks' load averages and writes task migrations into lb_data), so no periodic
 * balancing between domains happens (a flat machine has one domain, where it has nothing to
 * do); --cpumasks domains, --partial and the perf governor option are refused.
 */
import { kernelValue } from "../../ext/kernel_abi.js";
import type { RodataValue } from "../obj/rodata.js";
import { RecipeError, type LoaderRecipe, type PeriodicIo, type PeriodicStep, type RecipeMachine, type RecipeOptions } from "./recipe.js";

const flag = (help: string) => ({ default: "false", help });
const num = (d: number | string, help: string) => ({ default: String(d), help });

/** One domain per LLC, numbered by LLC; each LLC's NUMA node. */
function domains(m: RecipeMachine): { cpus: number[][]; node: number[] } {
  const cpus: number[][] = Array.from({ length: m.nrLlcs }, () => []);
  const node = new Array<number>(m.nrLlcs).fill(0);
  for (let c = 0; c < m.nrCpus; c++) {
    cpus[m.llc(c)]!.push(c);
    node[m.llc(c)] = m.node(c);
  }
  return { cpus, node };
}

/** A real-valued option (the Rust side's f64), checked by `ok`. */
function real(o: RecipeOptions, name: string, what: string, ok: (x: number) => boolean): number {
  const text = o.str(name).trim(), x = Number(text);
  if (text === "" || !Number.isFinite(x) || !ok(x)) throw new RecipeError(`option ${name}: "${text}" is not ${what}`);
  return x;
}

/** The tuner's "fully utilised" threshold on the machine's average utilisation. */
const FULLY_UTILIZED = 0.99999;

/**
 * tuner.rs's Tuner::step, every `intervalNs`: utilisation per CPU since the previous step (each
 * clamped to 0..1), averaged per domain and over the machine; greedy masks from the per-domain
 * averages (a threshold above 0.99999 means always), the slice from the machine's.
 */
function tuner(m: RecipeMachine, doms: readonly number[][], intervalNs: number, directUnder: number, kickUnder: number, underNs: number, overNs: number): PeriodicStep {
  const prevBusy = new Float64Array(m.nrCpus);
  let prevAt = 0, gen = 0;
  const sample = (io: PeriodicIo): void => {
    for (let c = 0; c < m.nrCpus; c++) prevBusy[c] = io.cpuBusyNs(c);
    prevAt = io.now();
  };
  return {
    intervalNs,
    // Tuner::new reads /proc/stat once: the first step measures from attach.
    start: sample,
    step: (io) => {
      const span = io.now() - prevAt;
      let sum = 0;
      const direct: number[] = [], kick: number[] = [];
      for (const cpus of doms) {
        let s = 0;
        for (const c of cpus) s += span > 0 ? Math.min(1, Math.max(0, io.cpuBusyNs(c) - prevBusy[c]!) / span) : 1;
        sum += s;
        const u = cpus.length === 0 ? 0 : s / cpus.length;
        if (directUnder > FULLY_UTILIZED || u < directUnder) direct.push(...cpus);
        if (kickUnder > FULLY_UTILIZED || u < kickUnder) kick.push(...cpus);
      }
      sample(io);
      words(direct, m.nrCpus).forEach((w, i) => io.writeData(`tune_input.direct_greedy_cpumask[${i}]`, w));
      words(kick, m.nrCpus).forEach((w, i) => io.writeData(`tune_input.kick_greedy_cpumask[${i}]`, w));
      io.writeData("tune_input.slice_ns", sum / m.nrCpus >= FULLY_UTILIZED ? overNs : underNs);
      io.writeData("tune_input.genn", ++gen);
    },
  };
}

function words(cpus: readonly number[], n: number): bigint[] {
  const w = new Array<bigint>(Math.ceil(n / 64)).fill(0n);
  for (const c of cpus) w[c >> 6] = w[c >> 6]! | (1n << BigInt(c & 63));
  return w;
}

export const rustyRecipe: LoaderRecipe = {
  ops: "rusty",
  source: "sched-ext/scx scheds/rust/scx_rusty/src/main.rs (7a58a3a)",
  options: {
    slice_us_underutil: num(20000, "slice when not fully utilised (-u)"),
    slice_us_overutil: num(1000, "slice when fully utilised (-o)"),
    tune_interval: num("0.1", "tuner period in seconds (-I)"),
    direct_greedy_under: num("90.0", "domains under this utilisation % take remote wakeups directly (-D; 0 off, 100 always)"),
    kick_greedy_under: num("100.0", "idle CPUs of domains under this utilisation % are kicked to steal (-K; 0 off, 100 always)"),
    load_half_life: num("1.0", "load half-life in seconds (-l)"),
    cache_level: num(3, "domains per cache level (-c; 3: one per LLC, the only one here)"),
    greedy_threshold: num(1, "queued tasks before greedy stealing (-g)"),
    greedy_threshold_x_numa: num(0, "the same across NUMA nodes"),
    kthreads_local: flag("kthreads dispatched locally (-k)"),
    fifo_sched: flag("FIFO instead of weighted vtime (-f)"),
    direct_greedy_numa: flag("direct greedy dispatch across nodes"),
    mempolicy_affinity: flag("follow tasks' NUMA memory policies (none exist here)"),
    perf: num(0, "CPU performance governor setting (0 only here)"),
    partial: flag("only SCHED_EXT tasks (refused here)"),
  },
  plan: (m, o) => {
    if (o.num("cache_level") !== 3) throw new RecipeError("option cache_level: scxlab builds rusty's domains from LLCs only (3)");
    if (o.bool("partial")) throw new RecipeError("option partial: scxlab switches every task to sched_ext");
    if (o.num("perf") !== 0) throw new RecipeError("option perf: the cpufreq governor setting is not modelled (0 only)");
    const halfLife = real(o, "load_half_life", "a positive number of seconds", (x) => x > 0);
    const tuneS = real(o, "tune_interval", "a positive number of seconds", (x) => x > 0);
    const directUnder = real(o, "direct_greedy_under", "a percentage 0..100", (x) => x >= 0 && x <= 100);
    const kickUnder = real(o, "kick_greedy_under", "a percentage 0..100", (x) => x >= 0 && x <= 100);
    const dom = domains(m);
    const rodata: [string, RodataValue][] = [
      ["nr_nodes", m.nrNodes], ["nr_doms", dom.cpus.length], ["nr_cpu_ids", m.nrCpus],
    ];
    for (let c = 0; c < m.nrCpus; c++) rodata.push([`cpu_dom_id_map[${c}]`, m.llc(c)]);
    for (let n = 0; n < m.nrNodes; n++) {
      const cpus = Array.from({ length: m.nrCpus }, (_, c) => c).filter((c) => m.node(c) === n);
      words(cpus, m.nrCpus).forEach((w, i) => rodata.push([`numa_cpumasks[${n}][${i}]`, w]));
    }
    dom.cpus.forEach((cpus, d) => {
      words(cpus, m.nrCpus).forEach((w, i) => rodata.push([`dom_cpumasks[${d}][${i}]`, w]));
      rodata.push([`dom_numa_id_map[${d}]`, dom.node[d]!]);
    });
    rodata.push(
      ["load_half_life", Math.floor(halfLife * 1e9)], ["kthreads_local", o.bool("kthreads_local")],
      ["fifo_sched", o.bool("fifo_sched")], ["greedy_threshold", o.num("greedy_threshold")],
      ["greedy_threshold_x_numa", o.num("greedy_threshold_x_numa")], ["direct_greedy_numa", o.bool("direct_greedy_numa")],
      ["mempolicy_affinity", o.bool("mempolicy_affinity")], ["debug", 0], ["rusty_perf_mode", 0],
    );
    const tune = tuner(m, dom.cpus, Math.max(1, Math.round(tuneS * 1e9)), directUnder / 100, kickUnder / 100, 1000 * o.num("slice_us_underutil"), 1000 * o.num("slice_us_overutil"));
    return { rodata, data: [["slice_ns", Number(kernelValue("SCX_SLICE_DFL"))]], periodic: [tune] };
  },
};
