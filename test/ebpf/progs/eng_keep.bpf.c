/*
 * Test program (ours): a shared-DSQ scheduler with SCX_OPS_ENQ_LAST whose ops.dispatch, finding
 * nothing queued, gives a still-queued prev a new slice, the way the scx family keeps a lone
 * task on its CPU. It tallies, per callback, whether p->scx.flags had SCX_TASK_QUEUED, and how
 * often prev was refilled or came back through ops.enqueue with SCX_ENQ_LAST.
 */
#include "eng_scx.h"

#define SHARED 0
#define SLICE 1000000ULL
#define SCX_OPS_ENQ_LAST 2
#define SCX_ENQ_LAST (1ULL << 41)
#define SCX_TASK_QUEUED 1
#define SCX_KICK_IDLE 1

/* The member our header leaves out, read through a CO-RE flavour of the kernel's structs. */
struct sched_ext_entity___keep { u32 flags; } CORE;
struct task_struct___keep { unsigned int __state; struct sched_ext_entity___keep scx; } CORE;

#define TASK_DEAD 0x80

bool scx_bpf_task_set_slice(struct task_struct *p, u64 slice) __ksym;

const volatile bool refill_prev = true;

/* Per callback: the calls that saw the bit set, and clear. */
u64 select_set, select_clear, runnable_set, runnable_clear, enqueue_set, enqueue_clear;
u64 running_set, running_clear, stopping_set, stopping_clear, quiescent_set, quiescent_clear;
u64 prev_set, prev_clear, prev_dead;
u64 nr_refills, nr_enq_last;

static int queued(struct task_struct *p)
{
	return (((struct task_struct___keep *)p)->scx.flags & SCX_TASK_QUEUED) ? 1 : 0;
}

#define TALLY(cb, p) do { if (queued(p)) cb##_set++; else cb##_clear++; } while (0)

OPS(keep_select_cpu) int keep_select_cpu(u64 *ctx)
{
	TALLY(select, ARG(0, struct task_struct *));
	return ARG(1, s32);
}

OPS(keep_runnable) int keep_runnable(u64 *ctx)
{
	TALLY(runnable, ARG(0, struct task_struct *));
	return 0;
}

OPS(keep_enqueue) int keep_enqueue(u64 *ctx)
{
	struct task_struct *p = ARG(0, struct task_struct *);
	u64 enq_flags = ARG(1, u64);

	TALLY(enqueue, p);
	scx_bpf_dsq_insert(p, SHARED, SLICE, enq_flags);
	/* The last task leaving its CPU: bring the CPU back for it, as ENQ_LAST asks. */
	if (enq_flags & SCX_ENQ_LAST) {
		nr_enq_last++;
		scx_bpf_kick_cpu(bpf_get_smp_processor_id(), SCX_KICK_IDLE);
	}
	return 0;
}

OPS(keep_dispatch) int keep_dispatch(u64 *ctx)
{
	struct task_struct *prev = ARG(1, struct task_struct *);

	if (scx_bpf_dsq_move_to_local(SHARED))
		return 0;
	if (!prev)
		return 0;
	TALLY(prev, prev);
	if (((struct task_struct___keep *)prev)->__state == TASK_DEAD)
		prev_dead++;
	if (refill_prev && queued(prev)) {
		scx_bpf_task_set_slice(prev, SLICE);
		nr_refills++;
	}
	return 0;
}

OPS(keep_running) int keep_running(u64 *ctx)
{
	TALLY(running, ARG(0, struct task_struct *));
	return 0;
}

OPS(keep_stopping) int keep_stopping(u64 *ctx)
{
	TALLY(stopping, ARG(0, struct task_struct *));
	return 0;
}

OPS(keep_quiescent) int keep_quiescent(u64 *ctx)
{
	TALLY(quiescent, ARG(0, struct task_struct *));
	return 0;
}

OPS(keep_init) int keep_init(u64 *ctx)
{
	return scx_bpf_create_dsq(SHARED, -1);
}

SEC(".struct_ops.link")
struct sched_ext_ops keep_ops = {
	.select_cpu = (cb)keep_select_cpu,
	.runnable = (cb)keep_runnable,
	.enqueue = (cb)keep_enqueue,
	.dispatch = (cb)keep_dispatch,
	.running = (cb)keep_running,
	.stopping = (cb)keep_stopping,
	.quiescent = (cb)keep_quiescent,
	.init = (cb)keep_init,
	.flags = SCX_OPS_ENQ_LAST,
	.name = "eng_keep",
};

char _license[] SEC("license") = "GPL";
