/* eng_kick: SCX_KICK_WAIT and SCX_DSQ_LOCAL_ON | cpu written as C writes them (the kernel's
 * numbers), for test/ebpf/kick_wait.test.ts. The light task (weight below 100) woken after the
 * start goes straight to CPU 1's local DSQ and CPU 1 is kicked with kick_flags; at every later
 * wakeup the pid CPU 1 runs is recorded under the wakee's pid. */
#include "eng_scx.h"

#define SHARED_DSQ 0
#define SCX_ENQ_WAKEUP 1ULL
#define SCX_KICK_PREEMPT 2ULL
#define SCX_KICK_WAIT 4ULL

struct task_struct *scx_bpf_cpu_curr(s32 cpu) __ksym;

const volatile u64 kick_flags = SCX_KICK_PREEMPT | SCX_KICK_WAIT;
u64 curr_of_cpu1[64];
u64 nr_kicks;

OPS(kick_select_cpu) int kick_select_cpu(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	struct task_struct *curr;

	if (scx_bpf_now() > 0) {
		curr = scx_bpf_cpu_curr(1);
		curr_of_cpu1[p->pid & 63] = curr ? curr->pid : 0;
	}
	return ARG(1, s32);
}

OPS(kick_enqueue) int kick_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 enq_flags = ARG(1, u64);

	if (p->scx.weight < 100 && (enq_flags & SCX_ENQ_WAKEUP) && scx_bpf_now() > 0) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | 1, SCX_SLICE_DFL, 0);
		scx_bpf_kick_cpu(1, kick_flags);
		__sync_fetch_and_add(&nr_kicks, 1);
		return 0;
	}
	scx_bpf_dsq_insert(p, SHARED_DSQ, SCX_SLICE_DFL, enq_flags);
	return 0;
}

OPS(kick_dispatch) int kick_dispatch(u64 *ctx)
{
	scx_bpf_dsq_move_to_local(SHARED_DSQ);
	return 0;
}

OPS(kick_init) int kick_init(u64 *ctx)
{
	return scx_bpf_create_dsq(SHARED_DSQ, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops kick_ops = {
	.select_cpu = (cb)kick_select_cpu,
	.enqueue = (cb)kick_enqueue,
	.dispatch = (cb)kick_dispatch,
	.init = (cb)kick_init,
	.name = "eng_kick",
};

char _license[] SEC("license") = "GPL";
