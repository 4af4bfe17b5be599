/* eng_link_main: the main half of a two-object scheduler, taking scx_cosmos's ops name so that
 * scxlab's cosmos recipe prepares it: it declares the .rodata the recipe writes, the CPU → node
 * map the recipe fills and the two SEC("syscall") programs it runs (recording what they were
 * given), and calls lib_count() from the library object it is linked with. */
#include "eng_scx.h"

#define MAX_CPUS 64
#define BPF_MAP_TYPE_HASH 1

const volatile bool primary_all = true, flat_idle_scan, smt_enabled = true, preferred_idle_scan, all_cpus_same_capacity;
const volatile bool cpufreq_enabled = true, numa_enabled, gpu_enabled = true, mm_affinity, time_preemption, no_wake_sync, no_early_clear;
const volatile u64 preferred_cpus[MAX_CPUS], cpu_capacity[MAX_CPUS];
const volatile u64 perf_config, perf_sticky, slice_ns = 1, slice_lag = 1, busy_threshold;
const volatile u32 nr_node_ids;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_CPUS);
	__type(key, u32);
	__type(value, u32);
} cpu_node_map SEC(".maps");

struct cpu_arg { s32 cpu_id; };
struct domain_arg { s32 cpu_id; s32 sibling_cpu_id; };
struct mm_struct;
struct task_struct___mm { struct mm_struct *mm; } CORE; /* a flavor: CO-RE matches task_struct */

extern int lib_count(struct task_struct *p);

u64 nr_primary, primary_mask, nr_sibling, nr_no_sibling, node_sum, nodes_found, nr_lib, nr_mm, slice_seen;
s32 sibling_of[MAX_CPUS];

SEC("syscall") int enable_primary_cpu(struct cpu_arg *a)
{
	nr_primary++;
	if (a->cpu_id >= 0 && a->cpu_id < 64)
		primary_mask |= 1ULL << a->cpu_id;
	return 0;
}

SEC("syscall") int enable_sibling_cpu(struct domain_arg *a)
{
	nr_sibling++;
	if (a->sibling_cpu_id < 0)
		nr_no_sibling++;
	if (a->cpu_id >= 0 && a->cpu_id < MAX_CPUS)
		sibling_of[a->cpu_id] = a->sibling_cpu_id;
	return 0;
}

OPS(link_enqueue) int link_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);

	nr_lib = lib_count(p);
	if (((struct task_struct___mm *)p)->mm)
		nr_mm++;
	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, slice_ns, 0);
	return 0;
}

OPS(link_init) int link_init(u64 *ctx)
{
	u32 cpu, *node;

	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		node = bpf_map_lookup_elem(&cpu_node_map, &cpu);
		if (node) {
			nodes_found++;
			node_sum += *node;
		}
	}
	slice_seen = slice_ns;
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops link_ops = {
	.enqueue = (cb)link_enqueue,
	.init = (cb)link_init,
	.name = "cosmos",
};
