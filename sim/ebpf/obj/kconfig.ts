/**
 * The `.kconfig` externs programs may declare, and the values scxlab's kernel has. The kernel
 * version is the one the whole model follows, Linux 6.19 (sim/ext/kernel_abi.ts says why), so
 * scx's __COMPAT_ helpers take the paths they take on 6.19 (a DSQ peek through the iterator:
 * their scx_bpf_dsq_peek path waits for 7.1). Built with sched_ext, SMP, SMT and NUMA, NR_CPUS
 * equal to the kernel model's cpumask width, and CONFIG_HZ the run's tick rate (`--hz`), so a
 * program that converts jiffies sees the ticks the machine takes. A weak extern we do not know
 * reads as 0 (as libbpf does); a strong one is refused at load.
 */
import { MODEL_NR_CPUS } from "./kernel_btf.js";
import { MODELLED_LINUX } from "../../ext/kernel_abi.js";

/** KERNEL_VERSION(6, 19, 0): the modelled kernel (MODELLED_LINUX in kernel_abi.ts). */
export const MODEL_KERNEL_VERSION = (MODELLED_LINUX.major << 16) | (MODELLED_LINUX.minor << 8);

/** A kconfig value: "y"/"n"/"m" for bool and tristate options, numbers for int options, strings for string options. */
export type KconfigValue = "y" | "n" | "m" | number | string;

/** The options that do not depend on the run. */
const FIXED: ReadonlyMap<string, KconfigValue> = new Map<string, KconfigValue>([
  ["LINUX_KERNEL_VERSION", MODEL_KERNEL_VERSION],
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

/** The kernel configuration of a machine ticking `hz` times a second (one of the CONFIG_HZ_* choices). */
export function kernelConfig(hz: number): ReadonlyMap<string, KconfigValue> {
  return new Map<string, KconfigValue>([...FIXED, ["CONFIG_HZ", hz], [`CONFIG_HZ_${hz}`, "y"]]);
}
