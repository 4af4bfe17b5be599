/**
 * The `.kconfig` externs programs may declare, and the values scxlab's kernel has. The kernel
 * version is the one the whole model follows, Linux 6.19 (sim/ext/kernel_abi.ts says why), so
 * scx's __COMPAT_ helpers take the paths they take on 6.19 (a DSQ peek through the iterator:
 * their scx_bpf_dsq_peek path waits for 7.1). Built with sched_ext, SMP, SMT and NUMA at
 * HZ=1000 and NR_CPUS equal to the kernel model's cpumask width. A weak extern we do not know reads as 0 (as libbpf does); a strong one is
 * refused at load.
 */
import { MODEL_NR_CPUS } from "./kernel_btf.js";
import { MODELLED_LINUX } from "../../ext/kernel_abi.js";

/** KERNEL_VERSION(6, 19, 0): the modelled kernel (MODELLED_LINUX in kernel_abi.ts). */
export const MODEL_KERNEL_VERSION = (MODELLED_LINUX.major << 16) | (MODELLED_LINUX.minor << 8);

/** Values: "y"/"n"/"m" for bool and tristate options, numbers for int options, strings for string options. */
export const KCONFIG: ReadonlyMap<string, "y" | "n" | "m" | number | string> = new Map<string, "y" | "n" | "m" | number | string>([
  ["LINUX_KERNEL_VERSION", MODEL_KERNEL_VERSION],
  ["CONFIG_HZ", 1000],
  ["CONFIG_HZ_1000", "y"],
  ["CONFIG_NR_CPUS", MODEL_NR_CPUS],
  ["CONFIG_SMP", "y"],
  ["CONFIG_SCHED_SMT", "y"],
  ["CONFIG_NUMA", "y"],
  ["CONFIG_SCHED_CLASS_EXT", "y"],
  ["CONFIG_BPF", "y"],
  ["CONFIG_BPF_SYSCALL", "y"],
  ["CONFIG_BPF_JIT", "y"],
  ["CONFIG_CGROUPS", "y"],
  ["CONFIG_EXT_GROUP_SCHED", "y"],
  ["CONFIG_FAIR_GROUP_SCHED", "y"],
  ["CONFIG_SCHED_CORE", "n"],
  ["CONFIG_PREEMPT", "n"],
  ["CONFIG_PREEMPT_DYNAMIC", "n"],
]);
