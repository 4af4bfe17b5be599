/**
 * scx_rusty (sched-ext/scx scheds/rust/scx_rusty/src/main.rs, Scheduler::init). Its object is
 * main.bpf.c linked with its own sdt_task/sdt_alloc (build.rs). Before load the loader writes
 * the domains into `.rodata`: one domain per LLC (the default --cache-level 3), each CPU's
 * domain, each domain's CPU mask and NUMA node, each node's mask, and the options; `.bss`
 * slice_ns starts at SCX_SLICE_DFL. Not modelled: the user-space half that runs while the
 * scheduler does (tuner.rs every 100 ms: the slice between -u and -o and the direct/kick greedy
 * CPU masks from /proc/stat utilisation; load_balance.rs every 2 s: task migrations between
 * domains), so the object keeps the 20 ms slice and empty greedy masks, and no periodic load
 * balancing happens; --cpumasks domains, --partial and the perf governor option are refused.
 */
import { kernelValue } from "../../ext/kernel_abi.js";
import type { RodataValue } from "../obj/rodata.js";
import type { LoaderRecipe, RecipeMachine } from "./recipe.js";

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

function words(cpus: readonly number[], n: number): bigint[] {
  const w = new Array<bigint>(Math.ceil(n / 64)).fill(0n);
  for (const c of cpus) w[c >> 6] = w[c >> 6]! | (1n << BigInt(c & 63));
  return w;
}

export const rustyRecipe: LoaderRecipe = {
  ops: "rusty",
  source: "sched-ext/scx scheds/rust/scx_rusty/src/main.rs (7a58a3a)",
  options: {
    slice_us_underutil: num(20000, "slice when not fully utilised (-u; the tuner that applies it is not modelled)"),
    slice_us_overutil: num(1000, "slice when fully utilised (-o; not applied: no tuner)"),
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
    if (o.num("cache_level") !== 3) throw new Error("option cache_level: scxlab builds rusty's domains from LLCs only (3)");
    if (o.bool("partial")) throw new Error("option partial: scxlab switches every task to sched_ext");
    if (o.num("perf") !== 0) throw new Error("option perf: the cpufreq governor setting is not modelled (0 only)");
    const halfLife = Number(o.str("load_half_life"));
    if (!Number.isFinite(halfLife) || halfLife <= 0) throw new Error(`option load_half_life: "${o.str("load_half_life")}" is not a positive number of seconds`);
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
    return { rodata, data: [["slice_ns", Number(kernelValue("SCX_SLICE_DFL"))]] };
  },
};
