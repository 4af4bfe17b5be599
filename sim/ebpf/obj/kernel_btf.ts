/**
 * scxlab's kernel type model: the target BTF that CO-RE relocations are resolved against. It
 * describes only what sched_ext programs read (task_struct and its sched_ext_entity, cpumask,
 * cgroup, rq, the ops argument structs, sched_ext_ops itself and the sched_ext enums), at layouts
 * of our choosing: C's natural layout of the members listed here, in this order. The glue that
 * mirrors simulator objects into BpfMemory uses `kernelField()` to find where to write.
 *
 * Enum values are the kernel's (the ABI programs are compiled against), not sim/ext's scaled ones.
 */
import { BtfBuilder, type MemberDecl } from "./btf_builder.js";
import type { Btf } from "./btf_types.js";
import { fail } from "./errors.js";
import { SCX_ABI } from "../../ext/kernel_abi.js";

/** CPUs a cpumask can hold in the model (the kernel's NR_CPUS). */
export const MODEL_NR_CPUS = 256;

/** sched_ext_ops callbacks, in the kernel's member order. */
export const SCX_OPS_CALLBACKS = [
  "select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable", "running", "stopping", "quiescent",
  "yield", "core_sched_before", "set_weight", "set_cpumask", "update_idle", "cpu_acquire", "cpu_release",
  "init_task", "exit_task", "enable", "disable", "dump", "dump_cpu", "dump_task", "cgroup_init",
  "cgroup_exit", "cgroup_prep_move", "cgroup_move", "cgroup_cancel_move", "cgroup_set_weight",
  "cpu_online", "cpu_offline", "init", "exit",
] as const;

/** The sched_ext enums programs may read through CO-RE (enum name, width, values): sim/ext's one table. */
export const KERNEL_ENUMS: readonly { name: string; size: 4 | 8; values: readonly { name: string; value: bigint }[] }[] =
  SCX_ABI.map((en) => ({ name: en.name, size: en.size, values: en.values.filter((v) => v.btf).map((v) => ({ name: v.name, value: v.kernel })) }));

function buildKernelBtf(): Btf {
  const b = new BtfBuilder();
  const char = b.int("char", 1, true, "char");
  const bool = b.int("_Bool", 1, false, "bool");
  const int = b.int("int", 4, true);
  const uint = b.int("unsigned int", 4, false);
  const ushort = b.int("unsigned short", 2, false);
  const ulong = b.int("long unsigned int", 8, false);
  const ull = b.int("long long unsigned int", 8, false);
  const sll = b.int("long long int", 8, true);
  const u32 = b.typedef("u32", uint);
  const s32 = b.typedef("s32", int);
  const u64 = b.typedef("u64", ull);
  const s64 = b.typedef("s64", sll);
  const pid_t = b.typedef("pid_t", b.typedef("__kernel_pid_t", int));
  const atomic_long = b.typedef("atomic_long_t", b.typedef("atomic64_t", b.struct("", [["counter", s64]])));
  const arr = (elem: number, n: number): number => b.array(elem, n, int);

  const task = b.reserve();
  const cgroup = b.reserve();
  const taskP = b.ptr(task);

  const cpumask = b.struct("cpumask", [["bits", arr(ulong, MODEL_NR_CPUS / 64)]]);
  const cpumask_t = b.typedef("cpumask_t", cpumask);
  b.struct("bpf_cpumask", [["cpumask", cpumask_t], ["usage", b.typedef("refcount_t", b.struct("refcount_struct", [["refs", int]]))]]);

  const dsq = b.struct("scx_dispatch_q", [["id", u64], ["nr", u32], ["seq", u32]]);
  const scxEntity = b.struct("sched_ext_entity", [
    ["dsq", b.ptr(dsq)], ["dsq_seq", u32], ["dsq_flags", u32], ["flags", u32], ["weight", u32], ["sticky_cpu", s32],
    ["holding_cpu", s32], ["selected_cpu", s32], ["kf_mask", u32], ["ops_state", atomic_long], ["runnable_at", ulong],
    ["core_sched_at", u64], ["ddsp_dsq_id", u64], ["ddsp_enq_flags", u64], ["slice", u64], ["dsq_vtime", u64], ["disallow", bool],
  ]);
  const loadWeight = b.struct("load_weight", [["weight", ulong], ["inv_weight", u32]]);
  const se = b.struct("sched_entity", [
    ["load", loadWeight], ["exec_start", u64], ["sum_exec_runtime", u64], ["vruntime", u64], ["prev_sum_exec_runtime", u64],
  ]);
  const taskMembers: MemberDecl[] = [
    ["__state", uint], ["flags", uint], ["on_cpu", int], ["wake_cpu", int], ["on_rq", int], ["prio", int], ["static_prio", int],
    ["normal_prio", int], ["rt_priority", uint], ["se", se], ["scx", scxEntity], ["policy", uint], ["nr_cpus_allowed", int],
    ["cpus_ptr", b.ptr(b.constOf(cpumask_t))], ["cpus_mask", cpumask_t], ["migration_disabled", ushort], ["pid", pid_t],
    ["tgid", pid_t], ["real_parent", taskP], ["group_leader", taskP], ["mm", b.ptr(b.struct("mm_struct", []))], ["nvcsw", ulong], ["nivcsw", ulong], ["start_time", u64],
    ["utime", u64], ["stime", u64],
    ["comm", arr(char, 16)],
  ];
  b.struct("task_struct", taskMembers, task);

  const kn = b.reserve();
  b.struct("kernfs_node", [["id", u64], ["parent", b.ptr(kn)], ["name", b.ptr(b.constOf(char))]], kn);
  b.struct("cgroup", [["flags", ulong], ["level", int], ["max_depth", int], ["kn", b.ptr(kn)], ["ancestors", arr(b.ptr(cgroup), 0)]], cgroup);

  const scxRq = b.struct("scx_rq", [["local_dsq", dsq], ["nr_running", u32], ["flags", u32], ["cpuperf_target", u32], ["cpu_released", bool]]);
  const rqMembers: MemberDecl[] = [
    ["nr_running", uint], ["cpu", int], ["clock", u64], ["clock_task", u64], ["curr", taskP], ["idle", taskP], ["scx", scxRq],
  ];
  const rq = b.struct("rq", rqMembers);

  const enumIds = new Map<string, number>();
  for (const en of KERNEL_ENUMS) enumIds.set(en.name, b.enumOf(en.name, en.size, en.values));

  const cgroupP = b.ptr(cgroup);
  b.struct("scx_init_task_args", [["fork", bool], ["cgroup", cgroupP]]);
  b.struct("scx_exit_task_args", [["cancelled", bool]]);
  b.struct("scx_cgroup_init_args", [["weight", u32]]);
  b.struct("scx_cpu_release_args", [["reason", enumIds.get("scx_cpu_preempt_reason")!], ["task", taskP]]);
  b.struct("scx_dump_ctx", [
    ["kind", enumIds.get("scx_exit_kind")!], ["exit_code", s64], ["reason", b.ptr(b.constOf(char))], ["at_ns", u64], ["at_jiffies", u64],
  ]);

  // What bpf_perf_event_read_value fills (a UAPI struct); no counter is ever installed here.
  b.struct("bpf_perf_event_value", [["counter", u64], ["enabled", u64], ["running", u64]]);
  b.struct("scx_bpf_select_cpu_and_args", [["prev_cpu", s32], ["wake_flags", u64], ["flags", u64]]);
  b.struct("scx_bpf_dsq_insert_vtime_args", [["dsq_id", u64], ["slice", u64], ["vtime", u64], ["enq_flags", u64]]);
  b.struct("scx_event_stats", [
    "SCX_EV_SELECT_CPU_FALLBACK", "SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE", "SCX_EV_DISPATCH_KEEP_LAST", "SCX_EV_ENQ_SKIP_EXITING",
    "SCX_EV_ENQ_SKIP_MIGRATION_DISABLED", "SCX_EV_REFILL_SLICE_DFL", "SCX_EV_BYPASS_DURATION", "SCX_EV_BYPASS_DISPATCH",
    "SCX_EV_BYPASS_ACTIVATE",
  ].map((n): MemberDecl => [n, s64]));
  b.struct("scx_exit_info", [
    ["kind", enumIds.get("scx_exit_kind")!], ["exit_code", s64], ["flags", u64], ["reason", b.ptr(b.constOf(char))],
    ["bt", b.ptr(ulong)], ["bt_len", u32], ["msg", b.ptr(char)], ["dump", b.ptr(char)],
  ]);

  const fnP = b.ptr(b.funcProto());
  const ops: MemberDecl[] = SCX_OPS_CALLBACKS.map((n): MemberDecl => [n, fnP]);
  ops.splice(SCX_OPS_CALLBACKS.indexOf("cpu_online"), 0, ["cgroup_set_bandwidth", fnP]);
  ops.push(["dispatch_max_batch", u32], ["flags", u64], ["timeout_ms", u32], ["exit_dump_len", u32], ["hotplug_seq", u64], ["name", arr(char, 128)]);
  b.struct("sched_ext_ops", ops);
  // Added last so that earlier type ids (bpf_core_type_id_kernel answers) stay as they were.
  // The arena spin lock of scx's headers keeps its word as an atomic_t.
  b.typedef("atomic_t", b.struct("", [["counter", int]]));
  // task_struct gains a last member, redefined in place so no earlier type id moves: no task has
  // a NUMA memory policy here (set_mempolicy is not modelled), so it is always NULL.
  const nodemask = b.typedef("nodemask_t", b.struct("", [["bits", arr(ulong, 16)]]));
  const mempolicy = b.struct("mempolicy", [["mode", ushort], ["flags", ushort], ["home_node", int], ["nodes", nodemask]]);
  b.struct("task_struct", [...taskMembers, ["mempolicy", b.ptr(mempolicy)]], task);
  // rq gains the PELT clock scx's scx_clock_pelt() reads (rq_clock_pelt: clock_pelt - lost_idle_time),
  // again in place. The per-CPU `runqueues` copies keep the clocks current (sim/ebpf/scx/rq_clocks.ts).
  b.struct("rq", [...rqMembers, ["clock_pelt", u64], ["lost_idle_time", ulong]], rq);
  // What a per-CPU cpufreq_cpu_data pointer would point at; every CPU's pointer is NULL here (percpu_ksyms.ts).
  const cpuinfo = b.struct("cpufreq_cpuinfo", [["max_freq", uint], ["min_freq", uint], ["transition_latency", uint]]);
  b.struct("cpufreq_policy", [["cpu", uint], ["cpuinfo", cpuinfo], ["min", uint], ["max", uint], ["cur", uint]]);
  return b.build("scxlab kernel BTF");
}

/** The kernel model, built once. */
export const KERNEL_BTF: Btf = buildKernelBtf();

/**
 * Where a member lives in the model: `kernelField("task_struct", "scx.dsq_vtime")`. For the glue
 * that fills kernel-object mirrors; throws when the model lacks the path (a bug in the caller).
 */
export function kernelField(struct: string, path: string): { offset: number; size: number } {
  const btf = KERNEL_BTF;
  let id = btf.find("struct", struct) ?? fail(`kernel model has no struct ${struct}`);
  let offset = 0;
  for (const name of path.split(".")) {
    const t = btf.resolved(id);
    if (t.kind !== "struct" && t.kind !== "union") fail(`kernel model: ${struct}.${path}: ${name} is not inside a struct`);
    const m = t.members.find((x) => x.name === name) ?? fail(`kernel model has no ${struct}.${path}`);
    offset += m.bitOffset / 8;
    id = m.type;
  }
  return { offset, size: btf.sizeOf(id) };
}

/** A sched_ext enum value of the model, e.g. `kernelEnumValue("SCX_DSQ_LOCAL")`. */
export function kernelEnumValue(name: string): bigint {
  for (const en of KERNEL_ENUMS) for (const v of en.values) if (v.name === name) return v.value;
  fail(`kernel model has no enum value ${name}`);
}
