/**
 * Recipes for the kernel's sample schedulers (tools/sched_ext/scx_*.c), from their main():
 * the `.rodata` each writes before load, the arrays it resizes to the CPU count, and the
 * getopt flags, named here by what they set.
 */
import { OPS, SCX_SLICE_DFL_NS, type LoaderRecipe, RecipeError } from "./recipe.js";

const sliceUs = { default: String(SCX_SLICE_DFL_NS / 1000), help: "slice in µs (-s)" };

export const simpleRecipe: LoaderRecipe = {
  ops: "simple",
  source: "tools/sched_ext/scx_simple.c",
  options: { fifo: { default: "false", help: "FIFO instead of weighted vtime (-f)" } },
  plan: (_m, o) => ({ rodata: [["fifo_sched", o.bool("fifo")]] }),
};

export const qmapRecipe: LoaderRecipe = {
  ops: "qmap",
  source: "tools/sched_ext/scx_qmap.c",
  options: {
    slice_us: sliceUs,
    partial: { default: "false", help: "only SCHED_EXT tasks (-p: SCX_OPS_SWITCH_PARTIAL)" },
  },
  plan: (_m, o) => ({
    rodata: [["slice_ns", o.num("slice_us") * 1000]],
    ...(o.bool("partial") ? { flags: OPS.SWITCH_PARTIAL } : {}),
  }),
};

export const centralRecipe: LoaderRecipe = {
  ops: "central",
  source: "tools/sched_ext/scx_central.c",
  options: { slice_us: sliceUs, central_cpu: { default: "0", help: "the CPU that makes every decision (-c)" } },
  plan: (m, o) => {
    const central = o.num("central_cpu");
    if (central >= m.nrCpus) throw new RecipeError(`option central_cpu: CPU ${central} is beyond the machine's ${m.nrCpus} CPUs`);
    return {
      // RESIZE_ARRAY(skel, data, ..., nr_cpu_ids): one slot per CPU of this machine.
      resize: [["cpu_gimme_task", m.nrCpus], ["cpu_started_at", m.nrCpus]],
      rodata: [["central_cpu", central], ["nr_cpu_ids", m.nrCpus], ["slice_ns", o.num("slice_us") * 1000]],
    };
  },
};

export const flatcgRecipe: LoaderRecipe = {
  ops: "flatcg",
  source: "tools/sched_ext/scx_flatcg.c",
  options: { slice_us: sliceUs, fifo: { default: "false", help: "FIFO within a cgroup (-f)" } },
  plan: (m, o) => ({
    rodata: [["nr_cpus", m.nrCpus], ["cgrp_slice_ns", o.num("slice_us") * 1000], ["fifo_sched", o.bool("fifo")]],
  }),
};

/** scx_nest.c's SAMPLING_CADENCE_S. */
const NEST_SAMPLING_S = 2;

export const nestRecipe: LoaderRecipe = {
  ops: "nest",
  source: "tools/sched_ext/scx_nest.c",
  options: {
    slice_us: sliceUs,
    delay_us: { default: "", help: "delay before a core leaves the primary nest (-d; compiled default when empty)" },
    max_reserved: { default: "", help: "reserved-nest size (-m)" },
    impatient: { default: "", help: "failed primary-nest picks before a task grows the nest (-i)" },
    find_fully_idle: { default: "false", help: "prefer fully idle cores (-I)" },
  },
  plan: (m, o) => ({
    rodata: [
      ["nr_cpus", m.nrCpus],
      ["sampling_cadence_ns", NEST_SAMPLING_S * 1_000_000_000],
      ["slice_ns", o.num("slice_us") * 1000],
      ...(o.str("delay_us") !== "" ? [["p_remove_ns", o.num("delay_us") * 1000] as const] : []),
      ...(o.str("max_reserved") !== "" ? [["r_max", o.num("max_reserved")] as const] : []),
      ...(o.str("impatient") !== "" ? [["r_impatient", o.num("impatient")] as const] : []),
      ...(o.bool("find_fully_idle") ? [["find_fully_idle", true] as const] : []),
    ],
  }),
};
