/*
 * Test program (ours): a global-FIFO scheduler that records what ops.cpu_release and
 * ops.cpu_acquire receive, to check the bridge from the simulator's callbacks to a compiled
 * object (struct scx_cpu_release_args: the reason, the task of the higher class).
 */
#include "eng_scx.h"

u64 nr_release, nr_acquire, last_reason, last_pid, last_cpu;

OPS(rel_enqueue) int rel_enqueue(u64 *ctx)
{
	scx_bpf_dsq_insert(ARG(0, struct task_struct *), SCX_DSQ_GLOBAL, SCX_SLICE_DFL, ARG(1, u64));
	return 0;
}

OPS(rel_cpu_release) int rel_cpu_release(u64 *ctx)
{
	struct scx_cpu_release_args *args = ARG(1, struct scx_cpu_release_args *);

	__sync_fetch_and_add(&nr_release, 1);
	last_cpu = ARG(0, s32);
	last_reason = args->reason;
	last_pid = args->task->pid;
	return 0;
}

OPS(rel_cpu_acquire) int rel_cpu_acquire(u64 *ctx)
{
	__sync_fetch_and_add(&nr_acquire, 1);
	return 0;
}

SEC(".struct_ops.link")
struct sched_ext_ops rel_ops = {
	.enqueue = (cb)rel_enqueue,
	.cpu_release = (cb)rel_cpu_release,
	.cpu_acquire = (cb)rel_cpu_acquire,
	.name = "eng_release",
};

char _license[] SEC("license") = "GPL";
