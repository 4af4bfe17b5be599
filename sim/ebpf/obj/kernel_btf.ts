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

const B63 = 1n << 63n, B62 = 1n << 62n;
const e = (name: string, value: bigint | number): { name: string; value: bigint } => ({ name, value: BigInt(value) });

/** The sched_ext enums programs may read through CO-RE (enum name, width, values). */
export const KERNEL_ENUMS: readonly { name: string; size: 4 | 8; values: readonly { name: string; value: bigint }[] }[] = [
  { name: "scx_public_consts", size: 8, values: [e("SCX_OPS_NAME_LEN", 128), e("SCX_SLICE_DFL", 20_000_000), e("SCX_SLICE_INF", (1n << 64n) - 1n)] },
  { name: "scx_dsq_id_flags", size: 8, values: [
    e("SCX_DSQ_FLAG_BUILTIN", B63), e("SCX_DSQ_FLAG_LOCAL_ON", B62), e("SCX_DSQ_INVALID", B63), e("SCX_DSQ_GLOBAL", B63 | 1n),
    e("SCX_DSQ_LOCAL", B63 | 2n), e("SCX_DSQ_LOCAL_ON", B63 | B62), e("SCX_DSQ_LOCAL_CPU_MASK", 0xffffffffn)] },
  { name: "scx_enq_flags", size: 8, values: [
    e("SCX_ENQ_WAKEUP", 1), e("SCX_ENQ_HEAD", 1 << 4), e("SCX_ENQ_CPU_SELECTED", 1 << 10), e("SCX_ENQ_PREEMPT", 1n << 32n),
    e("SCX_ENQ_REENQ", 1n << 40n), e("SCX_ENQ_LAST", 1n << 41n), e("SCX_ENQ_CLEAR_OPSS", 1n << 56n), e("SCX_ENQ_DSQ_PRIQ", 1n << 57n)] },
  { name: "scx_deq_flags", size: 8, values: [e("SCX_DEQ_SLEEP", 1), e("SCX_DEQ_CORE_SCHED_EXEC", 1n << 32n)] },
  { name: "scx_kick_flags", size: 4, values: [e("SCX_KICK_IDLE", 1), e("SCX_KICK_PREEMPT", 2), e("SCX_KICK_WAIT", 4)] },
  { name: "scx_pick_idle_cpu_flags", size: 4, values: [e("SCX_PICK_IDLE_CORE", 1), e("SCX_PICK_IDLE_IN_NODE", 2)] },
  { name: "scx_wake_flags", size: 4, values: [e("SCX_WAKE_FORK", 4), e("SCX_WAKE_TTWU", 8), e("SCX_WAKE_SYNC", 16)] },
  { name: "scx_ops_flags", size: 8, values: [
    e("SCX_OPS_KEEP_BUILTIN_IDLE", 1), e("SCX_OPS_ENQ_LAST", 2), e("SCX_OPS_ENQ_EXITING", 4), e("SCX_OPS_SWITCH_PARTIAL", 8),
    e("SCX_OPS_ENQ_MIGRATION_DISABLED", 16), e("SCX_OPS_ALLOW_QUEUED_WAKEUP", 32), e("SCX_OPS_BUILTIN_IDLE_PER_NODE", 64),
    e("SCX_OPS_HAS_CGROUP_WEIGHT", 1 << 16)] },
  { name: "scx_exit_kind", size: 4, values: [
    e("SCX_EXIT_NONE", 0), e("SCX_EXIT_DONE", 1), e("SCX_EXIT_UNREG", 64), e("SCX_EXIT_UNREG_BPF", 65), e("SCX_EXIT_UNREG_KERN", 66),
    e("SCX_EXIT_SYSRQ", 67), e("SCX_EXIT_ERROR", 1024), e("SCX_EXIT_ERROR_BPF", 1025), e("SCX_EXIT_ERROR_STALL", 1026)] },
  { name: "scx_rq_flags", size: 4, values: [
    e("SCX_RQ_ONLINE", 1), e("SCX_RQ_CAN_STOP_TICK", 2), e("SCX_RQ_BAL_PENDING", 4), e("SCX_RQ_BAL_KEEP", 8), e("SCX_RQ_BYPASSING", 16),
    e("SCX_RQ_CLK_VALID", 32), e("SCX_RQ_BAL_CB_PENDING", 64), e("SCX_RQ_IN_WAKEUP", 1 << 16), e("SCX_RQ_IN_BALANCE", 1 << 17)] },
  { name: "scx_ent_flags", size: 4, values: [
    e("SCX_TASK_QUEUED", 1), e("SCX_TASK_RESET_RUNNABLE_AT", 4), e("SCX_TASK_DEQD_FOR_SLEEP", 8), e("SCX_TASK_STATE_SHIFT", 8),
    e("SCX_TASK_STATE_BITS", 2), e("SCX_TASK_STATE_MASK", 768), e("SCX_TASK_CURSOR", -(2 ** 31))] },
  { name: "scx_task_state", size: 4, values: [
    e("SCX_TASK_NONE", 0), e("SCX_TASK_INIT", 1), e("SCX_TASK_READY", 2), e("SCX_TASK_ENABLED", 3), e("SCX_TASK_NR_STATES", 4)] },
  { name: "scx_ent_dsq_flags", size: 4, values: [e("SCX_TASK_DSQ_ON_PRIQ", 1)] },
  { name: "scx_cpu_preempt_reason", size: 4, values: [
    e("SCX_CPU_PREEMPT_RT", 0), e("SCX_CPU_PREEMPT_DL", 1), e("SCX_CPU_PREEMPT_STOP", 2), e("SCX_CPU_PREEMPT_UNKNOWN", 3)] },
];

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
  b.struct("rq", [
    ["nr_running", uint], ["cpu", int], ["clock", u64], ["clock_task", u64], ["curr", taskP], ["idle", taskP], ["scx", scxRq],
  ]);

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
