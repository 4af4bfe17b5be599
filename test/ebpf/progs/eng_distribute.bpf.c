/*
 * Test program (ours): bpf_cpumask_any_distribute and bpf_cpumask_any_and_distribute called in a
 * row from ops.init (on CPU 0), each answer kept in `out`, then again from ops.dispatch on the
 * first CPU other than 0 that dispatches, whose own memory starts afresh.
 */
#include "eng_scx.h"

void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *mask) __ksym;
u32 bpf_cpumask_any_distribute(const struct cpumask *mask) __ksym;
u32 bpf_cpumask_any_and_distribute(const struct cpumask *a, const struct cpumask *b) __ksym;

u64 out[8], other_cpu_first, other_cpu;

OPS(d_init) int d_init(u64 *ctx)
{
	struct bpf_cpumask *a, *b;

	a = bpf_cpumask_create();
	if (!a)
		return -1;
	b = bpf_cpumask_create();
	if (!b) {
		bpf_cpumask_release(a);
		return -1;
	}
	bpf_cpumask_set_cpu(1, a);
	bpf_cpumask_set_cpu(3, a);
	bpf_cpumask_set_cpu(0, b);
	bpf_cpumask_set_cpu(3, b);
	out[0] = bpf_cpumask_any_distribute(&a->cpumask);
	out[1] = bpf_cpumask_any_distribute(&a->cpumask);
	out[2] = bpf_cpumask_any_distribute(&a->cpumask);
	out[3] = bpf_cpumask_any_and_distribute(&a->cpumask, &b->cpumask);
	bpf_cpumask_clear_cpu(3, b);
	out[4] = bpf_cpumask_any_and_distribute(&a->cpumask, &b->cpumask);
	out[5] = bpf_cpumask_any_distribute(&a->cpumask);
	bpf_cpumask_release(a);
	bpf_cpumask_release(b);
	return 0;
}

OPS(d_dispatch) int d_dispatch(u64 *ctx)
{
	s32 cpu = ARG(0, s32);
	struct bpf_cpumask *a;

	if (cpu == 0 || other_cpu)
		return 0;
	a = bpf_cpumask_create();
	if (!a)
		return 0;
	bpf_cpumask_set_cpu(0, a);
	bpf_cpumask_set_cpu(1, a);
	bpf_cpumask_set_cpu(3, a);
	other_cpu = cpu;
	other_cpu_first = bpf_cpumask_any_distribute(&a->cpumask);
	bpf_cpumask_release(a);
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops d_ops = {
	.init = (cb)d_init,
	.dispatch = (cb)d_dispatch,
	.name = "eng_distribute",
};

char _license[] SEC("license") = "GPL";
