/*
 * Test program (ours): reads the per-CPU kernel variables that carry the LLC topology the way
 * scx/percpu.bpf.h does (the address tested for NULL, then bpf_per_cpu_ptr per CPU), records
 * what each CPU's copy holds, and checks bpf_this_cpu_ptr against the running CPU's copy.
 * With -DBAD_TYPE it declares sd_llc_id with the wrong type, which the loader must refuse.
 */
#include "eng_scx.h"

#define MAX_CPUS 64

#ifdef BAD_TYPE
extern long sd_llc_id __ksym __attribute__((weak));
#else
extern int sd_llc_id __ksym __attribute__((weak));
#endif
extern int sd_llc_size __ksym;
static void *(*bpf_per_cpu_ptr)(const void *percpu_ptr, u32 cpu) = (void *)153;
static void *(*bpf_this_cpu_ptr)(const void *percpu_ptr) = (void *)154;

s32 llc_id[MAX_CPUS], llc_size[MAX_CPUS];
u64 nr_null_beyond, nr_this_cpu_match, nr_this_cpu_miss, nr_absent;

OPS(pc_enqueue) int pc_enqueue(u64 *ctx)
{
	scx_bpf_dsq_insert(ARG(0, struct task_struct *), SCX_DSQ_GLOBAL, SCX_SLICE_DFL, ARG(1, u64));
	return 0;
}

OPS(pc_running) int pc_running(u64 *ctx)
{
	u32 cpu = bpf_get_smp_processor_id();
	int *here = bpf_this_cpu_ptr(&sd_llc_id), *there = bpf_per_cpu_ptr(&sd_llc_id, cpu);

	if (here && here == there)
		nr_this_cpu_match++;
	else
		nr_this_cpu_miss++;
	return 0;
}

OPS(pc_init) int pc_init(u64 *ctx)
{
	u32 cpu;

	if (!&sd_llc_id) {
		nr_absent++;
		return 0;
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		int *id = bpf_per_cpu_ptr(&sd_llc_id, cpu), *size = bpf_per_cpu_ptr(&sd_llc_size, cpu);

		if (!id || !size) {
			nr_null_beyond++;
			continue;
		}
		llc_id[cpu] = *id;
		llc_size[cpu] = *size;
	}
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops pc_ops = {
	.enqueue = (cb)pc_enqueue,
	.running = (cb)pc_running,
	.init = (cb)pc_init,
	.name = "eng_percpu",
};

char _license[] SEC("license") = "GPL";
